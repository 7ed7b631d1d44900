import { readFileSync } from 'node:fs';
import path from 'node:path';
import { myanimelistFormat } from '../../../src/imports/formats/myanimelist';
import { ImportFileError, type ImportMember } from '../../../src/imports/records';

const fixture = (name: string): ImportMember => ({
  name,
  text: readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'),
});
const animeList = fixture('myanimelist-animelist.xml');
const mangaList = fixture('myanimelist-mangalist.xml');

/** A one-entry anime export around `fields`. */
const animeExport = (fields: string) => ({
  name: 'animelist.xml',
  text: `<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist>\n<myinfo><user_export_type>1</user_export_type></myinfo>\n<anime>${fields}</anime>\n</myanimelist>\n`,
});

const read = (...members: ImportMember[]) => myanimelistFormat.read(members, {});
const byMalId = (id: string) => read(animeList).records.find((record) => record.ids.mal === id)!;

describe('detecting a MyAnimeList export', () => {
  it('recognises the anime and the manga export by their content', () => {
    expect(myanimelistFormat.detect([animeList])).toBe('yes');
    expect(myanimelistFormat.detect([{ name: 'upload', text: mangaList.text }])).toBe('yes');
  });

  it('says no to other XML and to CSV', () => {
    expect(myanimelistFormat.detect([{ name: 'feed.xml', text: '<rss><channel><item/></channel></rss>' }])).toBe('no');
    expect(myanimelistFormat.detect([{ name: 'list.csv', text: 'Title,Year\nMonster,2004\n' }])).toBe('no');
  });
});

describe('reading a MyAnimeList anime export', () => {
  it('reads a CDATA title as written, with its ampersand and angle brackets', () => {
    expect(byMalId('1').title).toBe("Cowboy Bebop: Tengoku no Tobira & <Knockin' on Heaven's Door>");
  });

  it('keeps a title made of digits as text', () => {
    expect(byMalId('41457').title).toBe('86');
  });

  it('maps a completed entry: anime type, 1–10 score, episodes, dates, comments as text, times watched', () => {
    expect(byMalId('1')).toMatchObject({
      origin: { file: 'myanimelist-animelist.xml', line: 21 },
      mediaTypes: ['anime'],
      status: 'completed',
      rating: 90,
      progress: 1,
      startedOn: '2015-03-07',
      completedOn: '2015-03-07',
      notes: 'Seen twice.\nStill great & moving.',
      rewatchCount: 2,
      problems: [],
    });
  });

  it('reads score 0 as unrated, 0000-00-00 and day-less dates as unknown, and 0 times watched as none', () => {
    expect(byMalId('41457')).toMatchObject({
      status: 'in_progress',
      rating: null,
      progress: 5,
      startedOn: null,
      completedOn: null,
      notes: null,
      rewatchCount: null,
      problems: [],
    });
  });

  it('leaves out a date that is not of the calendar', () => {
    expect(byMalId('20')).toMatchObject({ status: 'paused', rating: 60, startedOn: null });
  });

  it('leaves out an unknown status and a score above 10, saying so', () => {
    const record = byMalId('5114');
    expect(record.status).toBeNull();
    expect(record.rating).toBeNull();
    expect(record.progress).toBe(20);
    expect(record.problems).toEqual([
      'status "Rewatch later" is not a MyAnimeList status: left out',
      'rating 11 is not 1–10: left out',
    ]);
  });

  it('reads numeric status codes', () => {
    expect(byMalId('9253').status).toBe('planning');
  });

  it('rejects an entry with neither id nor title, with its line and text', () => {
    const { records, rejected } = read(animeList);
    expect(records).toHaveLength(5);
    expect(rejected).toEqual([
      {
        origin: { file: 'myanimelist-animelist.xml', line: 108 },
        reason: 'no id and no title',
        raw: expect.stringContaining('<my_status>Dropped</my_status>') as string,
      },
    ]);
  });

  it('reports a missing status', () => {
    const { records } = read(animeExport('<series_animedb_id>30</series_animedb_id>'));
    expect(records[0]).toMatchObject({ ids: { mal: '30' }, title: null, status: null });
    expect(records[0]!.problems).toEqual(['no status given: left out']);
  });

  it('decodes the XML entities and character references outside CDATA', () => {
    const { records } = read(
      animeExport(
        '<series_animedb_id>7</series_animedb_id><series_title>Pok&#233;mon &amp; Friends &#x2605;</series_title><my_status>Completed</my_status>',
      ),
    );
    expect(records[0]!.title).toBe('Pokémon & Friends ★');
  });

  it('reads a comment whose bytes were not UTF-8, noting the replacement', () => {
    const { records } = read(
      animeExport(
        '<series_animedb_id>7</series_animedb_id><my_status>Completed</my_status><my_comments><![CDATA[caf\uFFFD ok]]></my_comments>',
      ),
    );
    expect(records[0]!.notes).toBe('caf\uFFFD ok');
    expect(records[0]!.problems).toEqual(['comments held bytes that are not UTF-8: replaced']);
  });
});

