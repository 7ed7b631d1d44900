import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { kawaiioverflowArm } from '../../src/ingest/adapters/kawaiioverflow-arm';
import { runIngest } from '../../src/ingest/pipeline';
import { createLogger } from '../../src/logger';
import { rawDataDir } from '../../src/paths';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { readIdsRecords, tally, workRecord, worksSource } from '../support/ingest';

/**
 * The arm id map, an ids-only source: over a fixture in its own shape (real entries: Fullmetal
 * Alchemist: Brotherhood, Steins;Gate, two Kara no Kyoukai films sharing a Syoboi Calendar id, a
 * MAL id given twice; made-up ones for the quirks), over the shipped file, and through the
 * pipeline, where it only adds ids to the works another source made.
 */

const fixture = path.join(__dirname, 'fixtures', 'kawaiioverflow-arm.json.gz');
const logger = createLogger('silent');

describe('arm adapter', () => {
  it('is an ids-only source with no key of its own', () => {
    expect(kawaiioverflowArm).toMatchObject({ kind: 'ids', name: 'kawaiioverflow-arm', licence: 'MIT', keyName: null });
    expect(kawaiioverflowArm.defaultFiles('/raw')).toEqual([path.join('/raw', 'kawaiioverflow-arm', 'arm.json.gz')]);
  });

  it('yields each entry’s ids, MAL first, named by them, and skips what is not an entry', async () => {
    const { records, skips } = await readIdsRecords(kawaiioverflowArm, [fixture]);
    expect(records[0]).toEqual({
      key: 'mal:5114 anilist:5114 annict:1745 syobocal:1575',
      externalIds: { mal: '5114', anilist: '5114', annict: '1745', syobocal: '1575' },
    });
    expect(Object.keys(records[0]!.externalIds)).toEqual(['mal', 'anilist', 'annict', 'syobocal']);
    expect(records.map((record) => record.key)).toEqual([
      'mal:5114 anilist:5114 annict:1745 syobocal:1575',
      'mal:9253 anilist:9253 annict:865 syobocal:2142',
      'mal:52991 anilist:154587 annict:10079 syobocal:6776',
      'mal:61469 anilist:190327 annict:15878',
      'mal:2593 anilist:2593 annict:6120 syobocal:1536',
      'mal:3782 anilist:3782 annict:6121 syobocal:1536',
      'mal:57422 anilist:153483',
      'mal:57422',
      'mal:90001 anilist:90002 annict:90003',
      'annict:16698',
      // The first entry again: the pipeline keeps the first.
      'mal:5114 anilist:5114 annict:1745 syobocal:1575',
    ]);
    expect(skips).toEqual([
      { reason: 'not an entry object', details: { index: 10 } },
      { reason: 'not an id', details: { index: 11, field: 'mal_id', value: 'abc' } },
      { reason: 'not an id', details: { index: 12, field: 'mal_id', value: -3 } },
      { reason: 'no id', details: { index: 13 } },
    ]);
  });

  it('fails on a file that is not an array of entries', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arm-')), 'arm.json.gz');
    fs.writeFileSync(file, zlib.gzipSync('{"mal_id": 1}'));
    await expect(readIdsRecords(kawaiioverflowArm, [file])).rejects.toThrow("not arm's JSON array of id entries");
  });
});

describe('the shipped file', () => {
  it('kawaiioverflow-arm: 36,069 entries, every one read', async () => {
    const { records, skips } = await readIdsRecords(kawaiioverflowArm, kawaiioverflowArm.defaultFiles(rawDataDir));
    expect(records).toHaveLength(36_069);
    expect(skips).toEqual([]);
    // The README's counts of each id.
    expect(tally(records.flatMap((record) => Object.keys(record.externalIds)))).toEqual({
      mal: 29_930,
      anilist: 22_187,
      annict: 16_698,
      syobocal: 6_674,
    });
  });
});

