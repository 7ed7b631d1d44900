import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anilistFormat, guessAnilistScoreFormat } from '../../../src/imports/formats/anilist';
import { ImportFileError, type AnilistScoreFormat, type ImportMember } from '../../../src/imports/records';

const lists: ImportMember = {
  name: 'anilist-lists.json',
  text: readFileSync(path.join(__dirname, 'fixtures', 'anilist-lists.json'), 'utf8'),
};

const json = (value: unknown, name = 'anilist.json'): ImportMember => ({ name, text: JSON.stringify(value) });

/** An anime list file with one status list holding an entry per score. */
const scored = (...scores: number[]) =>
  json({
    data: {
      anime: {
        lists: [
          {
            name: 'Completed',
            status: 'COMPLETED',
            entries: scores.map((score, index) => ({
              score,
              media: { id: index + 1, title: { romaji: `T${index}` } },
            })),
          },
        ],
      },
    },
  });

const read = (member: ImportMember, anilistScoreFormat?: AnilistScoreFormat) =>
  anilistFormat.read([member], anilistScoreFormat ? { anilistScoreFormat } : {});
const byAnilistId = (id: string) => read(lists).records.filter((record) => record.ids.anilist === id);

describe('detecting an AniList list file', () => {
  it('recognises the MediaListCollection shape, with or without the outer data', () => {
    expect(anilistFormat.detect([lists])).toBe('yes');
    expect(anilistFormat.detect([json({ anime: { lists: [] } })])).toBe('yes');
    expect(anilistFormat.detect([json({ data: { MediaListCollection: { lists: [] } } })])).toBe('yes');
  });

  it('says maybe to a list file cut short, and no to other JSON and to text', () => {
    expect(anilistFormat.detect([{ name: 'a.json', text: lists.text.slice(0, 600) }])).toBe('maybe');
    expect(anilistFormat.detect([json({ data: [{ type: 'libraryEntries', id: '1' }] })])).toBe('no');
    expect(anilistFormat.detect([{ name: 'a.csv', text: 'Title\nMonster\n' }])).toBe('no');
  });
});

