import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { languageTag, plainText, podcastIndex, webAddress } from '../../src/ingest/adapters/podcast-index';
import { runIngest } from '../../src/ingest/pipeline';
import { createLogger } from '../../src/logger';
import { rawDataDir } from '../../src/paths';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { readAll, tally } from '../support/ingest';

/**
 * The Podcast Index adapter, over a small fixture in the dump's own shape (every field quoted, NULL
 * for a missing value): 17 real rows of the shipped sample chosen for their quirks, and made-up ones
 * for what the sample lacks (a dead feed, a duplicate, an image only as artwork, a row cut short);
 * then over the shipped sample, and through the pipeline.
 */

const fixture = path.join(__dirname, 'fixtures', 'podcastindex.csv.gz');

const podcast = {
  mediaType: 'podcast',
  mediaClass: 'audio.podcast',
  originalTitle: null,
  otherTitles: [],
  releaseDate: null,
  country: null,
};

describe('Podcast Index adapter', () => {
  it('describes the source and its one file', () => {
    expect(podcastIndex).toMatchObject({
      name: 'podcastindex',
      label: 'Podcast Index',
      licence: 'MIT',
      keyName: 'podcastindex',
    });
    expect(podcastIndex.defaultFiles('/raw')).toEqual([
      path.join('/raw', 'podcastindex-sample', 'newsfeeds_1000rows.csv.gz'),
    ]);
  });

  it('yields a podcast per feed, with its feed, site, image, language, author and iTunes id', async () => {
    const { records } = await readAll(podcastIndex, [fixture]);
    expect(records.map((record) => record.key)).toEqual([
      '1',
      '13',
      '23',
      '62',
      '73',
      '101',
      '173',
      '238',
      '268',
      '285',
      '290',
      '344',
      '585',
      '622',
      '812',
      '919',
      '900003',
    ]);
    expect(records[0]).toEqual({
      ...podcast,
      key: '1',
      title: 'Christianity Questions and Answers',
      creators: ['Dr. Mark Alan Williams'],
      attributes: {
        feed_url: 'https://markalanwilliams.libsyn.com/rss',
        official_site: 'http://markalanwilliams.libsyn.com/webpage',
        image_url: 'https://ssl-static.libsyn.com/p/assets/e/7/5/d/e75de19145e2153b/thumb.jpg',
        explicit: false,
        description:
          'Dr. Mark Alan Williams and friends answer questions about the Christian faith: questions about the God, Jesus, the Bible, eternity, belief, religion the reasonableness of faith and others.',
      },
      externalIds: { itunes: '1000000618' },
    });
    const byKey = new Map(records.map((record) => [record.key, record]));
    // itunes_id NULL: no iTunes id; explicit "1".
    expect(byKey.get('13')).toMatchObject({ externalIds: {}, attributes: { explicit: true } });
    // No author: the owner's name. Owner NULL and no author: no creator.
    expect(byKey.get('268')!.creators).toEqual(['Nathan Grigg']);
    expect(byKey.get('290')!.creators).toEqual(['In Particular']);
    expect(byKey.get('900003')!.creators).toEqual([]);
    // Two feeds of one title are two podcasts, each with its own iTunes id.
    expect([byKey.get('238'), byKey.get('285')].map((record) => [record!.title, record!.externalIds])).toEqual([
      ['Tomhais', { itunes: '1000882050' }],
      ['Tomhais', { itunes: '1001099494' }],
    ]);
    // Whitespace runs in a title are one space.
    expect(byKey.get('62')!.title).toBe('Gamecast- Всё о играх,IT и Других забавах!');
  });

  it('turns descriptions to plain text, tags out and entities decoded', async () => {
    const { records } = await readAll(podcastIndex, [fixture]);
    const description = (key: string) => records.find((record) => record.key === key)!.attributes.description;
    expect(description('23')).toBe(
      'Core Church weekly podcast recorded live Sunday mornings at Core Church in Tampa, FL.',
    );
    expect(description('101')).toBe(
      'The latest & best Drum & Bass every 1st of the month selected and mixed by cyantific.',
    );
    expect(description('290')).toBe(
      "A podcast about physics and the process of discovering physics on the ATLAS experiment at CERN's Large Hadron Collider.",
    );
    expect(description('585')).toMatch(
      /^Kommunikation .* Lyssna till duktiga gäster .* områden\. Podden passar för dig som är /,
    );
    expect(description('173')).toMatch(/^LAUSCH! \. \. DJ \. Musician \. : \. Techno \. \. 🎥 FULL VIDEO: ♫ Lausch!/);
    expect(description('73')).toMatch(/educator & Dad - BENNY! BENNY is passionate/);
    expect(records.map((record) => String(record.attributes.description)).join()).not.toMatch(/<|&[a-z#0-9]+;/i);
  });

  it('writes languages as BCP 47 tags, whatever their case or spelling, and leaves out what is none', async () => {
    const { records } = await readAll(podcastIndex, [fixture]);
    const languages = Object.fromEntries(records.map((record) => [record.key, record.attributes.language]));
    expect(languages).toMatchObject({
      '23': 'en', // en
      '62': 'ru-RU', // ru-ru
      '101': 'en-US', // en-US
      '344': 'en-GB', // en-UK: UK is no region code
      '585': 'sv-SE', // sv-se
      '812': 'ur', // urdu
      '919': 'en', // English
      '900003': 'pt-BR', // pt_BR
    });
    expect(languages['1']).toBeUndefined(); // empty
    expect(languageTag('Klingonese')).toBeNull();
    expect(languageTag('en-us-x-twain')).toBeNull();
  });

  it('keeps web addresses only when absolute, giving a site link without its scheme https', async () => {
    const { records } = await readAll(podcastIndex, [fixture]);
    const byKey = new Map(records.map((record) => [record.key, record.attributes]));
    expect(byKey.get('622')!.official_site).toBe('https://www.rustyquill.com');
    expect(byKey.get('919')!.official_site).toBe('https://xmission.com/podcast');
    // The image and the artwork are a bare file name: no image.
    expect(byKey.get('73')!.image_url).toBeUndefined();
    // No image: the 600 px artwork.
    expect(byKey.get('900003')!.image_url).toBe('https://example.org/art600.jpg');
    expect(webAddress('javascript:alert(1)', true)).toBeNull();
    expect(webAddress('www.example.org')).toBeNull();
    expect(plainText('<p>A&nbsp;&amp;&#x42;&eacute;</p>')).toBe('A &Bé');
  });

  it('skips a feed with no title, a dead feed, a duplicate feed and a row cut short, saying why', async () => {
    const { skips } = await readAll(podcastIndex, [fixture]);
    expect(skips).toEqual([
      { reason: 'no title', details: { id: '57', url: 'http://brb-dinner.squarespace.com/episodes?format=rss' } },
      { reason: 'dead feed', details: { id: '900001', title: 'A Feed Podcast Index Marks Dead' } },
      {
        reason: 'duplicate of another feed',
        details: { id: '900002', title: 'A Copy of Another Feed', duplicateOf: '1' },
      },
      { reason: 'wrong number of fields', details: { line: 78, id: '900004' } },
    ]);
  });

  it('reads the episode count of a dump that has one', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'podcastindex-')), 'feeds.csv.gz');
    const csv = [
      '"id","title","url","link","description","itunes_id","itunes_author","itunes_owner_name","image","artwork_url_600","language","explicit","dead","duplicateof","episodeCount"',
      '"7","Counted","https://example.org/feed","","","NULL","","","","","","0","0","0","42"',
      '"8","Not Counted","https://example.org/feed2","","","NULL","","","","","","0","0","NULL","0"',
    ].join('\n');
    fs.writeFileSync(file, zlib.gzipSync(csv));
    const { records } = await readAll(podcastIndex, [file]);
    expect(records.map((record) => [record.title, record.attributes.episodes])).toEqual([
      ['Counted', 42],
      ['Not Counted', undefined],
    ]);
  });

  it('fails on a file without the columns it reads', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'podcastindex-')), 'feeds.csv.gz');
    fs.writeFileSync(file, zlib.gzipSync('"id","title"\n"1","A"\n'));
    await expect(readAll(podcastIndex, [file])).rejects.toThrow(/no column url, link, .* in the CSV header/);
  });
});

