import path from 'node:path';
import type { Knex } from 'knex';
import request from 'supertest';
import { animeRelations } from '../../src/ingest/adapters/anime-relations';
import { runIngest } from '../../src/ingest/pipeline';
import type { IdsRecord } from '../../src/ingest/source';
import { createLogger } from '../../src/logger';
import { rawDataDir } from '../../src/paths';
import { createTestApp } from '../support/app';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { readIdsRecords, workRecord, worksSource } from '../support/ingest';
import { loadPage } from '../support/pages';

/**
 * anime-relations, an ids-only source of sequels: over a fixture in the file's own shape (its real
 * header and real rules: Shingeki no Kyojin's seasons, Aikatsu!'s, a Frieren mini-series, rules onto
 * the same anime and from an episode 0, and a line cut short), over the shipped file, and through
 * the pipeline into relationships, the watch order and franchises.
 */

const fixture = path.join(__dirname, 'fixtures', 'anime-relations.txt');
const logger = createLogger('silent');

/** Each sequel the records give, as "record key -> the sequel's ids". */
function sequels(records: IdsRecord[]): string[] {
  return records.flatMap((record) =>
    (record.relations ?? []).map(
      (relation) =>
        `${record.key} -${relation.kind}-> ${Object.entries(relation.externalIds)
          .map(([name, value]) => `${name}:${value}`)
          .join(' ')}`,
    ),
  );
}

const S1 = 'mal:16498 anilist:16498 kitsu:7442';
const S2 = 'mal:25777 anilist:20958 kitsu:8671';
const S3 = 'mal:35760 anilist:99147 kitsu:13569';
const S3P2 = 'mal:38524 anilist:104578 kitsu:41982';

describe('anime-relations adapter', () => {
  it('is an ids-only source of one text file', () => {
    expect(animeRelations).toMatchObject({ kind: 'ids', name: 'anime-relations', keyName: null });
    expect(animeRelations.defaultFiles('/raw')).toEqual([path.join('/raw', 'anime-relations', 'anime-relations.txt')]);
  });

  it('gives each anime its direct sequel, in the order of the episodes, never a later season', async () => {
    const { records } = await readIdsRecords(animeRelations, [fixture]);
    expect(sequels(records).sort()).toEqual(
      [
        // Aikatsu!'s episodes 51– are its second series', 102– its third's: 1 → 2 → 3.
        'anilist:15061 kitsu:7205 -sequel-> anilist:20181 kitsu:7972',
        'anilist:20181 kitsu:7972 -sequel-> anilist:20794 kitsu:9096',
        // Shingeki no Kyojin's 26– are Season 2's, 38– Season 3's, 50– Season 3 Part 2's, whatever
        // the order of the rules in the file; Season 3's own rules say the same, once.
        `${S1} -sequel-> ${S2}`,
        `${S2} -sequel-> ${S3}`,
        `${S3} -sequel-> ${S3P2}`,
        // An episode range open at its end ("19-?").
        'anilist:170068 -sequel-> anilist:189513',
        'anilist:189513 -sequel-> anilist:206425',
      ].sort(),
    );
  });

  it('names each anime by its comment, and leaves out rules onto the same anime and from an episode 0', async () => {
    const { records, skips } = await readIdsRecords(animeRelations, [fixture]);
    const byKey = new Map(records.map((record) => [record.key, record]));
    expect(byKey.get(S1)).toEqual({
      key: S1,
      externalIds: { mal: '16498', anilist: '16498', kitsu: '7442' },
      name: 'Shingeki no Kyojin',
      relations: [{ kind: 'sequel', externalIds: { mal: '25777', anilist: '20958', kitsu: '8671' } }],
    });
    // "~ Part 2" under "Shingeki no Kyojin Season 3": the source's name repeated.
    expect(byKey.get(S3P2)!.name).toBe('Shingeki no Kyojin Season 3 Part 2');
    expect(byKey.get('anilist:189513')!.name).toBe('Sousou no Frieren: ●● no Mahou Part 2');
    // Ao Oni onto itself (~|~|~), Kaguya-sama onto itself (~|~|?), Hero Note as episode 0 of My
    // Hero Academia's second season (a special before it): no anime, no relation.
    expect(records.map((record) => record.key).filter((key) => /33820|52198|33486|35262/.test(key))).toEqual([]);
    expect(skips).toEqual([
      { reason: 'not a rule', details: { line: 73, text: '- 16498|7442:1 -> 25777|8671|20958:1' } },
    ]);
  });
});

