import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { bangumiData } from '../../src/ingest/adapters/bangumi-data';
import { rawDataDir } from '../../src/paths';
import { readAll, tally } from '../support/ingest';

/**
 * The bangumi-data adapter, read over a small fixture in the dataset's own shape (real items, their
 * streaming sites cut to two, and made-up ones for quirks) and over the file shipped in seeds/data/raw.
 */

const fixture = path.join(__dirname, 'fixtures', 'bangumi-data.json.gz');

const anime = { mediaType: 'anime', mediaClass: 'video.series.anime', country: 'JP', creators: [] };

describe('bangumi-data adapter', () => {
  it('describes the source and its one file', () => {
    expect(bangumiData).toMatchObject({
      name: 'bangumi-data',
      label: 'bangumi-data',
      homepage: 'https://github.com/bangumi-data/bangumi-data',
      licence: 'CC BY 4.0',
      keyName: 'bangumi',
    });
    expect(bangumiData.defaultFiles('/raw')).toEqual([path.join('/raw', 'bangumi-data', 'data.json.gz')]);
  });

  it('yields an anime per item with a bangumi id, and reports the others', async () => {
    const { records, skips } = await readAll(bangumiData, [fixture]);
    expect(records).toEqual([
      {
        ...anime,
        key: '8386',
        // No English title: the Japanese one is the title, and no original title repeats it.
        title: '北斗の拳',
        originalTitle: null,
        otherTitles: ['北斗神拳'],
        // The date part of begin as written, 1984-10-04T10:30:00.000Z, as the seed takes it.
        releaseDate: '1984-10-04',
        // No broadcast: no episode count.
        attributes: {
          format: 'tv',
          language: 'ja',
          official_site: 'http://www.hokuto-no-ken.jp/',
          end_date: '1987-03-05',
          title_translations: { 'zh-Hans': '北斗神拳' },
        },
        // Only the catalogs' ids: the abema and unext ids are left out.
        externalIds: { mal: '967', anilist: '967', anidb: '386', tmdb: 'tv/56387' },
      },
      {
        ...anime,
        key: '53794',
        title: '悟空の大冒険',
        originalTitle: null,
        otherTitles: ['悟空的大冒险'],
        releaseDate: '1967-01-06',
        // Weekly from 1967-01-06T16:00Z to 1967-09-29T15:00Z: 38 weeks less an hour, rounded, and
        // both ends counted. It had 39 episodes.
        attributes: {
          format: 'tv',
          language: 'ja',
          end_date: '1967-09-29',
          title_translations: { 'zh-Hans': '悟空的大冒险' },
          episodes: 39,
          episodes_estimated: true,
        },
        externalIds: { mal: '2687', anilist: '2687', anidb: '1517', tmdb: 'tv/78071' },
      },
      {
        ...anime,
        key: '311',
        mediaClass: 'video.film.anime',
        title: 'Spirited Away',
        originalTitle: '千と千尋の神隠し',
        // Every translation but the title, the first one of each language kept as an attribute.
        otherTitles: ['千与千寻', '神隱少女', '千與千尋'],
        releaseDate: '2001-07-20',
        attributes: {
          format: 'movie',
          language: 'ja',
          end_date: '2001-07-20',
          title_translations: { en: 'Spirited Away', 'zh-Hans': '千与千寻', 'zh-Hant': '神隱少女' },
          episodes: 1,
        },
        externalIds: { mal: '199', anilist: '199', anidb: '112', tmdb: 'movie/129' },
      },
      {
        ...anime,
        key: '899',
        // The first of two English titles; the other is matched on.
        title: 'Detective Conan',
        originalTitle: '名探偵コナン',
        otherTitles: ['名侦探柯南', 'Case Closed', '名偵探柯南'],
        releaseDate: '1996-01-08',
        // Weekly, still running (no end): no end date, no episode count.
        attributes: {
          format: 'tv',
          language: 'ja',
          official_site: 'http://www.ytv.co.jp/conan/',
          title_translations: { en: 'Detective Conan', 'zh-Hans': '名侦探柯南', 'zh-Hant': '名偵探柯南' },
        },
        externalIds: { mal: '235', anilist: '235', anidb: '266', tmdb: 'tv/30983' },
      },
      {
        ...anime,
        key: '493',
        title: 'Hellsing Ultimate',
        originalTitle: 'HELLSING OVA',
        otherTitles: ['皇家国教骑士团 OVA', '厄夜怪客 OVA'],
        releaseDate: '2006-02-10',
        // An OVA: a series, with no episode count.
        attributes: {
          format: 'ova',
          language: 'ja',
          official_site: 'http://www.geneon-ent.co.jp/rondorobe/anime/hellsing/index.html',
          end_date: '2012-12-26',
          title_translations: { en: 'Hellsing Ultimate', 'zh-Hans': '皇家国教骑士团 OVA', 'zh-Hant': '厄夜怪客 OVA' },
        },
        externalIds: { mal: '777', anilist: '777', anidb: '3296', tmdb: 'tv/61752' },
      },
      {
        ...anime,
        key: '146861',
        // A Chinese work: its title is Chinese, its country CN, and its Japanese title a translation.
        title: '从前有座灵剑山',
        originalTitle: null,
        otherTitles: ['霊剣山 星屑たちの宴'],
        releaseDate: '2016-01-08',
        country: 'CN',
        attributes: {
          format: 'tv',
          language: 'zh-Hans',
          official_site: 'http://reikenzan.net/',
          end_date: '2016-03-25',
          title_translations: { ja: '霊剣山 星屑たちの宴' },
        },
        externalIds: { mal: '32094', anilist: '21497', anidb: '11784', tmdb: 'tv/65206' },
      },
      {
        ...anime,
        key: '328609',
        // English titles as given, capitals and all.
        title: 'BOCCHI THE ROCK!',
        originalTitle: 'ぼっち・ざ・ろっく！',
        otherTitles: ['孤独摇滚！', '孤獨搖滾！'],
        // 2022-10-08T15:00Z, midnight in Japan: on the 9th there, the 8th as written.
        releaseDate: '2022-10-08',
        // Weekly from 2022-10-08T15:00Z to 2022-12-24T15:30Z: 11 weeks, 12 episodes, as it had.
        attributes: {
          format: 'tv',
          language: 'ja',
          official_site: 'https://bocchi.rocks/',
          end_date: '2022-12-24',
          title_translations: { en: 'BOCCHI THE ROCK!', 'zh-Hans': '孤独摇滚！', 'zh-Hant': '孤獨搖滾！' },
          episodes: 12,
          episodes_estimated: true,
        },
        externalIds: { mal: '47917', anilist: '130003', anidb: '16063', tmdb: 'tv/119100' },
      },
      {
        ...anime,
        key: '75055',
        // An English work (lang en): no country, as in the seed.
        title: 'RWBY',
        originalTitle: null,
        otherTitles: ['红白黑黄', '四色战记 / RWBY 第一季'],
        releaseDate: '2013-07-18',
        country: null,
        attributes: {
          format: 'web',
          language: 'en',
          official_site: 'http://roosterteeth.com/home.php',
          end_date: '2013-11-07',
          title_translations: { 'zh-Hans': '红白黑黄' },
        },
        externalIds: { tmdb: 'tv/50137' },
      },
      {
        ...anime,
        key: '504455',
        title: 'ブラック・ジャック WEB',
        originalTitle: null,
        otherTitles: ['怪医黑杰克WEB版', '怪醫黑傑克 Flash Anime', '怪醫黑傑克 FLASH ANIME'],
        releaseDate: '2001-07-31',
        // Its comment is "end unknown", and its end is its begin: no end date.
        attributes: {
          format: 'web',
          language: 'ja',
          title_translations: { 'zh-Hans': '怪医黑杰克WEB版', 'zh-Hant': '怪醫黑傑克 Flash Anime' },
        },
        externalIds: { tmdb: 'tv/262682' },
      },
      {
        ...anime,
        // Made up: a numeric id, titles with stray and ideographic spaces, repeats and an empty one,
        // no begin, a blank official site, an empty mal id, a site without an id, two tmdb ids.
        key: '900003',
        title: 'Test Work',
        originalTitle: 'テスト 作品',
        otherTitles: ['测试作品', 'The Test Work'],
        releaseDate: null,
        // Weekly with an end but no begin: no episode count.
        attributes: {
          format: 'web',
          language: 'ja',
          end_date: '2020-03-22',
          title_translations: { en: 'Test Work', 'zh-Hans': '测试作品' },
        },
        externalIds: { anilist: '41001', tmdb: 'tv/900003/season/1' },
      },
    ]);
    expect(skips).toEqual([
      { reason: 'no bangumi id', details: { index: 3, title: 'けろけろけろっぴの大冒険 ふしぎな豆の木' } },
      { reason: 'not an item object', details: { index: 10 } },
      { reason: 'unknown type', details: { bangumi: '900001', title: 'スペシャル', type: 'special' } },
      { reason: 'no title', details: { bangumi: '900002' } },
    ]);
  });

  it('orders title_translations as jsonb keeps them: shorter language codes first', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bangumi-data-')), 'data.json.gz');
    const item = {
      title: 'テスト',
      titleTranslate: { 'zh-Hant': ['測試'], 'en-US': ['Test'], ko: ['테스트'], 'zh-Hans': ['测试'] },
      type: 'tv',
      lang: 'ja',
      begin: '2020-01-05T15:00:00.000Z',
      end: '',
      sites: [{ site: 'bangumi', id: '900010' }],
    };
    fs.writeFileSync(file, zlib.gzipSync(JSON.stringify({ siteMeta: {}, items: [item] })));
    const { records } = await readAll(bangumiData, [file]);
    expect(Object.keys(records[0]!.attributes.title_translations as object)).toEqual([
      'ko',
      'en-US',
      'zh-Hans',
      'zh-Hant',
    ]);
  });

  it('fails on a file that is not bangumi-data', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bangumi-data-')), 'data.json.gz');
    fs.writeFileSync(file, zlib.gzipSync('[{"title":"Not the shape"}]'));
    await expect(readAll(bangumiData, [file])).rejects.toThrow("not bangumi-data's {siteMeta, items}");
  });
});