describe('arm through the pipeline', () => {
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

  beforeEach(async () => {
    await knex.raw('truncate media.media, ingest.import_jobs, ingest.sources cascade');
    // The anime another source made, with the MAL or AniList id it gave each.
    const anime = worksSource('test-anime', 'bangumi', [
      workRecord('fmab', { title: 'Fullmetal Alchemist: Brotherhood', externalIds: { mal: '5114', anilist: '5114' } }),
      workRecord('steins', { title: 'Steins;Gate', externalIds: { mal: '9253' } }),
      workRecord('anilist-only', { title: 'Known by AniList', externalIds: { anilist: '154587' } }),
      workRecord('kara1', { title: 'Kara no Kyoukai 1', externalIds: { mal: '2593' } }),
      workRecord('kara2', { title: 'Kara no Kyoukai 2', externalIds: { mal: '3782' } }),
      workRecord('by-mal', { title: 'By MAL', externalIds: { mal: '90001' } }),
      workRecord('by-anilist', { title: 'By AniList', externalIds: { anilist: '90002' } }),
      workRecord('split', { title: 'Split', externalIds: { mal: '57422' } }),
    ]);
    await runIngest(knex, anime, ['memory'], logger);
  });

  /** Each work's ids, by its key in the test source. */
  async function idsByWork(): Promise<Record<string, Record<string, string>>> {
    const { rows } = await knex.raw<{ rows: { key: string; ids: Record<string, string> }[] }>(
      `select k.external_key as key, json_object_agg(l.source_name, l.external_key order by l.source_name) as ids
         from media.external_links k
         join media.external_links l on l.media_id = k.media_id and l.source_name <> 'bangumi'
        where k.source_name = 'bangumi'
        group by k.external_key`,
    );
    return Object.fromEntries(rows.map((row) => [row.key, row.ids]));
  }

  const workOf = async (key: string) =>
    (
      await knex('media.external_links')
        .where({ source_name: 'bangumi', external_key: key })
        .first<{ media_id: string }>()
    ).media_id;

  it('gives each work the other ids of the entry whose MAL or AniList id names it, and makes no work', async () => {
    const { summary } = await runIngest(knex, kawaiioverflowArm, [fixture], logger);
    expect(await idsByWork()).toEqual({
      fmab: { anilist: '5114', annict: '1745', mal: '5114', syobocal: '1575' },
      steins: { anilist: '9253', annict: '865', mal: '9253', syobocal: '2142' },
      // Found by its AniList id: it gains the MAL id too.
      'anilist-only': { anilist: '154587', annict: '10079', mal: '52991', syobocal: '6776' },
      kara1: { anilist: '2593', annict: '6120', mal: '2593', syobocal: '1536' },
      // The Syoboi id names the first film already: it stays there.
      kara2: { anilist: '3782', annict: '6121', mal: '3782' },
      // The MAL id names the entry's work; its AniList id names another, and stays there.
      'by-mal': { annict: '90003', mal: '90001' },
      'by-anilist': { anilist: '90002' },
      split: { anilist: '153483', mal: '57422' },
    });
    expect(await knex('media.media').pluck('id')).toHaveLength(8);
    expect(
      await knex('media.external_links')
        .whereIn('external_key', ['61469', '190327', '15878', '16698'])
        .pluck('external_key'),
    ).toEqual([]);
    expect(summary).toMatchObject({
      records: 11,
      repeated: 1,
      skipped: 4,
      inserted: 0,
      updated: 0,
      linked: 15,
      unmatched: 2,
      conflicts: 2,
    });
  });

  it('records an id that names another work as a conflict, with both works', async () => {
    const { jobId } = await runIngest(knex, kawaiioverflowArm, [fixture], logger);
    const conflicts = await knex('ingest.conflicts').orderBy('external_key').select<
      {
        job_id: string;
        source_name: string;
        external_key: string;
        reason: string;
        media_id: string;
        payload: object;
      }[]
    >('job_id', 'source_name', 'external_key', 'reason', 'media_id', 'payload');
    expect(conflicts).toEqual([
      {
        job_id: jobId,
        source_name: 'kawaiioverflow-arm',
        external_key: 'mal:3782 anilist:3782 annict:6121 syobocal:1536',
        reason: 'id_on_two_works',
        media_id: await workOf('kara1'),
        payload: { externalId: 'syobocal:1536', work: await workOf('kara2') },
      },
      {
        job_id: jobId,
        source_name: 'kawaiioverflow-arm',
        external_key: 'mal:90001 anilist:90002 annict:90003',
        reason: 'id_on_two_works',
        media_id: await workOf('by-anilist'),
        payload: { externalId: 'anilist:90002', work: await workOf('by-mal') },
      },
    ]);
  });

  it('changes nothing on a second run, and the job row counts what each run linked', async () => {
    await runIngest(knex, kawaiioverflowArm, [fixture], logger);
    const before = { ids: await idsByWork(), conflicts: await knex('ingest.conflicts').count('* as count') };
    const { jobId, summary } = await runIngest(knex, kawaiioverflowArm, [fixture], logger);
    expect(summary).toMatchObject({ records: 11, linked: 0, unmatched: 2, conflicts: 0, inserted: 0 });
    expect({ ids: await idsByWork(), conflicts: await knex('ingest.conflicts').count('* as count') }).toEqual(before);
    const jobs = await knex('ingest.import_jobs')
      .where({ source_name: 'kawaiioverflow-arm' })
      .orderBy('created_at')
      .select<{ id: string; status: string; summary: { linked: number } }[]>('id', 'status', 'summary');
    expect(jobs.map((job) => [job.status, job.summary.linked])).toEqual([
      ['succeeded', 15],
      ['succeeded', 0],
    ]);
    expect(jobs[1]!.id).toBe(jobId);
  });

  it('leaves the ids it linked when a newer dump drops them, and never deletes a work', async () => {
    await runIngest(knex, kawaiioverflowArm, [fixture], logger);
    const before = await idsByWork();
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arm-')), 'arm.json.gz');
    fs.writeFileSync(empty, zlib.gzipSync('[]'));
    const { summary } = await runIngest(knex, kawaiioverflowArm, [empty], logger);
    expect(summary).toMatchObject({ records: 0, removed: 0, unlinked: 0 });
    expect(await idsByWork()).toEqual(before);
  });
});
