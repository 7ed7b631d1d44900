import fs from 'node:fs';
import path from 'node:path';
import { imdbFormat } from '../../../src/imports/formats/imdb';
import { ImportFileError, type ImportMember } from '../../../src/imports/records';

/**
 * IMDb's ratings export and a list export, read over small files made from their documented
 * columns: rated titles are completed, unrated list rows planned, episodes rejected, and a title
 * in both files one record.
 */

const fixture = (file: string) => fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8');
const ratings: ImportMember = { name: 'ratings.csv', text: fixture('imdb-ratings.csv') };
const list: ImportMember = { name: 'watchlist.csv', text: fixture('imdb-list.csv') };

function title(members: ImportMember[], imdb: string) {
  const record = imdbFormat.read(members, {}).records.find((candidate) => candidate.ids.imdb === imdb);
  if (!record) throw new Error(`no record for ${imdb}`);
  return record;
}

describe('the IMDb format', () => {
  it('recognises a ratings export and a list export by their columns', () => {
    expect(imdbFormat.detect([ratings])).toBe('yes');
    expect(imdbFormat.detect([list])).toBe('yes');
    expect(imdbFormat.detect([{ name: 'x.csv', text: 'Const,Title\ntt0245429,Spirited Away\n' }])).toBe('no');
    expect(imdbFormat.detect([{ name: 'watched.csv', text: fixture('letterboxd-watched.csv') }])).toBe('no');
  });

  it('reads a rated movie as completed on its rating day, with its original title and the 1–10 scale', () => {
    expect(title([ratings], 'tt0245429')).toMatchObject({
      title: 'Spirited Away',
      alternativeTitles: ['Sen to Chihiro no kamikakushi'],
      year: 2001,
      mediaTypes: ['movie', 'anime'],
      status: 'completed',
      rating: 90,
      completedOn: '2021-05-02',
      origin: { file: 'ratings.csv', line: 2 },
    });
  });

  it('reads past a byte-order mark and CRLF line ends, and quoted commas in other columns', () => {
    expect(ratings.text).toMatch(/^\uFEFFConst,.*\r\n/);
    const { records } = imdbFormat.read([ratings], {});
    expect(records.map((record) => record.origin.line)).toEqual([2, 3, 4, 6, 7, 8]);
  });

  it('adds the tt an id was written without', () => {
    expect(title([ratings], 'tt0111161')).toMatchObject({ title: 'The Shawshank Redemption', alternativeTitles: [] });
  });

  it('maps Title Type to our types: series, video game, special, podcast, and anything else as movie or tv', () => {
    expect(title([ratings], 'tt0903747').mediaTypes).toEqual(['tv', 'anime']);
    expect(title([list], 'tt7366338').mediaTypes).toEqual(['tv', 'anime']);
    expect(title([ratings], 'tt2140553').mediaTypes).toEqual(['game']);
    // A TV special may be filed here as a film, a series' special, or an anime's.
    expect(title([ratings], 'tt0295178').mediaTypes).toEqual(['movie', 'tv', 'anime']);
    const typed = (type: string) =>
      imdbFormat.read(
        [
          {
            name: 'ratings.csv',
            text: `Const,Your Rating,Date Rated,Title,Title Type\ntt0000001,8,2020-01-01,T,${type}\n`,
          },
        ],
        {},
      );
    expect(typed('TV Short').records[0]?.mediaTypes).toEqual(['movie', 'anime']);
    expect(typed('Podcast Series').records[0]?.mediaTypes).toEqual(['podcast']);
    expect(typed('Podcast Episode').rejected[0]?.reason).toBe('an episode: lists here track whole titles');
    expect(typed('Something New').records[0]?.mediaTypes).toEqual(['movie', 'tv']);
  });

  it('reads the older camel-case Title Type words too', () => {
    const text = 'Const,Your Rating,Date Rated,Title,Title Type\ntt0903747,8,2017-01-01,Breaking Bad,tvSeries\n';
    expect(imdbFormat.read([{ name: 'ratings.csv', text }], {}).records[0]?.mediaTypes).toEqual(['tv', 'anime']);
  });

  it('rejects an episode with its reason and line', () => {
    const { rejected } = imdbFormat.read([ratings], {});
    expect(rejected).toEqual([
      {
        origin: { file: 'ratings.csv', line: 5 },
        reason: 'an episode: lists here track whole titles',
        raw: expect.stringContaining('tt2301451') as unknown,
      },
    ]);
  });

  it('notes a rating above 10 and leaves it out, the title still seen', () => {
    expect(title([ratings], 'tt0050083')).toMatchObject({
      rating: null,
      status: 'completed',
      completedOn: '2018-01-01',
      problems: ['rating 11 is not 1–10: left out'],
    });
  });

  it('reads an unrated list row as planning, its description (quotes, line break) as notes', () => {
    expect(title([list], 'tt0118799')).toMatchObject({
      title: 'Life Is Beautiful',
      alternativeTitles: ['La vita è bella'],
      status: 'planning',
      rating: null,
      completedOn: null,
      notes: 'Recommended by a friend, "must see".\nSoon.',
      updatedAt: '2023-02-01',
    });
  });

  it('keeps one record for a title listed twice: the rated row over the unrated, the later rating over the earlier', () => {
    const { records } = imdbFormat.read([ratings, list], {});
    expect(records.filter((record) => record.ids.imdb === 'tt0245429')).toHaveLength(1);
    expect(title([list, ratings], 'tt0245429')).toMatchObject({ status: 'completed', rating: 90 });
    expect(title([ratings, list], 'tt0903747')).toMatchObject({ rating: 90, completedOn: '2023-01-12' });
    expect(title([list, ratings], 'tt0903747')).toMatchObject({ rating: 90, completedOn: '2023-01-12' });
    expect(title([ratings, list], 'tt0903747').problems).toEqual([
      'also listed at ratings.csv line 4: the later rating kept',
    ]);
  });

  it('ignores columns it does not know', () => {
    const text =
      'Const,Your Rating,Date Rated,Title,Title Type,Mood\ntt0245429,7,2020-02-02,Spirited Away,Movie,calm\n';
    expect(imdbFormat.read([{ name: 'r.csv', text }], {}).records[0]).toMatchObject({ rating: 70, notes: null });
  });

  it('rejects a row whose Const is not an IMDb id', () => {
    const text = 'Const,Your Rating,Date Rated,Title,Title Type\nnm0000123,7,2020-02-02,Someone,Movie\n';
    const { records, rejected } = imdbFormat.read([{ name: 'r.csv', text }], {});
    expect(records).toEqual([]);
    expect(rejected.map((row) => row.reason)).toEqual(['nm0000123 is not an IMDb id']);
  });

  it('refuses an upload with no IMDb file', () => {
    expect(() => imdbFormat.read([{ name: 'x.csv', text: 'a,b\n1,2\n' }], {})).toThrow(ImportFileError);
  });
});
