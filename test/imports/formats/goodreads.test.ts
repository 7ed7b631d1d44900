import fs from 'node:fs';
import path from 'node:path';
import { goodreadsFormat } from '../../../src/imports/formats/goodreads';
import { emptyRecord, ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * The Goodreads reader over a made-up library export written as Goodreads writes it (a
 * byte-order mark, CRLF, ISBNs as `="…"` formulas, an extra column at the end) and small files
 * built here for single quirks.
 */

const FILE = 'goodreads-library.csv';
const library: ImportMember = {
  name: FILE,
  text: fs.readFileSync(path.join(__dirname, 'fixtures', FILE), 'utf8'),
};

const HEADER =
  'Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies';

/** A one-book export whose columns are the header's, with `values` in the named ones. */
function oneBook(values: Record<string, string>): ImportMember {
  const names = HEADER.split(',');
  const row = names.map((name) => `"${(values[name] ?? '').replace(/"/g, '""')}"`).join(',');
  return { name: 'one.csv', text: `${HEADER}\n${row}\n` };
}

const readOne = (values: Record<string, string>) => goodreadsFormat.read([oneBook(values)], {}).records[0]!;

describe('Goodreads library export', () => {
  it('is recognised by its Book Id, Exclusive Shelf and My Rating columns, and nothing else is', () => {
    expect(goodreadsFormat.detect([library])).toBe('yes');
    expect(goodreadsFormat.detect([{ name: 'notes.txt', text: 'hello' }, library])).toBe('yes');
    expect(
      goodreadsFormat.detect([{ name: 'x.csv', text: 'Title,Authors,ISBN/UID,Read Status,Star Rating\r\n' }]),
    ).toBe('no');
    expect(goodreadsFormat.detect([{ name: 'x.csv', text: 'Book Id,Title\n1,A\n' }])).toBe('no');
  });

  it('reads a finished book whole: ids, series, year, stars, date, rereads, review and notes', () => {
    const { records } = goodreadsFormat.read([library], {});
    expect(records[0]).toEqual({
      ...emptyRecord({ file: FILE, line: 2 }, ['book']),
      title: 'The Long Orbit',
      alternativeTitles: ['The Long Orbit (Starfall Cycle, #2)'],
      // The original publication year, not this edition's 2004.
      year: 1985,
      ids: { goodreads: '375802', isbn10: '0312853238', isbn13: '9780312853235' },
      status: 'completed',
      addedAt: '2024-01-02',
      rating: 80,
      completedOn: '2024-03-15',
      notes: 'Lent to Sam, returned',
      review: 'Loved it.\n\nBest part: the ending & the map.',
      // Read Count 3: read twice again.
      rewatchCount: 2,
    });
  });

  it('takes empty `=""` ISBNs as no ISBN and My Rating 0 as unrated', () => {
    const [, unrated] = goodreadsFormat.read([library], {}).records;
    expect(unrated).toMatchObject({ ids: { goodreads: '4011' }, rating: null, status: 'planning' });
  });

  it('keeps a quoted title with commas and quotes, and falls back to Year Published', () => {
    const [, quoted] = goodreadsFormat.read([library], {}).records;
    expect(quoted).toMatchObject({ title: 'Quotes, "Commas" and More', alternativeTitles: [], year: 2019 });
  });

  it('takes the series off a title whose series name holds parentheses of its own', () => {
    const ranma = goodreadsFormat.read([library], {}).records[2];
    expect(ranma).toMatchObject({
      title: 'Ranma ½, Vol. 1',
      alternativeTitles: ['Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)'],
      status: 'in_progress',
      ids: { goodreads: '58', isbn10: '1569319626' },
    });
  });

  it('leaves a parenthesis that names no series position in the title', () => {
    expect(
      readOne({ 'Book Id': '9', Title: 'Beauty and the Beast (Disney)', 'Exclusive Shelf': 'read' }),
    ).toMatchObject({ title: 'Beauty and the Beast (Disney)', alternativeTitles: [] });
  });

  it('keeps the line breaks of a quoted review and counts lines past them', () => {
    const { records } = goodreadsFormat.read([library], {});
    expect(records[2]).toMatchObject({
      origin: { file: FILE, line: 4 },
      review: 'First line\nsecond line, with a comma',
    });
    // The review above spans lines 4 and 5.
    expect(records[3]!.origin).toEqual({ file: FILE, line: 6 });
  });

  it('takes no status from a custom exclusive shelf, and says so', () => {
    const custom = goodreadsFormat.read([library], {}).records[3];
    expect(custom).toMatchObject({
      status: null,
      problems: ["shelf 'abandoned' is not a status here: no status taken"],
    });
  });

  it('maps each built-in shelf to its status whatever its case', () => {
    const statusOf = (shelf: string) => readOne({ 'Book Id': '1', Title: 'A', 'Exclusive Shelf': shelf }).status;
    expect(['read', 'currently-reading', 'to-read', 'Read'].map(statusOf)).toEqual([
      'completed',
      'in_progress',
      'planning',
      'completed',
    ]);
  });

  it('reports stars outside 0–5 and leaves the rating out', () => {
    expect(readOne({ 'Book Id': '1', Title: 'A', 'My Rating': '7', 'Exclusive Shelf': 'read' })).toMatchObject({
      rating: null,
      problems: ['rating 7 is not 0–5: left out'],
    });
  });

  it('counts no reread for a book read once, and takes no dates from Date Added', () => {
    expect(
      readOne({ 'Book Id': '1', Title: 'A', 'Exclusive Shelf': 'read', 'Read Count': '1', 'Date Added': '2020/01/01' }),
    ).toMatchObject({ rewatchCount: null, startedOn: null, completedOn: null, addedAt: '2020-01-01' });
  });

  it('keeps the Date Read of a book being read again as a past reading, not as its finish', () => {
    const record = readOne({
      'Book Id': '3',
      Title: 'Again',
      'Exclusive Shelf': 'currently-reading',
      'Date Read': '2021/10/11',
    });
    expect(record).toMatchObject({ status: 'in_progress', completedOn: null });
    expect(record.viewings).toEqual([{ date: '2021-10-11', rating: null, rewatch: false, note: null }]);
  });

  it('reads a file with LF line ends and no byte-order mark as well', () => {
    const record = readOne({ 'Book Id': '12', Title: 'Plain', ISBN13: '="9780141439600"', 'Exclusive Shelf': 'read' });
    expect(record).toMatchObject({
      origin: { file: 'one.csv', line: 2 },
      ids: { goodreads: '12', isbn13: '9780141439600' },
    });
  });

  it('rejects a row with neither a title nor an id, with its line and text', () => {
    const { rejected, records } = goodreadsFormat.read([library], {});
    expect(records).toHaveLength(4);
    expect(rejected).toEqual([
      {
        origin: { file: FILE, line: 7 },
        reason: 'no title and no id',
        raw: expect.stringContaining('to-read') as string,
      },
    ]);
  });

  it('refuses an upload that holds no Goodreads export', () => {
    expect(() => goodreadsFormat.read([{ name: 'x.csv', text: 'a,b\n1,2\n' }], {})).toThrow(ImportFileError);
  });
});
