import type { Knex } from 'knex';
import { insertEntry } from '../../src/entries/queries';
import { createLogger } from '../../src/logger';
import { runIngest } from '../../src/ingest/pipeline';
import type { IngestRecord, SourceAdapter } from '../../src/ingest/source';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { createUser } from '../support/session';
import { worksSource } from '../support/ingest';

/**
 * The ingest pipeline against a real, empty catalog: one record per work across sources, the
 * merge rules (by key, by id, by title + year + type; near misses as conflicts), idempotent runs,
 * a newer dump, and works that leave a source. The sources are made here from records in memory;
 * test/ingest/adapters.test.ts reads the real formats.
 */

const logger = createLogger('silent');

function record(key: string, fields: Partial<IngestRecord> = {}): IngestRecord {
  return {
    key,
    mediaType: 'movie',
    mediaClass: 'video.film',
    title: `Title ${key}`,
    originalTitle: null,
    otherTitles: [],
    releaseDate: '2001',
    country: null,
    creators: [],
    attributes: {},
    externalIds: {},
    ...fields,
  };
}

/** The first source any precedence list names above the second. */
const FIRST = 'wikipedia-movie-data';
const SECOND = 'netflix-titles';
const first = (records: IngestRecord[]) => worksSource(FIRST, 'enwiki', records);
const second = (records: IngestRecord[]) => worksSource(SECOND, 'netflix_dataset_show_id', records);

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
  await knex.raw('truncate media.media, ingest.import_jobs, ingest.sources, users.users cascade');
});

const ingest = (adapter: SourceAdapter) => runIngest(knex, adapter, ['memory'], logger);

async function works() {
  return knex('media.media as m')
    .select(
      'm.id',
      'm.title',
      'm.media_type as type',
      knex.raw(`to_char(m.release_date, 'YYYY-MM-DD') as date`),
      'm.release_date_precision as precision',
      'm.attributes',
      'm.field_sources as sources',
      knex.raw(`(select json_object_agg(l.source_name, l.external_key) from media.external_links l
                  where l.media_id = m.id) as ids`),
    )
    .orderBy('m.title') as Promise<
    {
      id: string;
      title: string;
      type: string;
      date: string | null;
      precision: string;
      attributes: Record<string, unknown>;
      sources: Record<string, string>;
      ids: Record<string, string>;
    }[]
  >;
}

const conflicts = () =>
  knex('ingest.conflicts')
    // One statement records a chunk's conflicts: their ids need not follow the records' order.
    .orderBy(['external_key', 'reason', 'media_id'])
    .select<{ reason: string; media_id: string; external_key: string }[]>('reason', 'media_id', 'external_key');

