import fs from 'node:fs';
import path from 'node:path';
import { tmdbFormat } from '../../../src/imports/formats/tmdb';
import { ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * TMDB's ratings and watchlist exports, read over small files made from their documented
 * header: ids in the catalog's movie/N and tv/N shape, episode rows rejected, and the two files
 * (which share a header) told apart by name or by the person's answer.
 */

const fixture = (file: string) => fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8');
const ratings: ImportMember = { name: 'tmdb-movie-ratings.csv', text: fixture('tmdb-ratings.csv') };
const watchlist: ImportMember = { name: 'tmdb-watchlist.csv', text: fixture('tmdb-watchlist.csv') };

describe('the TMDB format', () => {
  it('recognises its header and nothing else', () => {
    expect(tmdbFormat.detect([ratings])).toBe('yes');
    expect(tmdbFormat.detect([{ name: 'ratings.csv', text: fixture('imdb-ratings.csv') }])).toBe('no');
  });

  it('reads a rated movie and show as completed with ids in the catalog shape, on the 1–10 scale', () => {
    const { records } = tmdbFormat.read([ratings], {});
    expect(records[0]).toMatchObject({
      title: 'Spirited Away',
      year: 2001,
      ids: { tmdb: 'movie/129', imdb: 'tt0245429' },
      mediaTypes: ['movie', 'anime'],
      status: 'completed',
      rating: 95,
      completedOn: '2023-04-05',
      origin: { file: 'tmdb-movie-ratings.csv', line: 2 },
    });
    expect(records[1]).toMatchObject({
      title: 'Breaking Bad',
      ids: { tmdb: 'tv/1396', imdb: 'tt0903747' },
      mediaTypes: ['tv', 'anime'],
      rating: 80,
    });
  });

  it("rejects an episode row, whose ids are the episode's", () => {
    const { records, rejected } = tmdbFormat.read([ratings], {});
    expect(records.some((record) => record.ids.tmdb === 'tv/62161')).toBe(false);
    expect(rejected).toEqual([
      {
        origin: { file: 'tmdb-movie-ratings.csv', line: 4 },
        reason: expect.stringMatching(/^an episode/) as unknown,
        raw: expect.stringContaining('Ozymandias') as unknown,
      },
    ]);
  });

  it('reads past a byte-order mark and CRLF, a quoted comma in a name, and notes a rating above 10', () => {
    expect(ratings.text).toMatch(/^\uFEFFTMDb ID,.*\r\n/);
    const pulp = tmdbFormat.read([ratings], {}).records.find((record) => record.ids.tmdb === 'movie/680');
    expect(pulp).toMatchObject({
      title: 'Pulp Fiction, the film',
      rating: null,
      status: 'completed',
      problems: ['rating 12 is not 0.5–10: left out'],
      origin: { line: 5 },
    });
  });

  it('reads a watchlist as planning, and a title both rated and listed once, as completed', () => {
    const { records } = tmdbFormat.read([watchlist, ratings], {});
    expect(records.filter((record) => record.ids.tmdb === 'movie/129')).toEqual([
      expect.objectContaining({ status: 'completed', rating: 95 }),
    ]);
    expect(records.find((record) => record.ids.tmdb === 'tv/87108')).toMatchObject({
      title: 'Chernobyl',
      status: 'planning',
      rating: null,
      mediaTypes: ['tv', 'anime'],
    });
  });

  it('ignores columns it does not know', () => {
    const text =
      'TMDb ID,IMDb ID,Type,Name,Release Date,Your Rating,Date Rated,Genre\n129,,movie,Spirited Away,2001,7,,Animation\n';
    expect(tmdbFormat.read([{ name: 'ratings.csv', text }], {}).records[0]).toMatchObject({
      ids: { tmdb: 'movie/129' },
      rating: 70,
    });
  });

  describe('a file whose name does not say ratings or watchlist', () => {
    const unnamed: ImportMember = { name: 'export.csv', text: fixture('tmdb-watchlist.csv') };

    it('is asked about; a named one is not', () => {
      expect(tmdbFormat.needsListKind([unnamed])).toBe(true);
      expect(tmdbFormat.needsListKind([ratings, watchlist])).toBe(false);
    });

    it('is refused until the person says which it is', () => {
      expect(() => tmdbFormat.read([unnamed], {})).toThrow(ImportFileError);
      expect(() => tmdbFormat.read([unnamed], {})).toThrow(/ratings or your watchlist/);
    });

    it('is read as planned for a watchlist and as seen for ratings', () => {
      expect(tmdbFormat.read([unnamed], { listKind: 'watchlist' }).records.map((record) => record.status)).toEqual([
        'planning',
        'planning',
        'planning',
      ]);
      expect(tmdbFormat.read([unnamed], { listKind: 'watched' }).records.map((record) => record.status)).toEqual([
        'completed',
        'completed',
        'completed',
      ]);
    });

    it('holds a rated row that is seen whatever the answer', () => {
      const rated = { name: 'export.csv', text: fixture('tmdb-ratings.csv') };
      const [first] = tmdbFormat.read([rated], { listKind: 'watchlist' }).records;
      expect(first).toMatchObject({ status: 'completed', rating: 95 });
    });
  });

  it('refuses an upload with no TMDB file', () => {
    expect(() => tmdbFormat.read([{ name: 'x.csv', text: 'a,b\n1,2\n' }], {})).toThrow(ImportFileError);
  });
});
