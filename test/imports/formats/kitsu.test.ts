import { readFileSync } from 'node:fs';
import path from 'node:path';
import { kitsuFormat } from '../../../src/imports/formats/kitsu';
import { ImportFileError, type ImportMember } from '../../../src/imports/records';

const library: ImportMember = {
  name: 'kitsu-library.json',
  text: readFileSync(path.join(__dirname, 'fixtures', 'kitsu-library.json'), 'utf8'),
};

const read = (...members: ImportMember[]) => kitsuFormat.read(members, {});
const entry = (line: number) => read(library).records.find((record) => record.origin.line === line)!;

describe('detecting Kitsu library entries', () => {
  it('recognises a JSON:API document of libraryEntries', () => {
    expect(kitsuFormat.detect([library])).toBe('yes');
  });

  it('says no to other JSON:API documents, to other JSON and to text', () => {
    const anime = { name: 'anime.json', text: JSON.stringify({ data: [{ type: 'anime', id: '1' }] }) };
    expect(kitsuFormat.detect([anime])).toBe('no');
    expect(kitsuFormat.detect([{ name: 'a.json', text: '{"data":{"anime":{"lists":[]}}}' }])).toBe('no');
    expect(kitsuFormat.detect([{ name: 'a.json', text: '{"data": [' }])).toBe('no');
    expect(kitsuFormat.detect([{ name: 'a.csv', text: 'Title\nMonster\n' }])).toBe('no');
  });
});

describe('reading Kitsu library entries', () => {
  it('maps an anime entry with its included media and its mappings to other sites', () => {
    expect(entry(1)).toEqual(
      expect.objectContaining({
        origin: { file: 'kitsu-library.json', line: 1 },
        mediaTypes: ['anime'],
        ids: { kitsu: '1', mal: '1', anilist: '1' },
        title: 'Cowboy Bebop',
        alternativeTitles: ['カウボーイビバップ'],
        year: 1998,
        status: 'completed',
        progress: 26,
        rewatchCount: 1,
        notes: 'Rewatched with friends',
        startedOn: '2020-01-05',
        completedOn: '2020-02-01',
        updatedAt: '2021-03-04T18:30:00.000Z',
        problems: [],
      }),
    );
  });

  it('prefers ratingTwenty, which is exact, to the half-star rating', () => {
    expect(entry(1).rating).toBe(85);
  });

  it('reads rating "0.0" with no ratingTwenty as unrated', () => {
    expect(entry(2)).toMatchObject({ rating: null, status: 'planning', rewatchCount: null, notes: null });
  });

  it('falls back to the 0.5–5 rating when ratingTwenty is absent', () => {
    expect(entry(3).rating).toBe(70);
  });

  it('maps a manga entry, finding its mapping through the mapping that points at it', () => {
    expect(entry(2)).toMatchObject({
      mediaTypes: ['manga'],
      ids: { kitsu_manga: '7', mal_manga: '2' },
      title: 'Berserk',
      year: 1989,
    });
  });

  it('keeps an entry whose media is not included, with its Kitsu id only', () => {
    expect(entry(3)).toMatchObject({
      mediaTypes: ['anime'],
      ids: { kitsu: '99' },
      title: null,
      status: 'in_progress',
      progress: 12,
      startedOn: '2022-12-01',
      notes: null,
    });
  });

  it('leaves out an unknown status and a ratingTwenty above 20, saying so', () => {
    expect(entry(4)).toMatchObject({ ids: { kitsu: '11' }, status: null, rating: null });
    expect(entry(4).problems).toEqual([
      'status "rewatching" is not a Kitsu status: left out',
      'rating 25 is not 0–20: left out',
    ]);
  });

  it('rejects an entry that names no media', () => {
    const { records, rejected } = read(library);
    expect(records).toHaveLength(4);
    expect(rejected).toEqual([
      {
        origin: { file: 'kitsu-library.json', line: 5 },
        reason: 'the entry names no anime or manga',
        raw: expect.stringContaining('"on_hold"') as string,
      },
    ]);
  });

  it('reads several pages uploaded together, ignoring other members', () => {
    const { records } = read(library, { ...library, name: 'page-2.json' }, { name: 'readme.txt', text: 'pages' });
    expect(records.filter((record) => record.origin.file === 'page-2.json')).toHaveLength(4);
  });

  it('refuses JSON cut short, naming the file', () => {
    expect(() => read({ name: 'library.json', text: library.text.slice(0, 500) })).toThrow(
      /^library\.json is not complete JSON/,
    );
  });

  it('refuses an upload with no library entries', () => {
    expect(() => read({ name: 'anime.json', text: '{"data":[{"type":"anime","id":"1"}]}' })).toThrow(ImportFileError);
  });
});
