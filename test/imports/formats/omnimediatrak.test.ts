import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_COLUMNS } from '../../../src/entries/queries';
import { omnimediatrakFormat } from '../../../src/imports/formats/omnimediatrak';
import { emptyRecord, ImportFileError, type ImportMember, type ImportRecord } from '../../../src/imports/records';
import { csvField } from '../../../src/list/export';

/**
 * Our own export read back: fixtures in both shapes, and files written here with the export's own
 * column list and CSV quoting, so a change to what the export writes shows up here.
 */

const fixture = (name: string): ImportMember => ({
  name,
  text: fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'),
});
const csvFile = fixture('omnimediatrak-list.csv');
const jsonFile = fixture('omnimediatrak-list.json');

type Row = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

const row = (values: Partial<Row>): Row => ({
  ...(Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, null])) as Row),
  media_id: '5a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
  title: 'A Title',
  media_type: 'movie',
  status: 'planning',
  progress_unit: 'minutes',
  added_at: '2024-01-01T00:00:00Z',
  updated_at: '2024-01-02T00:00:00Z',
  ...values,
});

/** The file the CSV download writes for `rows` (src/list/export.ts: exportCsv). */
const asCsv = (rows: Row[]): ImportMember => ({
  name: 'omnimediatrak-list-2024-05-01.csv',
  text: [EXPORT_COLUMNS.join(','), ...rows.map((r) => EXPORT_COLUMNS.map((column) => csvField(r[column])).join(','))]
    .map((line) => `${line}\r\n`)
    .join(''),
});

/** The file the JSON download writes for `rows` (src/list/export.ts: exportJson). */
const asJson = (rows: Row[]): ImportMember => ({
  name: 'omnimediatrak-list-2024-05-01.json',
  text: `{"attribution":{"note":"credits","details":"/about/data","sources":[]},\n"entries":[${rows
    .map((r) => `\n${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, r[column]])))}`)
    .join(',')}\n]}\n`,
});

/** What an exported entry must read back as: every field of ours, as it was. */
const recordOf = (r: Row, origin: { file: string; line: number }): ImportRecord => ({
  ...emptyRecord(origin, [r.media_type as ImportRecord['mediaTypes'][number]]),
  title: r.title as string,
  alternativeTitles: r.original_title === null ? [] : [r.original_title as string],
  year: r.release_date === null ? null : Number(String(r.release_date).slice(0, 4)),
  ids: { omnimediatrak: r.media_id as string },
  status: r.status as ImportRecord['status'],
  rating: r.rating as number | null,
  progress: r.progress as number | null,
  startedOn: r.started_on as string | null,
  completedOn: r.completed_on as string | null,
  notes: r.notes as string | null,
  updatedAt: r.updated_at as string,
  addedAt: r.added_at as string,
});

const list: Row[] = [
  row({
    title: 'Autumn, "Again"',
    original_title: '秋、再び',
    media_type: 'anime',
    release_date: '2019-10-04',
    status: 'completed',
    rating: 85,
    progress: 12,
    progress_unit: 'episodes',
    total: 12,
    started_on: '2024-01-02',
    completed_on: '2024-01-20',
    notes: 'First line, with a comma\nSecond "quoted" line\n\nAfter a blank line',
  }),
  row({
    media_id: '6b3c4d5e-6f7a-4b2c-9d3e-4f5a6b7c8d9e',
    title: '=HYPERLINK("x")',
    notes: '@mention +1 -2 <i>kept</i> &amp;',
  }),
  row({
    media_id: '7c4d5e6f-7a8b-4c3d-8e4f-5a6b7c8d9e0f',
    media_type: 'game',
    status: 'paused',
    rating: 1,
    progress: 0,
  }),
  row({ media_id: '8d5e6f7a-8b9c-4d4e-9f5a-6b7c8d9e0f1a', media_type: 'podcast', status: 'dropped', rating: 100 }),
  row({
    media_id: '9e6f7a8b-9c0d-4e5f-8a6b-7c8d9e0f1a2b',
    media_type: 'web_novel',
    status: 'in_progress',
    notes: '  spaced  ',
  }),
];

