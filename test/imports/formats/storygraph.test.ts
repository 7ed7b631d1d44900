import fs from 'node:fs';
import path from 'node:path';
import { storygraphFormat } from '../../../src/imports/formats/storygraph';
import { emptyRecord, ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * The StoryGraph reader over a made-up library export (byte-order mark, CRLF, a column StoryGraph
 * may add later) and one-book files built here for single quirks.
 */

const FILE = 'storygraph-library.csv';
const library: ImportMember = {
  name: FILE,
  text: fs.readFileSync(path.join(__dirname, 'fixtures', FILE), 'utf8'),
};

const HEADER =
  'Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?';

function oneBook(values: Record<string, string>): ImportMember {
  const row = HEADER.split(',')
    .map((name) => `"${(values[name] ?? '').replace(/"/g, '""')}"`)
    .join(',');
  return { name: 'one.csv', text: `${HEADER}\n${row}\n` };
}

const readOne = (values: Record<string, string>) =>
  storygraphFormat.read([oneBook({ Title: 'A Book', 'Read Status': 'to-read', ...values })], {}).records[0]!;

describe('StoryGraph library export', () => {
  it('is recognised by its Read Status, Star Rating and ISBN/UID columns', () => {
    expect(storygraphFormat.detect([library])).toBe('yes');
    expect(storygraphFormat.detect([{ name: 'x.csv', text: 'Book Id,Title,Exclusive Shelf,My Rating\n' }])).toBe('no');
  });

  it('reads a book read twice whole: two viewings, the latest range’s dates, quarter stars, review', () => {
    const [tide] = storygraphFormat.read([library], {}).records;
    expect(tide).toEqual({
      ...emptyRecord({ file: FILE, line: 2 }, ['book']),
      title: 'The Quiet Tide',
      ids: { isbn13: '9780316769488' },
      status: 'completed',
      addedAt: '2022-12-01',
      // 3.75 stars of 5, exactly.
      rating: 75,
      startedOn: '2023-06-01',
      completedOn: '2023-06-20',
      review: 'Gentle & sad.\n\nWould reread.',
      rewatchCount: 1,
      viewings: [
        { date: '2023-02-10', rating: null, rewatch: false, note: null },
        { date: '2023-06-20', rating: null, rewatch: true, note: null },
      ],
    });
  });

  it('ignores a StoryGraph UUID in ISBN/UID and keeps a quoted title with commas and quotes', () => {
    const unnumbered = storygraphFormat.read([library], {}).records[1];
    expect(unnumbered).toMatchObject({ title: 'Unnumbered, "Self-published"', ids: {}, problems: [] });
  });

  it('reads an ISBN-10 written with dashes', () => {
    expect(readOne({ 'ISBN/UID': '0-306-40615-2' }).ids).toEqual({ isbn10: '0306406152' });
  });

  it('reports an ISBN/UID that is neither', () => {
    expect(readOne({ 'ISBN/UID': 'B00X1' })).toMatchObject({
      ids: {},
      problems: ["ISBN/UID 'B00X1' is neither an ISBN nor a StoryGraph id: left out"],
    });
  });

  it('takes the start of an open range as the start of the reading under way', () => {
    const reading = storygraphFormat.read([library], {}).records[1];
    expect(reading).toMatchObject({ status: 'in_progress', startedOn: '2024-01-12', completedOn: null, viewings: [] });
  });

  it('keeps an earlier reading of a book given up as a viewing, but not its abandoned reading', () => {
    const dropped = storygraphFormat.read([library], {}).records[2];
    expect(dropped).toMatchObject({
      status: 'dropped',
      rating: 40,
      startedOn: '2023-03-10',
      completedOn: null,
      review: 'Lost the thread\nhalfway.',
      viewings: [{ date: '2021-02-01', rating: null, rewatch: false, note: null }],
    });
    // The quoted review spans two lines.
    expect(storygraphFormat.read([library], {}).records[3]!.origin.line).toBe(6);
  });

  it('maps every read status', () => {
    const statusOf = (status: string) => readOne({ 'Read Status': status }).status;
    expect(['read', 'currently-reading', 'to-read', 'did-not-finish', 'paused'].map(statusOf)).toEqual([
      'completed',
      'in_progress',
      'planning',
      'dropped',
      'paused',
    ]);
    expect(readOne({ 'Read Status': 'someday' })).toMatchObject({
      status: null,
      problems: ["read status 'someday' is not one we know: no status taken"],
    });
  });

  it('scales whole, half and quarter stars exactly, and reports stars beyond five', () => {
    const ratingOf = (stars: string) => readOne({ 'Read Status': 'read', 'Star Rating': stars }).rating;
    expect(['4.0', '4.5', '3.25', '0.25', ''].map(ratingOf)).toEqual([80, 90, 65, 5, null]);
    expect(readOne({ 'Star Rating': '6.0' }).problems).toEqual(['rating 6.0 is not 0–5: left out']);
  });

  it('uses Last Date Read as the one reading when Dates Read is empty', () => {
    const onlyTheEnd = storygraphFormat.read([library], {}).records[5];
    expect(onlyTheEnd).toMatchObject({
      completedOn: '2020-09-09',
      viewings: [{ date: '2020-09-09', rating: null, rewatch: false, note: null }],
    });
  });

  it('orders readings by date, counts a reading with a single date as finished that day, and marks rereads', () => {
    const record = readOne({
      'Read Status': 'read',
      'Dates Read': '2022/05/01-2022/05/09, 2019/03/03',
      'Read Count': '3',
    });
    expect(record).toMatchObject({
      startedOn: '2022-05-01',
      completedOn: '2022-05-09',
      rewatchCount: 2,
      // Read three times, two dated: the first dated one was already a reread.
      viewings: [
        { date: '2019-03-03', rewatch: true },
        { date: '2022-05-09', rewatch: true },
      ],
    });
  });

  it('reports a part of Dates Read that is no date and reads the rest', () => {
    const record = readOne({ 'Read Status': 'read', 'Dates Read': 'sometime, 2021/02/30, 2021/07/07' });
    expect(record.viewings.map((viewing) => viewing.date)).toEqual(['2021-07-07']);
    expect(record.problems).toEqual([
      "Dates Read 'sometime' is not a date or a range of dates: left out",
      "Dates Read '2021/02/30' is not a date or a range of dates: left out",
    ]);
  });

  it('keeps audio and digital books as books', () => {
    expect(readOne({ Format: 'audio' }).mediaTypes).toEqual(['book']);
  });

  it('rejects a row with neither a title nor an ISBN', () => {
    const { rejected } = storygraphFormat.read([oneBook({ 'Read Status': 'read' })], {});
    expect(rejected).toEqual([
      { origin: { file: 'one.csv', line: 2 }, reason: 'no title and no ISBN', raw: expect.any(String) as string },
    ]);
  });

  it('refuses an upload that holds no StoryGraph export', () => {
    expect(() => storygraphFormat.read([{ name: 'x.csv', text: 'Title,Authors\nA,B\n' }], {})).toThrow(ImportFileError);
  });
});