describe('the shipped file', () => {
  it('bangumi-data: 8,757 anime of 8,821 items, 64 without a bangumi id', async () => {
    const { records, skips } = await readAll(bangumiData, bangumiData.defaultFiles(rawDataDir));
    // 8,821 items (the README: tv 5,494, movie 1,821, ova 961, web 545); the README's "bangumi
    // 8,757" counts the items with a bangumi id, so 64 are skipped and none for anything else.
    expect(records).toHaveLength(8_757);
    expect(tally(skips.map((skip) => skip.reason))).toEqual({ 'no bangumi id': 64 });
    // 11 bangumi ids are on two items each: 10 works listed twice, in Japanese and in Chinese (lang
    // zh-Hans: 霊剣山 星屑たちの宴 and 从前有座灵剑山), and Fate/strange Fake's first episode and its
    // series. Yielded as they are, for the pipeline, which keeps the first.
    expect(records.length - new Set(records.map((record) => record.key)).size).toBe(11);
    expect(tally(records.map((record) => `${record.mediaClass} ${String(record.attributes.format)}`))).toEqual({
      'video.series.anime tv': 5_452,
      'video.film.anime movie': 1_808,
      'video.series.anime ova': 956,
      'video.series.anime web': 541,
    });
    // 2,396 have an English title; 15 English works have no country, 30 Chinese ones are CN.
    expect(records.filter((record) => record.originalTitle !== null)).toHaveLength(2_396);
    expect(tally(records.map((record) => String(record.country)))).toEqual({ JP: 8_712, CN: 30, null: 15 });
    // Every film is one episode. 1,830 items are broadcast weekly: 1,691 of them series with an end,
    // estimated; 1 film; 108 series with no end; 30 without a bangumi id.
    expect(
      tally(
        records.flatMap((record) =>
          record.attributes.episodes === undefined
            ? []
            : [`${String(record.attributes.format)} ${record.attributes.episodes_estimated ? 'estimated' : 'given'}`],
        ),
      ),
    ).toEqual({ 'movie given': 1_808, 'tv estimated': 1_638, 'web estimated': 53 });
    expect(tally(records.flatMap((record) => Object.keys(record.externalIds)))).toEqual({
      mal: 8_317,
      anilist: 8_064,
      anidb: 8_098,
      tmdb: 8_262,
    });
  });
});