describe('OmniMediaTrak list export read back', () => {
  it('recognises our CSV by its columns and our JSON by its entries', () => {
    expect(omnimediatrakFormat.detect([csvFile])).toBe('yes');
    expect(omnimediatrakFormat.detect([jsonFile])).toBe('yes');
    expect(omnimediatrakFormat.detect([asJson([])])).toBe('yes');
    const yamtrack = 'media_id,source,media_type,title,score,progress,status,progressed_at\n';
    expect(omnimediatrakFormat.detect([{ name: 'y.csv', text: yamtrack }])).toBe('no');
    expect(omnimediatrakFormat.detect([{ name: 'a.json', text: '{"entries":[{"id":1}]}' }])).toBe('no');
    expect(omnimediatrakFormat.detect([{ name: 'b.json', text: '{"entries":' }])).toBe('no');
  });

  it('reads every entry of our CSV back exactly as the export wrote it', () => {
    const file = asCsv(list);
    const { records, rejected } = omnimediatrakFormat.read([file], {});
    expect(rejected).toEqual([]);
    // The first entry's notes span four lines of the file.
    const lines = [2, 6, 7, 8, 9];
    expect(records).toEqual(list.map((r, index) => recordOf(r, { file: file.name, line: lines[index]! })));
  });

  it('reads every entry of our JSON back exactly as the export wrote it', () => {
    const file = asJson(list);
    const { records, rejected } = omnimediatrakFormat.read([file], {});
    expect(rejected).toEqual([]);
    expect(records).toEqual(list.map((r, index) => recordOf(r, { file: file.name, line: index + 1 })));
  });

  it('reads the CSV and JSON fixtures to the same records', () => {
    const fromCsv = omnimediatrakFormat.read([csvFile], {}).records;
    const fromJson = omnimediatrakFormat.read([jsonFile], {}).records;
    const withoutOrigin = (records: ImportRecord[]) => records.map(({ origin: _origin, ...rest }) => rest);
    expect(fromCsv).toHaveLength(5);
    expect(withoutOrigin(fromCsv)).toEqual(withoutOrigin(fromJson));
    expect(fromCsv[1]).toMatchObject({ title: '=Formula Looking', notes: '  <b>not markup</b> &amp; kept  ' });
  });

  it('leaves out a rating outside 1–100 and says so, rounding nothing', () => {
    const ratings = [150, 0, '85.5', -3];
    const { records } = omnimediatrakFormat.read([asJson(ratings.map((rating) => row({ rating })))], {});
    expect(records.map((record) => record.rating)).toEqual([null, null, null, null]);
    expect(records.map((record) => record.problems)).toEqual(
      ['150', '0', '85.5', '-3'].map((rating) => [`rating ${rating} is not 1–100: left out`]),
    );
    const fixtureProblem = omnimediatrakFormat.read([csvFile], {}).records[4]!;
    expect(fixtureProblem).toMatchObject({ rating: null, problems: ['rating 150 is not 1–100: left out'] });
  });

  it('reports values that are not ours and keeps the rest of the entry', () => {
    const odd = row({ status: 'watching', progress: '2.5', started_on: '2024-13-01', media_id: 'tt0111161' });
    const [record] = omnimediatrakFormat.read([asCsv([odd])], {}).records;
    expect(record).toMatchObject({
      title: 'A Title',
      ids: {},
      status: null,
      progress: null,
      startedOn: null,
      problems: [
        "media_id 'tt0111161' is not one of our ids: left out",
        "status 'watching' is not one of ours: no status taken",
        'progress 2.5 is not a whole number: left out',
        "started_on '2024-13-01' is not a date: left out",
      ],
    });
  });

  it('rejects an entry of a media type that is not ours, and one with no id and no title', () => {
    const { rejected } = omnimediatrakFormat.read(
      [asJson([row({ media_type: 'comic' }), row({ media_id: null, title: null })])],
      {},
    );
    expect(rejected.map(({ origin, reason }) => ({ line: origin.line, reason }))).toEqual([
      { line: 1, reason: "media type 'comic' is not one of ours" },
      { line: 2, reason: 'no media_id and no title' },
    ]);
    expect(rejected[0]!.raw).toContain('"media_type":"comic"');
  });

  it('reads a CSV saved with a byte-order mark and LF line ends', () => {
    const saved = asCsv(list.slice(2, 3));
    const { records } = omnimediatrakFormat.read(
      [{ ...saved, text: `\uFEFF${saved.text.replace(/\r\n/g, '\n')}` }],
      {},
    );
    expect(records).toEqual([recordOf(list[2]!, { file: saved.name, line: 2 })]);
  });

  it('refuses an upload that holds neither shape', () => {
    expect(() => omnimediatrakFormat.read([{ name: 'x.json', text: '[1, 2]' }], {})).toThrow(ImportFileError);
  });
});