describe('reading a MyAnimeList manga export', () => {
  it('maps manga ids, chapters read, times read and reading statuses', () => {
    const { records, rejected } = read(mangaList);
    expect(rejected).toEqual([]);
    expect(records).toEqual([
      expect.objectContaining({
        origin: { file: 'myanimelist-mangalist.xml', line: 16 },
        mediaTypes: ['manga'],
        ids: { mal_manga: '2' },
        title: 'Berserk',
        status: 'in_progress',
        rating: 100,
        progress: 95,
        startedOn: null,
        notes: 'Golden Age arc first',
        rewatchCount: 1,
      }),
      expect.objectContaining({
        ids: { mal_manga: '1' },
        title: 'Monster',
        status: 'planning',
        rating: null,
        progress: 0,
        rewatchCount: null,
      }),
    ]);
  });

  it('reads the anime and the manga export uploaded together', () => {
    const { records } = read(animeList, mangaList, { name: 'notes.txt', text: 'not ours' });
    expect(records.filter((record) => record.mediaTypes[0] === 'manga')).toHaveLength(2);
    expect(records.filter((record) => record.mediaTypes[0] === 'anime')).toHaveLength(5);
  });
});

describe('refusing what is not a whole, plain MyAnimeList export', () => {
  it('refuses a file that declares a DTD, without expanding its entities', () => {
    const text = animeList.text.replace(
      '<myanimelist>',
      '<!DOCTYPE myanimelist [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<myanimelist>',
    );
    expect(() => read({ name: 'animelist.xml', text })).toThrow(ImportFileError);
    expect(() => read({ name: 'animelist.xml', text })).toThrow(/animelist\.xml declares a DTD or entities/);
  });

  it('refuses an entity declaration in any case', () => {
    const text = animeList.text.replace('<myanimelist>', '<!entity x SYSTEM "file:///etc/passwd">\n<myanimelist>');
    expect(() => read({ name: 'animelist.xml', text })).toThrow(/declares a DTD or entities/);
  });

  it('refuses a truncated export, naming the file', () => {
    const text = animeList.text.slice(0, animeList.text.indexOf('Fullmetal'));
    expect(() => read({ name: 'animelist_1.xml', text })).toThrow(
      /^animelist_1\.xml is not a complete MyAnimeList export \(line \d+: /,
    );
  });

  it('refuses an upload holding no MyAnimeList export', () => {
    expect(() => read({ name: 'list.csv', text: 'Title\nMonster\n' })).toThrow(ImportFileError);
  });

  it('reads an export with no entries as empty', () => {
    expect(
      read({ name: 'animelist.xml', text: '<myanimelist><myinfo><user_id>1</user_id></myinfo></myanimelist>' }),
    ).toEqual({ records: [], rejected: [] });
  });
});