describe('the shipped file', () => {
  it('anime-relations: 814 anime and 471 direct sequels, every line read', async () => {
    const { records, skips } = await readIdsRecords(animeRelations, animeRelations.defaultFiles(rawDataDir));
    expect(skips).toEqual([]);
    expect(records).toHaveLength(814);
    const all = sequels(records);
    expect(all).toHaveLength(471);
    // Shingeki no Kyojin's five seasons and parts, one after the other.
    expect(all.filter((line) => line.startsWith(`${S1} `))).toEqual([`${S1} -sequel-> ${S2}`]);
    const chain = [S1];
    for (;;) {
      const next = all.find((line) => line.startsWith(`${chain.at(-1)} -sequel-> `));
      if (!next) break;
      chain.push(next.split(' -sequel-> ')[1]!);
    }
    expect(chain.map((key) => key.split(' ')[0])).toEqual([
      'mal:16498',
      'mal:25777',
      'mal:35760',
      'mal:38524',
      'mal:40028',
      'mal:48583',
    ]);
  });
});

describe('anime-relations through the pipeline', () => {
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

  /** The anime bangumi-data would have made, with the ids it gives: some by MAL id, some by AniList id only. */
  const anime = worksSource('test-anime', 'bangumi', [
    workRecord('aot1', { title: 'Attack on Titan', releaseDate: '2013-04-07', externalIds: { mal: '16498' } }),
    workRecord('aot2', { title: 'Attack on Titan Season 2', releaseDate: '2017-04-01', externalIds: { mal: '25777' } }),
    workRecord('aot3', { title: '進撃の巨人 Season3', releaseDate: '2018-07-23', externalIds: { mal: '35760' } }),
    workRecord('aot3b', {
      title: '進撃の巨人 Season3 Part.2',
      releaseDate: '2019-04-29',
      externalIds: { anilist: '104578' },
    }),
    workRecord('mha2', {
      title: '僕のヒーローアカデミア 第2期',
      releaseDate: '2017-04-01',
      externalIds: { mal: '33486' },
    }),
    workRecord('heronote', { title: 'ヒーローノート', releaseDate: '2017-03-25', externalIds: { mal: '35262' } }),
    // Aikatsu!'s second series is not in the catalog.
    workRecord('aikatsu1', { title: 'アイカツ！', releaseDate: '2012-10-08', externalIds: { anilist: '15061' } }),
    workRecord('aikatsu3', { title: 'アイカツ！ 3', releaseDate: '2014-10-02', externalIds: { anilist: '20794' } }),
    workRecord('frieren1', {
      title: '葬送のフリーレン ～●●の魔法～',
      releaseDate: '2024-03-22',
      externalIds: { anilist: '170068' },
    }),
    workRecord('frieren2', { title: '～●●の魔法～ 2', releaseDate: '2024-09-20', externalIds: { anilist: '189513' } }),
    workRecord('frieren3', { title: '～●●の魔法～ 3', releaseDate: '2025-03-21', externalIds: { anilist: '206425' } }),
  ]);

  beforeEach(async () => {
    await knex.raw('truncate media.media, ingest.import_jobs, ingest.sources cascade');
    await runIngest(knex, anime, ['memory'], logger);
  });

  /** Every relationship row, by the works' keys in the test source. */
  async function links(): Promise<string[]> {
    const { rows } = await knex.raw<{ rows: { link: string }[] }>(
      `select a.external_key || ' ' || r.kind || ' ' || b.external_key as link
         from media.relationships r
         join media.external_links a on a.media_id = r.source_id and a.source_name = 'bangumi'
         join media.external_links b on b.media_id = r.target_id and b.source_name = 'bangumi'
        order by 1`,
    );
    return rows.map((row) => row.link);
  }

  async function paths(): Promise<Record<string, string | null>> {
    const { rows } = await knex.raw<{ rows: { key: string; path: string | null }[] }>(
      `select l.external_key as key, m.collection_path::text as path
         from media.media m join media.external_links l on l.media_id = m.id and l.source_name = 'bangumi'`,
    );
    return Object.fromEntries(rows.map((row) => [row.key, row.path]));
  }

  const workOf = async (key: string) =>
    (
      await knex('media.external_links')
        .where({ source_name: 'bangumi', external_key: key })
        .first<{ media_id: string }>()
    ).media_id;

  it('writes each direct sequel with its prequel, between the works that exist, and no other link', async () => {
    const { summary } = await runIngest(knex, animeRelations, [fixture], logger);
    expect(await links()).toEqual(
      [
        'aot1 sequel aot2',
        'aot2 prequel aot1',
        'aot2 sequel aot3',
        'aot3 prequel aot2',
        'aot3 sequel aot3b',
        'aot3b prequel aot3',
        'frieren1 sequel frieren2',
        'frieren2 prequel frieren1',
        'frieren2 sequel frieren3',
        'frieren3 prequel frieren2',
      ].sort(),
    );
    // Aikatsu! 1 → 2 → 3 with 2 missing: no link, and never 1 → 3.
    expect(summary).toMatchObject({ relations: 10, relationsSkipped: 2, inserted: 0, conflicts: 0 });
    // The works gain the rules' other ids.
    expect(
      await knex('media.external_links')
        .where({ media_id: await workOf('aot1') })
        .orderBy('source_name')
        .select('source_name', 'external_key'),
    ).toEqual([
      { source_name: 'anilist', external_key: '16498' },
      { source_name: 'bangumi', external_key: 'aot1' },
      { source_name: 'kitsu', external_key: '7442' },
      { source_name: 'mal', external_key: '16498' },
    ]);
  });

  it('files each sequel chain under its franchise: the earliest work’s title, or its romaji name', async () => {
    const { summary } = await runIngest(knex, animeRelations, [fixture], logger);
    expect(await paths()).toEqual({
      aot1: 'attack_on_titan',
      aot2: 'attack_on_titan',
      aot3: 'attack_on_titan',
      aot3b: 'attack_on_titan',
      // No title in Latin letters: the name the relations file gives the earliest one.
      frieren1: 'sousou_no_frieren_no_mahou',
      frieren2: 'sousou_no_frieren_no_mahou',
      frieren3: 'sousou_no_frieren_no_mahou',
      // In no chain.
      mha2: null,
      heronote: null,
      aikatsu1: null,
      aikatsu3: null,
    });
    expect(summary.collections).toBe(7);
  });

  it('keeps a franchise a work of the chain already has, and files the rest of the chain under it', async () => {
    await knex('media.media')
      .where({ id: await workOf('aot3') })
      .update({ collection_path: knex.raw("'shingeki.anime'::ltree") });
    await runIngest(knex, animeRelations, [fixture], logger);
    expect(await paths()).toMatchObject({
      aot1: 'shingeki.anime',
      aot2: 'shingeki.anime',
      aot3: 'shingeki.anime',
      aot3b: 'shingeki.anime',
    });
  });

  it('adds nothing on a second run', async () => {
    await runIngest(knex, animeRelations, [fixture], logger);
    const before = { links: await links(), paths: await paths() };
    const { summary } = await runIngest(knex, animeRelations, [fixture], logger);
    expect(summary).toMatchObject({ relations: 0, relationsSkipped: 2, collections: 0, linked: 0, conflicts: 0 });
    expect({ links: await links(), paths: await paths() }).toEqual(before);
  });

  it('shows the chain as the watch order, and the franchise with every season, on the media pages', async () => {
    await runIngest(knex, animeRelations, [fixture], logger);
    const app = createTestApp(knex);
    const page = await loadPage(request(app), `/media/${await workOf('aot3')}`);
    expect(
      page('.watch-order li')
        .map((_, element) => page(element).find('a, strong').first().text())
        .get(),
    ).toEqual(['Attack on Titan', 'Attack on Titan Season 2', '進撃の巨人 Season3', '進撃の巨人 Season3 Part.2']);
    expect(page('a[href="/collections/attack_on_titan"]').length).toBe(1);
    const franchise = await loadPage(request(app), '/collections/attack_on_titan');
    expect(
      franchise('.collection-titles li a')
        .map((_, element) => franchise(element).text())
        .get(),
    ).toEqual(['Attack on Titan', 'Attack on Titan Season 2', '進撃の巨人 Season3', '進撃の巨人 Season3 Part.2']);
  });
});
