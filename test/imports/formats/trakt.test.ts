import fs from 'node:fs';
import path from 'node:path';
import { traktFormat } from '../../../src/imports/formats/trakt';
import { ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * Trakt's data export, read over small JSON files made from its documented layout: one record per
 * movie or show across the files, movies with a viewing per play, shows with the episodes seen
 * (specials left out), and ids that may be null or, for Plex, objects.
 */

const fixture = (file: string) => fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8');

/** The export's files as its ZIP names them (the fixtures carry a trakt- prefix). */
const exportZip: ImportMember[] = [
  'watched-movies.json',
  'watched-shows.json',
  'watched-history.json',
  'ratings-movies.json',
  'ratings-shows.json',
  'ratings-episodes.json',
  'lists-watchlist.json',
  'lists-list-55-favourites.json',
  'user-profile.json',
].map((name) => ({ name, text: fixture(`trakt-${name}`) }));

function readExport() {
  return traktFormat.read(exportZip, {});
}

function titled(name: string) {
  const record = readExport().records.find((candidate) => candidate.title === name);
  if (!record) throw new Error(`no record for ${name}`);
  return record;
}

describe('the Trakt format', () => {
  it('recognises the export by its files holding Trakt ids, and not other JSON', () => {
    expect(traktFormat.detect(exportZip)).toBe('yes');
    expect(traktFormat.detect([{ name: 'watched-movies.json', text: '[{"movie": {"title": "x"}}]' }])).toBe('no');
    expect(traktFormat.detect([{ name: 'list.json', text: fixture('trakt-watched-movies.json') }])).toBe('no');
    expect(traktFormat.detect([{ name: 'watched-movies.json', text: '[]' }])).toBe('maybe');
  });

  it('reads one record per movie and show across the files, none from custom lists or episode ratings', () => {
    const { records } = readExport();
    expect(records.map((record) => record.title).sort()).toEqual([
      'A Short Series',
      'Arrival',
      'Dune: Part Two',
      'Heat',
      'Rated Only',
      'Severance',
    ]);
  });

  it('reads a watched movie as completed with a viewing per play, its ids (the Plex object left out) and rating', () => {
    expect(titled('Arrival')).toEqual(
      expect.objectContaining({
        ids: { trakt_movie: '101', imdb: 'tt2543164', tmdb: 'movie/329865' },
        mediaTypes: ['movie', 'anime'],
        year: 2016,
        status: 'completed',
        rating: 90,
        completedOn: '2022-05-01',
        rewatchCount: 1,
        viewings: [
          { date: '2017-01-10', rating: null, rewatch: false, note: null },
          { date: '2022-05-01', rating: null, rewatch: true, note: null },
        ],
        updatedAt: '2022-05-02T08:00:00.000Z',
        origin: { file: 'watched-movies.json', line: 1 },
      }),
    );
  });

  it('leaves null ids out and takes the plays count when the history lists no play', () => {
    expect(titled('Heat')).toMatchObject({
      status: 'completed',
      completedOn: '2015-07-04',
      rewatchCount: 0,
      viewings: [],
    });
    expect(titled('Heat').ids).toEqual({ trakt_movie: '102', tmdb: 'movie/949' });
  });

  it('reads a show as in progress with the episodes seen, specials left out, and its tv ids', () => {
    expect(titled('Severance')).toMatchObject({
      mediaTypes: ['tv', 'anime'],
      status: 'in_progress',
      progress: 3,
      rating: 100,
      startedOn: '2022-02-18',
      completedOn: null,
    });
    expect(titled('Severance').ids).toEqual({
      trakt_show: '201',
      imdb: 'tt11280740',
      tmdb: 'tv/95396',
      tvdb: '371980',
    });
    expect(titled('Severance').viewings).toEqual([]);
  });

  it('reads a show as completed once every aired episode is seen, seasons numbered by year included', () => {
    expect(titled('A Short Series')).toMatchObject({ status: 'completed', progress: 3, completedOn: '2020-06-03' });
    expect(titled('A Short Series').ids).toEqual({ trakt_show: '202', tmdb: 'tv/123456' });
  });

  it('plans a watchlisted title with its note, but a watched one stays completed', () => {
    expect(titled('Dune: Part Two')).toMatchObject({
      status: 'planning',
      notes: 'In the cinema, if it is still on.',
      ids: { trakt_movie: '103', imdb: 'tt15239678' },
    });
    expect(titled('Heat').status).toBe('completed');
  });

  it('counts a rated movie it saw no play of as completed', () => {
    expect(titled('Rated Only')).toMatchObject({ status: 'completed', rating: 80 });
  });

  it('rejects watchlisted seasons and episodes with their entry numbers', () => {
    expect(readExport().rejected.map(({ origin, reason }) => [origin, reason])).toEqual([
      [{ file: 'lists-watchlist.json', line: 3 }, 'a season: lists here track whole titles'],
      [{ file: 'lists-watchlist.json', line: 4 }, 'an episode: lists here track whole titles'],
    ]);
  });

  it('counts episodes from the history alone when watched-shows.json is missing', () => {
    const members = exportZip.filter((member) => member.name === 'watched-history.json');
    const [severance] = traktFormat.read(members, {}).records.filter((record) => record.title === 'Severance');
    expect(severance).toMatchObject({ status: 'in_progress', progress: 3 });
  });

  it('notes a rating outside 1–10 and leaves it out', () => {
    const text = JSON.stringify([
      { rated_at: '2020-01-01T00:00:00Z', rating: 12, movie: { title: 'X', ids: { trakt: 9 } } },
    ]);
    const [record] = traktFormat.read([{ name: 'ratings-movies.json', text }], {}).records;
    expect(record).toMatchObject({ rating: null, problems: ['rating 12 is not 1–10: left out'] });
  });

  it('rejects an entry that names neither a movie nor a show, and reads the rest', () => {
    const text = JSON.stringify([{ plays: 1 }, { plays: 1, movie: { title: 'Y', ids: { trakt: 8 } } }]);
    const { records, rejected } = traktFormat.read([{ name: 'watched-movies.json', text }], {});
    expect(records.map((record) => record.title)).toEqual(['Y']);
    expect(rejected).toEqual([
      { origin: { file: 'watched-movies.json', line: 1 }, reason: 'neither a movie nor a show', raw: '{"plays":1}' },
    ]);
  });

  it('refuses malformed JSON, naming the file', () => {
    const members = [{ name: 'trakt/watched-movies.json', text: '[{"plays": 1,' }];
    expect(() => traktFormat.read(members, {})).toThrow(ImportFileError);
    expect(() => traktFormat.read(members, {})).toThrow(/^trakt\/watched-movies\.json could not be read as JSON/);
  });

  it('refuses an upload with no Trakt file', () => {
    expect(() =>
      traktFormat.read([{ name: 'user-profile.json', text: fixture('trakt-user-profile.json') }], {}),
    ).toThrow(ImportFileError);
  });
});