describe('the shipped sample', () => {
  it('podcastindex: 988 podcasts of 1,000 feeds, the 12 without a title skipped', async () => {
    const { records, skips } = await readAll(podcastIndex, podcastIndex.defaultFiles(rawDataDir));
    expect(records).toHaveLength(988);
    expect(tally(skips.map((skip) => skip.reason))).toEqual({ 'no title': 12 });
    // 909 rows have an iTunes id; one of them is an untitled feed.
    expect(records.filter((record) => record.externalIds.itunes)).toHaveLength(908);
    expect(records.filter((record) => record.attributes.language)).toHaveLength(303);
    expect(records.filter((record) => record.creators.length === 0)).toHaveLength(25);
  });
});

describe('Podcast Index through the pipeline', () => {
  let db: TestDatabase;
  let knex: Knex;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    knex = db.knex;
    await knex.migrate.latest();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('makes a podcast of each feed, with its Podcast Index and iTunes ids, and a second run changes nothing', async () => {
    const logger = createLogger('silent');
    const { summary } = await runIngest(knex, podcastIndex, [fixture], logger);
    expect(summary).toMatchObject({ records: 17, inserted: 17, skipped: 4, conflicts: 0 });
    const works = await knex('media.media as m')
      .join('media.external_links as l', 'l.media_id', 'm.id')
      .where('l.source_name', 'podcastindex')
      .select<{ title: string; type: string; itunes: string | null }[]>(
        'm.title',
        'm.media_type as type',
        knex.raw(`(select i.external_key from media.external_links i
                    where i.media_id = m.id and i.source_name = 'itunes') as itunes`),
      )
      .orderBy('l.external_key');
    expect(works).toHaveLength(17);
    expect(new Set(works.map((work) => work.type))).toEqual(new Set(['podcast']));
    expect(works.filter((work) => work.title === 'Tomhais').map((work) => work.itunes)).toEqual([
      '1000882050',
      '1001099494',
    ]);
    const again = await runIngest(knex, podcastIndex, [fixture], logger);
    expect(again.summary).toMatchObject({ records: 17, inserted: 0, updated: 0, unchanged: 17, conflicts: 0 });
  });
});
