import fs from 'node:fs';
import path from 'node:path';
import { letterboxdFormat } from '../../../src/imports/formats/letterboxd';
import { ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * Letterboxd's account export, read over small files made from its documented layout: one
 * record per film across watched, ratings, diary, reviews and watchlist, and the files that are
 * not the person's films left alone.
 */

const fixture = (file: string) => fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8');

/** The export as its ZIP names the members (under the folder Letterboxd puts them in). */
const exportZip: ImportMember[] = [
  ['profile.csv', 'letterboxd-profile.csv'],
  ['watched.csv', 'letterboxd-watched.csv'],
  ['ratings.csv', 'letterboxd-ratings.csv'],
  ['diary.csv', 'letterboxd-diary.csv'],
  ['reviews.csv', 'letterboxd-reviews.csv'],
  ['watchlist.csv', 'letterboxd-watchlist.csv'],
  ['comments.csv', 'letterboxd-comments.csv'],
  ['likes/films.csv', 'letterboxd-likes-films.csv'],
  ['lists/favourites.csv', 'letterboxd-list.csv'],
  ['deleted/watched.csv', 'letterboxd-deleted-watched.csv'],
  ['orphaned/diary.csv', 'letterboxd-orphaned-diary.csv'],
].map(([name, file]) => ({ name: `letterboxd-someone-2024-05-01-utc/${name}`, text: fixture(file!) }));

const WATCHED_HEADER = 'Date,Name,Year,Letterboxd URI';

function readExport() {
  return letterboxdFormat.read(exportZip, {});
}

function film(name: string) {
  const record = readExport().records.find((candidate) => candidate.title === name);
  if (!record) throw new Error(`no record for ${name}`);
  return record;
}

describe('the Letterboxd format', () => {
  it('recognises the export and a lone file by its Letterboxd URI column, and nothing else', () => {
    expect(letterboxdFormat.detect(exportZip)).toBe('yes');
    expect(letterboxdFormat.detect([{ name: 'export.csv', text: `${WATCHED_HEADER}\n` }])).toBe('yes');
    expect(letterboxdFormat.detect([{ name: 'ratings.csv', text: fixture('imdb-ratings.csv') }])).toBe('no');
    expect(letterboxdFormat.detect([{ name: 'profile.csv', text: fixture('letterboxd-profile.csv') }])).toBe('no');
  });

  it('reads one record per film of the current files, none from deleted/, orphaned/, likes/ or lists/', () => {
    const { records, rejected } = readExport();
    expect(records.map((record) => record.title).sort()).toEqual([
      'Crouching Tiger, Hidden Dragon',
      'Paprika',
      'Perfect Days',
      'Portrait of a Lady on Fire',
      'Princess Mononoke',
      'Tampopo',
    ]);
    expect(rejected).toEqual([]);
    expect(records.every((record) => record.mediaTypes.join() === 'movie,anime,tv')).toBe(true);
  });

  it('keeps a half-star rating exact and takes the film id from watched.csv', () => {
    expect(film('Paprika')).toMatchObject({
      ids: { letterboxd: 'https://boxd.it/2bcA' },
      year: 2006,
      status: 'completed',
      rating: 70,
      completedOn: '2020-01-04',
      viewings: [{ date: '2020-01-04', rating: 70, rewatch: false, note: null }],
      rewatchCount: 0,
      origin: { file: 'letterboxd-someone-2024-05-01-utc/watched.csv', line: 2 },
    });
    expect(film('Crouching Tiger, Hidden Dragon').rating).toBe(10);
  });

  it('keeps every diary viewing, the review on the viewing it belongs to, and the latest date as completed', () => {
    const mononoke = film('Princess Mononoke');
    const review = 'Still astonishing, the second time.\nThe forest spirit is "perfect".';
    expect(mononoke.viewings).toEqual([
      { date: '2019-01-31', rating: 90, rewatch: false, note: null },
      { date: '2023-06-01', rating: 100, rewatch: true, note: review },
    ]);
    expect(mononoke).toMatchObject({
      review,
      completedOn: '2023-06-01',
      rating: 100,
      rewatchCount: 1,
      ids: { letterboxd: 'https://boxd.it/1Yd8' },
    });
  });

  it('never takes a diary or review URI as the film id, and rates a diary-only film by its viewing', () => {
    const perfectDays = film('Perfect Days');
    expect(perfectDays.ids).toEqual({});
    expect(perfectDays).toMatchObject({ status: 'completed', rating: 80, completedOn: '2023-12-30' });
    const ids = readExport().records.map((record) => record.ids.letterboxd);
    expect(ids).not.toContain('https://boxd.it/9xPc');
  });

  it('counts a film both watched and on the watchlist as completed, a watchlist-only film as planning', () => {
    expect(film('Portrait of a Lady on Fire').status).toBe('completed');
    expect(film('Tampopo')).toMatchObject({ status: 'planning', ids: { letterboxd: 'https://boxd.it/1Lm0' } });
  });

  it('reads a byte-order mark, CRLF line ends and a quoted comma in the name', () => {
    const { records } = letterboxdFormat.read([{ name: 'watched.csv', text: fixture('letterboxd-watched.csv') }], {});
    expect(fixture('letterboxd-watched.csv')).toMatch(/^\uFEFFDate,.*\r\n/);
    expect(records.map((record) => [record.title, record.year, record.origin.line])).toEqual([
      ['Paprika', 2006, 2],
      ['Crouching Tiger, Hidden Dragon', 2000, 3],
      ['Portrait of a Lady on Fire', 2019, 4],
      ['Princess Mononoke', 1997, 5],
    ]);
  });

  it('ignores a column it does not know', () => {
    const text = `${WATCHED_HEADER},Rating,Something New\n2020-01-05,Paprika,2006,https://boxd.it/2bcA,4,whatever\n`;
    const [record] = letterboxdFormat.read([{ name: 'ratings.csv', text }], {}).records;
    expect(record).toMatchObject({ title: 'Paprika', rating: 80, status: 'completed' });
  });

  it('keeps two films of one name and year apart when their URIs differ', () => {
    const text = `${WATCHED_HEADER}\n2020-01-05,Solaris,1972,https://boxd.it/aaa1\n2020-01-06,Solaris,1972,https://boxd.it/aaa2\n`;
    expect(letterboxdFormat.read([{ name: 'watched.csv', text }], {}).records).toHaveLength(2);
  });

  it('notes a rating outside half stars 0.5–5 and leaves it out', () => {
    const text = `${WATCHED_HEADER},Rating\n2020-01-05,Paprika,2006,https://boxd.it/2bcA,7\n`;
    const [record] = letterboxdFormat.read([{ name: 'ratings.csv', text }], {}).records;
    expect(record?.rating).toBeNull();
    expect(record?.problems).toEqual(['rating 7 is not 0.5–5: left out']);
  });

  it('rejects a row without a film name, with its line', () => {
    const text = `${WATCHED_HEADER},Rating,Rewatch,Tags,Watched Date\n2020-01-05,,2006,https://boxd.it/x,4,,,2020-01-04\n`;
    const { records, rejected } = letterboxdFormat.read([{ name: 'diary.csv', text }], {});
    expect(records).toEqual([]);
    expect(rejected).toEqual([
      {
        origin: { file: 'diary.csv', line: 2 },
        reason: 'no film name',
        raw: '2020-01-05,,2006,https://boxd.it/x,4,,,2020-01-04',
      },
    ]);
  });

  describe('a watched/watchlist file', () => {
    const plain = `${WATCHED_HEADER}\r\n2022-11-20,Tampopo,1985,https://boxd.it/1Lm0\r\n`;

    it('is told by its name when it says watched or watchlist', () => {
      for (const name of ['watched.csv', 'watchlist.csv', 'watchlist (1).csv', 'export/watched-2024.csv']) {
        expect(letterboxdFormat.needsListKind([{ name, text: plain }])).toBe(false);
      }
      expect(letterboxdFormat.read([{ name: 'watchlist (1).csv', text: plain }], {}).records[0]?.status).toBe(
        'planning',
      );
      expect(letterboxdFormat.read([{ name: 'watched-2024.csv', text: plain }], {}).records[0]?.status).toBe(
        'completed',
      );
    });

    it('whose name does not say is read as the person answers, and refused until they do', () => {
      const members = [{ name: 'letterboxd.csv', text: plain }];
      expect(letterboxdFormat.needsListKind(members)).toBe(true);
      expect(() => letterboxdFormat.read(members, {})).toThrow(ImportFileError);
      expect(() => letterboxdFormat.read(members, {})).toThrow(/watched films or your watchlist/);
      expect(letterboxdFormat.read(members, { listKind: 'watchlist' }).records[0]?.status).toBe('planning');
      expect(letterboxdFormat.read(members, { listKind: 'watched' }).records[0]?.status).toBe('completed');
    });

    it('is not asked about for files whose header says what they are, nor for likes/', () => {
      expect(letterboxdFormat.needsListKind(exportZip)).toBe(false);
      expect(letterboxdFormat.needsListKind([{ name: 'export.csv', text: fixture('letterboxd-ratings.csv') }])).toBe(
        false,
      );
    });
  });

  it('refuses a lone custom list, saying lists are not imported yet', () => {
    const members = [{ name: 'favourites.csv', text: fixture('letterboxd-list.csv') }];
    expect(letterboxdFormat.detect(members)).toBe('yes');
    expect(() => letterboxdFormat.read(members, {})).toThrow(/lists are not imported yet/);
  });

  it('refuses an upload with no Letterboxd film file', () => {
    expect(() => letterboxdFormat.read([{ name: 'profile.csv', text: fixture('letterboxd-profile.csv') }], {})).toThrow(
      ImportFileError,
    );
  });
});