describe('reading an AniList list file', () => {
  it('reads each title once though custom lists repeat them, numbering entries in file order', () => {
    const { records, rejected } = read(lists);
    expect(records.map((record) => [record.title, record.origin.line])).toEqual([
      ['Sousou no Frieren', 2],
      ['Cowboy Bebop', 4],
      ['Steins;Gate', 5],
      ['Naruto', 6],
      ['One Piece', 7],
      ['Berserk', 10],
      ['Monster', 11],
    ]);
    expect(rejected).toEqual([
      {
        origin: { file: 'anilist-lists.json', line: 3 },
        reason: 'no AniList id, MyAnimeList id or title',
        raw: expect.stringContaining('"progress":3') as string,
      },
    ]);
  });

  it('keeps the status list copy of a title an unflagged custom list listed first', () => {
    expect(byAnilistId('1')).toEqual([
      expect.objectContaining({ status: 'completed', origin: { file: 'anilist-lists.json', line: 4 } }),
    ]);
  });

  it('takes the status from the list when entries carry none', () => {
    expect(byAnilistId('154587')[0]).toMatchObject({ status: 'in_progress', problems: [] });
    expect(read(lists).records.find((record) => record.title === 'Monster')!.status).toBe('planning');
  });

  it('takes the status from each entry in a list without name or status, reporting an unknown one', () => {
    expect(byAnilistId('20')[0]).toMatchObject({ status: 'paused', progress: 100 });
    const onePiece = byAnilistId('21')[0]!;
    expect(onePiece.status).toBeNull();
    expect(onePiece.problems).toEqual(['status "WATCH_LATER" is not an AniList status: left out']);
  });

  it('maps ids, titles, progress, dates, update time and notes', () => {
    expect(byAnilistId('154587')[0]).toMatchObject({
      mediaTypes: ['anime'],
      ids: { anilist: '154587', mal: '52991' },
      title: 'Sousou no Frieren',
      alternativeTitles: ["Frieren: Beyond Journey's End", '葬送のフリーレン'],
      year: 2023,
      rating: 85,
      progress: 10,
      startedOn: '2023-10-01',
      completedOn: null,
      updatedAt: '2023-11-14T22:13:20.000Z',
      notes: 'Best fantasy in years\nso far',
      rewatchCount: null,
    });
  });

  it('reads a date with a missing day as unknown, and repeat as times rewatched', () => {
    expect(byAnilistId('1')[0]).toMatchObject({
      alternativeTitles: ['カウボーイビバップ'],
      startedOn: null,
      completedOn: '2010-06-02',
      rewatchCount: 1,
      notes: null,
    });
  });

  it('reads REPEATING as in progress, noting the rewatch', () => {
    expect(byAnilistId('9253')[0]).toMatchObject({
      status: 'in_progress',
      rewatchCount: 2,
      problems: ['status REPEATING (a rewatch or reread under way) read as in progress'],
    });
  });

  it('reads a manga entry with a MyAnimeList id and no AniList id, its chapters as progress', () => {
    const berserk = read(lists).records.find((record) => record.title === 'Berserk')!;
    expect(berserk).toMatchObject({
      mediaTypes: ['manga'],
      ids: { mal_manga: '2' },
      progress: 364,
      startedOn: '2019-02-14',
      status: 'in_progress',
    });
    expect(read(lists).records.find((record) => record.title === 'Monster')!.ids).toEqual({
      anilist: '30001',
      mal_manga: '1',
    });
  });

  it('reads the file without its outer data the same way', () => {
    const { data } = JSON.parse(lists.text) as { data: unknown };
    expect(read(json(data)).records).toEqual(read(json(JSON.parse(lists.text))).records);
  });

  it('reads a bare MediaListCollection, taking anime or manga from each media type', () => {
    const { records, rejected } = read(
      json({
        data: {
          MediaListCollection: {
            lists: [
              {
                name: 'Completed',
                status: 'COMPLETED',
                entries: [
                  {
                    score: 7,
                    media: { id: 5, idMal: 5, type: 'ANIME', title: { romaji: 'Cowboy Bebop: Tengoku no Tobira' } },
                  },
                  { score: 9, media: { id: 30002, idMal: 2, type: 'MANGA', title: { romaji: 'Berserk' } } },
                  { score: 8, media: { id: 6, title: { romaji: 'Trigun' } } },
                ],
              },
            ],
          },
        },
      }),
      'POINT_10',
    );
    expect(records.map((record) => [record.mediaTypes, record.ids])).toEqual([
      [['anime'], { anilist: '5', mal: '5' }],
      [['manga'], { anilist: '30002', mal_manga: '2' }],
    ]);
    expect(rejected.map((row) => row.reason)).toEqual(['media.type is neither ANIME nor MANGA']);
  });

  it('refuses JSON cut short, naming the file', () => {
    expect(() => read({ name: 'anilist.json', text: lists.text.slice(0, 600) })).toThrow(ImportFileError);
    expect(() => read({ name: 'anilist.json', text: lists.text.slice(0, 600) })).toThrow(
      /^anilist\.json is not complete JSON/,
    );
  });

  it('refuses an upload with no AniList list in it', () => {
    expect(() => read(json({ data: { viewer: { id: 1 } } }))).toThrow(ImportFileError);
  });
});

describe('AniList scores', () => {
  const ratingsOf = (member: ImportMember, format?: AnilistScoreFormat) =>
    read(member, format).records.map((record) => record.rating);

  it.each<[AnilistScoreFormat, number, number]>([
    ['POINT_100', 85, 85],
    ['POINT_10_DECIMAL', 8.5, 85],
    ['POINT_10', 8, 80],
    ['POINT_5', 4, 80],
    ['POINT_3', 2, 67],
  ])('reads %s score %s as %s, and 0 as unrated', (format, score, rating) => {
    expect(ratingsOf(scored(score, 0), format)).toEqual([rating, null]);
  });

  it('reports a score beyond the chosen format', () => {
    const [record] = read(scored(7), 'POINT_5').records;
    expect(record!.rating).toBeNull();
    expect(record!.problems).toEqual(['score 7 is not 0–5 (POINT_5): left out']);
  });

  it('guesses the format from the scores when none was chosen', () => {
    expect(ratingsOf(scored(4, 5, 3))).toEqual([80, 100, 60]);
    expect(ratingsOf(scored(85, 10))).toEqual([85, 10]);
  });

  it.each<[number[], AnilistScoreFormat]>([
    [[7.5, 8, 0], 'POINT_10_DECIMAL'],
    [[85, 10, 0], 'POINT_100'],
    [[1, 3, 2], 'POINT_3'],
    [[4, 5], 'POINT_5'],
    [[6, 9], 'POINT_10'],
  ])('guesses from scores %j the format %s', (scores, format) => {
    expect(guessAnilistScoreFormat([scored(...scores)])).toBe(format);
  });

  it('guesses past members that are not AniList lists or not JSON', () => {
    const others = [
      { name: 'broken.json', text: '{"data": ' },
      { name: 'notes.txt', text: 'hello' },
    ];
    expect(guessAnilistScoreFormat([...others, scored(70, 90)])).toBe('POINT_100');
  });
});
