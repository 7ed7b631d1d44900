import fs from 'node:fs';
import path from 'node:path';
import { yamtrackFormat } from '../../../src/imports/formats/yamtrack';
import { emptyRecord, ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * The Yamtrack reader over a made-up export written as Yamtrack writes it (every field quoted,
 * CRLF, a byte-order mark, a column newer versions add) and one-row files built here.
 */

const FILE = 'yamtrack-export.csv';
const exported: ImportMember = {
  name: FILE,
  text: fs.readFileSync(path.join(__dirname, 'fixtures', FILE), 'utf8'),
};

const HEADER =
  'media_id,source,media_type,title,image,season_number,episode_number,score,progress,status,start_date,end_date,notes,progressed_at';

function oneRow(values: Record<string, string>): ImportMember {
  const row = HEADER.split(',')
    .map((name) => `"${(values[name] ?? '').replace(/"/g, '""')}"`)
    .join(',');
  return { name: 'one.csv', text: `${HEADER}\n${row}\n` };
}

const readOne = (values: Record<string, string>) =>
  yamtrackFormat.read([oneRow({ media_id: '1', source: 'manual', title: 'A', status: 'Completed', ...values })], {})
    .records[0]!;

const read = () => yamtrackFormat.read([exported], {});
const byTitle = (title: string) => read().records.find((record) => record.title === title)!;

describe('Yamtrack export', () => {
  it('is recognised by media_id, source and media_type with progressed_at, or with status and score', () => {
    expect(yamtrackFormat.detect([exported])).toBe('yes');
    const older = 'media_id,source,media_type,title,score,progress,status,progress_changed\n';
    expect(yamtrackFormat.detect([{ name: 'old.csv', text: older }])).toBe('yes');
    expect(yamtrackFormat.detect([{ name: 'x.csv', text: 'media_id,source,media_type,title\n' }])).toBe('no');
  });

  it('reads a TV series whole, its TMDB id as tv/N, its score with a decimal', () => {
    expect(byTitle('Flatmates')).toEqual({
      ...emptyRecord({ file: FILE, line: 2 }, ['tv', 'anime']),
      title: 'Flatmates',
      ids: { tmdb: 'tv/1668' },
      status: 'in_progress',
      rating: 85,
      progress: 24,
      startedOn: '2024-02-09',
      updatedAt: '2024-02-09T12:00:00.000Z',
    });
  });

  it('rejects season and episode rows: the list tracks whole titles', () => {
    const { rejected } = read();
    const reason = 'a season or episode row: lists here track whole titles';
    expect(rejected.filter((row) => row.reason === reason).map((row) => row.origin.line)).toEqual([3, 4]);
    // A row that says it is a series but carries a season number is a season's.
    expect(
      yamtrackFormat.read(
        [oneRow({ media_id: '9', source: 'tmdb', media_type: 'tv', title: 'S', season_number: '2' })],
        {},
      ).rejected[0]!.reason,
    ).toBe(reason);
  });

  it('reads a film: tmdb movie/N, a film or an anime film, a day from a time, notes without HTML', () => {
    expect(byTitle('Blue Glass')).toMatchObject({
      mediaTypes: ['movie', 'anime'],
      ids: { tmdb: 'movie/10494' },
      rating: 90,
      // "1" counts the film's plays, not minutes watched.
      progress: null,
      completedOn: '2024-02-09',
      notes: 'Saw it at the Rio, with Jo & Al',
    });
  });

  it('takes the end date as the finish of a completed title only: under way, it is the last episode seen', () => {
    expect(readOne({ media_type: 'movie', status: 'Completed', end_date: '2024-02-09' })).toMatchObject({
      completedOn: '2024-02-09',
    });
    for (const status of ['In progress', 'Paused', 'Dropped'])
      expect(readOne({ media_type: 'movie', status, end_date: '2024-02-09' })).toMatchObject({ completedOn: null });
  });

  it('takes a film’s duration as minutes and a game’s as whole hours', () => {
    expect(byTitle('Long Cut')).toMatchObject({ progress: 135, status: 'dropped', rating: null });
    expect(byTitle('Hollow Manor 7')).toMatchObject({ mediaTypes: ['game'], progress: 3, status: 'paused', ids: {} });
  });

  it('files MAL ids apart for anime and manga', () => {
    expect(byTitle('Fooly')).toMatchObject({ ids: { mal: '227' }, mediaTypes: ['anime'], status: 'in_progress' });
    expect(byTitle('Berserker, "Deluxe"')).toMatchObject({
      ids: { mal_manga: '2' },
      mediaTypes: ['manga'],
      rating: 100,
      progress: 0,
      notes: 'line one\nline two',
    });
  });

  it('takes an ISBN out of a book’s title as its id', () => {
    expect(byTitle('The Left Hand')).toMatchObject({ ids: { isbn13: '9780441478125' }, rating: 75, progress: 120 });
    expect(readOne({ media_type: 'book', title: '0-306-40615-2' })).toMatchObject({
      title: null,
      ids: { isbn10: '0306406152' },
    });
  });

  it('rejects a media type we do not track', () => {
    expect(read().rejected.at(-1)).toMatchObject({
      origin: { file: FILE, line: 12 },
      reason: "media type 'boardgame' is not one we track",
    });
  });

  it('reads the status words whatever their case', () => {
    const statusOf = (status: string) => readOne({ media_type: 'anime', status }).status;
    expect(['In progress', 'In Progress', 'COMPLETED', 'Planning', 'paused', 'Dropped'].map(statusOf)).toEqual([
      'in_progress',
      'in_progress',
      'completed',
      'planning',
      'paused',
      'dropped',
    ]);
  });

  it('reports a score beyond 10 and a progress that is no count', () => {
    expect(readOne({ media_type: 'anime', score: '12.5', progress: 'lots' })).toMatchObject({
      rating: null,
      progress: null,
      problems: ['score 12.5 is not 0–10: left out', "progress 'lots' is not a whole number: left out"],
    });
  });

  it('keeps no id for sources we do not match by', () => {
    expect(readOne({ media_type: 'game', source: 'igdb', media_id: '19562' }).ids).toEqual({});
  });

  it('refuses an upload that holds no Yamtrack export', () => {
    expect(() => yamtrackFormat.read([{ name: 'x.csv', text: 'a,b\n1,2\n' }], {})).toThrow(ImportFileError);
  });
});