describe('the ingest pipeline', () => {
  it('makes a work of each new record, with its ids, titles and who supplied each field', async () => {
    const { jobId, summary } = await ingest(
      first([
        record('Heat_(1995_film)', {
          title: 'Heat',
          releaseDate: '1995',
          creators: ['Michael Mann'],
          attributes: { genres: ['Crime'] },
          externalIds: { tmdb: 'movie/949' },
        }),
        record('Ronin_(film)', { title: 'Ronin', releaseDate: '1998-09-25' }),
      ]),
    );
    expect(summary).toMatchObject({ records: 2, inserted: 2, updated: 0, unchanged: 0, conflicts: 0 });
    const [heat, ronin] = await works();
    expect(heat).toMatchObject({
      title: 'Heat',
      date: '1995-01-01',
      precision: 'year',
      attributes: { genres: ['Crime'] },
      ids: { enwiki: 'Heat_(1995_film)', tmdb: 'movie/949' },
      sources: { title: FIRST, release_date: FIRST, creators: FIRST, 'attributes.genres': FIRST },
    });
    expect(ronin).toMatchObject({ date: '1998-09-25', precision: 'day' });
    const job = await knex('ingest.import_jobs').where({ id: jobId }).first<{ status: string; summary: object }>();
    expect(job).toMatchObject({ status: 'succeeded', summary: { inserted: 2 } });
    expect(await knex('ingest.sources').pluck('name')).toEqual([FIRST]);
    expect(await knex('ingest.import_logs').where({ job_id: jobId }).pluck('message')).toContain('finished');
    expect(await knex('media.title_keys').orderBy('title_key').pluck('title_key')).toEqual(['heat', 'ronin']);
  });

  it('changes nothing on a second run of the same file', async () => {
    // Near titles of one source are two works, never a conflict: a source describes a work once.
    const records = [
      record('a', { title: 'The Long Goodbye', releaseDate: '1973', attributes: { genres: ['Noir'] } }),
      record('b', { title: 'Long Goodbye', releaseDate: '1974' }),
    ];
    await ingest(first(records));
    const before = { works: await works(), conflicts: await conflicts() };
    expect(before.works).toHaveLength(2);
    expect(before.conflicts).toEqual([]);
    const { summary } = await ingest(first(records));
    expect(summary).toMatchObject({ records: 2, inserted: 0, updated: 0, unchanged: 2, conflicts: 0, removed: 0 });
    expect({ works: await works(), conflicts: await conflicts() }).toEqual(before);
  });

  it('takes in a newer dump: what changed, what is new, and what left', async () => {
    await ingest(
      first([
        record('kept', { title: 'Kept', attributes: { runtime_minutes: 100 } }),
        record('gone', { title: 'Gone' }),
      ]),
    );
    const { summary } = await ingest(
      first([record('kept', { title: 'Kept', attributes: { runtime_minutes: 104 } }), record('new', { title: 'New' })]),
    );
    expect(summary).toMatchObject({ inserted: 1, updated: 1, removed: 1 });
    expect((await works()).map((work) => [work.title, work.attributes])).toEqual([
      ['Kept', { runtime_minutes: 104 }],
      ['New', {}],
    ]);
  });

  it('keeps a work that left its source while somebody tracks it, and never touches their entry', async () => {
    await ingest(first([record('tracked', { title: 'Tracked' })]));
    const [work] = await works();
    const user = await createUser(knex);
    await insertEntry(knex, user.id, work!.id, 'completed');
    const entry = () => knex('interaction.user_media').where({ user_id: user.id }).first<object>();
    const before = await entry();
    const { summary } = await ingest(first([]));
    expect(summary).toMatchObject({ removed: 0, keptTracked: 1 });
    expect((await works()).map((kept) => kept.title)).toEqual(['Tracked']);
    expect(await entry()).toEqual(before);
  });

  it('merges a work two sources describe, by title, year and type, each field by its precedence', async () => {
    await ingest(
      first([record('Heat_(1995_film)', { title: 'Heat', releaseDate: '1995', creators: ['Michael Mann'] })]),
    );
    const { summary } = await ingest(
      second([
        record('s42', {
          title: 'HEAT!',
          releaseDate: '1995',
          creators: ['M. Mann'],
          attributes: { runtime_minutes: 170, synopsis: 'A heist.' },
        }),
      ]),
    );
    expect(summary).toMatchObject({ inserted: 0, updated: 1, conflicts: 0 });
    const [heat, ...others] = await works();
    expect(others).toEqual([]);
    // Creators by the default order (Wikipedia's first); titles by their own (Netflix's first).
    expect(heat).toMatchObject({
      title: 'HEAT!',
      ids: { enwiki: 'Heat_(1995_film)', netflix_dataset_show_id: 's42' },
      attributes: { runtime_minutes: 170, synopsis: 'A heist.' },
      sources: { title: SECOND, creators: FIRST, 'attributes.runtime_minutes': SECOND },
    });
    expect(await knex('media.media').pluck('creators')).toEqual([['Michael Mann']]);
    // The second source's title is a title the work is known by.
    expect(await knex('media.title_keys').where({ media_id: heat!.id }).pluck('title_key')).toEqual(['heat']);
  });

  it('lets the source ranked first overwrite a field the other supplied, and not the other way', async () => {
    await ingest(second([record('s1', { title: 'Drive', releaseDate: '2011', creators: ['N. W. Refn'] })]));
    await ingest(
      first([record('Drive_(2011_film)', { title: 'Drive', releaseDate: '2011', creators: ['Nicolas Winding Refn'] })]),
    );
    await ingest(second([record('s1', { title: 'Drive', releaseDate: '2011', creators: ['N. W. Refn'] })]));
    const [drive] = await works();
    expect(drive).toMatchObject({ sources: { creators: FIRST } });
    expect(await knex('media.media').pluck('creators')).toEqual([['Nicolas Winding Refn']]);
  });

  it('matches a work written outside the pipeline (the seed, an administrator) by its title', async () => {
    const [seeded] = await knex('media.media')
      .insert({ media_type: 'movie', media_class: 'video.film', title: 'Paris, Texas', release_date: '1984-01-01' })
      .returning<{ id: string }[]>('id');
    const { summary } = await ingest(first([record('Paris,_Texas', { title: 'Paris Texas', releaseDate: '1984' })]));
    expect(summary).toMatchObject({ inserted: 0, updated: 1 });
    expect((await works()).map((work) => [work.id, work.ids])).toEqual([[seeded!.id, { enwiki: 'Paris,_Texas' }]]);
  });

  it('matches a work on any of its titles, and by an id both sources carry', async () => {
    await ingest(
      first([
        record('Shingeki', {
          mediaType: 'anime',
          mediaClass: 'video.series.anime',
          title: '進撃の巨人',
          releaseDate: '2013',
        }),
        record('Bebop', {
          mediaType: 'anime',
          mediaClass: 'video.series.anime',
          title: 'カウボーイビバップ',
          releaseDate: '1998',
          externalIds: { mal: '1' },
        }),
      ]),
    );
    await ingest(
      second([
        record('s7', {
          mediaType: 'anime',
          mediaClass: 'video.series.anime',
          title: 'Attack on Titan',
          otherTitles: ['進撃の巨人'],
          releaseDate: '2013',
        }),
        record('s8', {
          mediaType: 'anime',
          mediaClass: 'video.series.anime',
          title: 'Cowboy Bebop',
          releaseDate: '1999',
          externalIds: { mal: '1' },
        }),
      ]),
    );
    const all = await works();
    // Netflix's titles rank first (FIELD_PRECEDENCE), so the works now go by them.
    expect(all.map((work) => [work.title, work.ids])).toEqual([
      ['Attack on Titan', { enwiki: 'Shingeki', netflix_dataset_show_id: 's7' }],
      ['Cowboy Bebop', { enwiki: 'Bebop', mal: '1', netflix_dataset_show_id: 's8' }],
    ]);
    expect(await conflicts()).toEqual([]);
  });

  it('keeps a year off by one and a type mismatch apart, as conflicts, once', async () => {
    await ingest(
      first([
        record('Solaris', { title: 'Solaris', releaseDate: '1972' }),
        record('Dune', { title: 'Dune', releaseDate: '2021' }),
      ]),
    );
    const records = [
      record('s1', { title: 'Solaris', releaseDate: '1971' }),
      record('s2', { title: 'Dune', releaseDate: '2021', mediaType: 'tv', mediaClass: 'video.series' }),
    ];
    const { summary } = await ingest(second(records));
    expect(summary).toMatchObject({ inserted: 2, conflicts: 2 });
    const byKey = new Map((await works()).map((work) => [Object.values(work.ids).join(), work.id]));
    expect(await conflicts()).toEqual([
      { reason: 'year_off_by_one', media_id: byKey.get('Solaris'), external_key: 's1' },
      { reason: 'type_mismatch', media_id: byKey.get('Dune'), external_key: 's2' },
    ]);
    expect((await ingest(second(records))).summary).toMatchObject({ inserted: 0, conflicts: 0 });
    expect(await conflicts()).toHaveLength(2);
  });

  it('records an ambiguous title as a conflict with each work it could be', async () => {
    await ingest(
      first([
        record('Hamlet_A', { title: 'Hamlet', releaseDate: '1990' }),
        record('Hamlet_B', { title: 'Hamlet', releaseDate: '1990' }),
      ]),
    );
    expect((await works()).length).toBe(2);
    await ingest(second([record('s9', { title: 'Hamlet', releaseDate: '1990' })]));
    expect((await works()).length).toBe(3);
    expect((await conflicts()).map((conflict) => conflict.reason)).toEqual(['ambiguous_title', 'ambiguous_title']);
  });

  it('keeps one id given to two works of a source with the first, as a conflict, in one run or two', async () => {
    const season = (key: string, year: string) =>
      record(key, {
        mediaType: 'anime',
        mediaClass: 'video.series.anime',
        title: `Show ${key}`,
        releaseDate: year,
        externalIds: { mal: '77' },
      });
    await ingest(first([season('S1', '2019'), season('S2', '2020')]));
    const [one, two] = await works();
    expect(one!.ids).toEqual({ enwiki: 'S1', mal: '77' });
    expect(two!.ids).toEqual({ enwiki: 'S2' });
    expect(await conflicts()).toEqual([{ reason: 'id_on_two_works', media_id: one!.id, external_key: 'S2' }]);
    await ingest(first([season('S1', '2019'), season('S2', '2020')]));
    expect(await conflicts()).toHaveLength(1);
  });

  it('takes a work off a source that stops describing it, and keeps it for the source that still does', async () => {
    await ingest(first([record('Alien', { title: 'Alien', releaseDate: '1979' })]));
    await ingest(second([record('s3', { title: 'Alien', releaseDate: '1979' })]));
    const { summary } = await ingest(first([]));
    expect(summary).toMatchObject({ removed: 0, unlinked: 1 });
    expect((await works()).map((work) => work.ids)).toEqual([{ netflix_dataset_show_id: 's3' }]);
  });

  it('writes the relations records give, once every record is in, to works later in the file too', async () => {
    // As an online provider would give them: each record names its sequel by an id.
    const anime = (key: string, mal: string, sequel?: string) =>
      record(key, {
        mediaType: 'anime',
        mediaClass: 'video.series.anime',
        title: `Season ${key}`,
        externalIds: { mal },
        ...(sequel ? { relations: [{ kind: 'sequel', externalIds: { mal: sequel } }] } : {}),
      });
    const records = [anime('1', '101', '102'), anime('2', '102', '103'), anime('3', '103', '999')];
    const { summary } = await ingest(first(records));
    expect(summary).toMatchObject({ inserted: 3, relations: 4, relationsSkipped: 1 });
    const { rows } = await knex.raw<{ rows: { link: string }[] }>(
      `select a.title || ' ' || r.kind || ' ' || b.title as link
         from media.relationships r join media.media a on a.id = r.source_id join media.media b on b.id = r.target_id
        order by 1`,
    );
    expect(rows.map((row) => row.link)).toEqual([
      'Season 1 sequel Season 2',
      'Season 2 prequel Season 1',
      'Season 2 sequel Season 3',
      'Season 3 prequel Season 2',
    ]);
    // A sequel chain of anime is a franchise, named after its first season.
    const { rows: paths } = await knex.raw<{ rows: { path: string }[] }>(
      'select distinct collection_path::text as path from media.media',
    );
    expect(paths).toEqual([{ path: 'season_1' }]);
    expect((await ingest(first(records))).summary).toMatchObject({ relations: 0, collections: 0 });
  });

  it('marks a failed run failed, with the error, and writes no half of a chunk', async () => {
    const broken = first([record('ok', { title: 'Fine' }), record('bad', { title: 'Bad', mediaType: 'no_such_type' })]);
    await expect(ingest(broken)).rejects.toThrow();
    const job = await knex('ingest.import_jobs').first<{ status: string; error: string }>();
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/media_type|foreign key/);
    expect(await works()).toEqual([]);
  });
});
