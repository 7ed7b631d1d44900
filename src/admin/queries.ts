import type { Knex } from 'knex';

/**
 * The catalog administration's reads, and its "keep apart" judgements: the ingest sources with
 * their last run, a run's log, the open conflicts and the likely duplicates (each a pair of works),
 * and the two works of a pair side by side. The retirement of a duplicate is merge-queries.ts.
 *
 * A conflict (ingest.conflicts) names a record by its source's name and its key in that source,
 * and the work the record was not merged into (media_id). The record is a work too: for a works
 * source, the one its key names in media.external_links under the source adapter's key name (it
 * became a work of its own); for an ids-only source, which has no key of its own, the work it
 * named, in the conflict's payload ("work"). The statements get the adapters' key names as
 * `SourceKey`s (from src/ingest/adapters) and read them as a table (SOURCE_KEYS).
 */

/** An ingest source's name (ingest.sources, ingest.conflicts) and the key name its records are linked under. */
export interface SourceKey {
  name: string;
  /** Null for an ids-only source: its records are no works of their own. */
  keyName: string | null;
}

/** The mapping as a table of the statement: `${SOURCE_KEYS} as k(source_name, key_name)`. */
export const SOURCE_KEYS = 'unnest(:sourceNames::text[], :keyNames::text[])';

export function sourceKeyBindings(keys: readonly SourceKey[]) {
  return { sourceNames: keys.map((key) => key.name), keyNames: keys.map((key) => key.keyName) };
}

/**
 * Every conflict with `record_id`, the work its record is (see above), or null when that work is
 * gone: a table for the statements below, which name the pair (record_id, media_id).
 */
export const CONFLICT_WORKS = `
  select c.*,
         coalesce(l.media_id,
                  case when c.payload ->> 'work' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                       then (c.payload ->> 'work')::uuid end) as record_id
    from ingest.conflicts c
    left join ${SOURCE_KEYS} as k(source_name, key_name) on k.source_name = c.source_name
    left join lateral (select l.media_id from media.external_links l
                        where l.source_name = k.key_name and l.external_key = c.external_key
                        limit 1) l on true
   where c.kind = 'catalog'`;

/** What a conflict or a judgement can record about a pair: the reasons the pipeline gives, and an administrator's. */
export const JUDGEMENT_REASON = 'likely_duplicate';

export interface SourceRow {
  name: string;
  label: string;
  homepage: string | null;
  licence: string | null;
  /** Under which key name its records are linked; null for a source no adapter reads any more. */
  keyName: string | null;
  /** How many works it describes (links under its key name); null without a key name. */
  works: number | null;
  runs: number;
  openConflicts: number;
  lastRun: RunRow | null;
}

export interface RunRow {
  id: string;
  sourceName: string;
  sourceLabel: string;
  status: string;
  dryRun: boolean;
  summary: Record<string, unknown>;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const RUN_COLUMNS = `j.id, j.source_name as "sourceName", s.label as "sourceLabel", j.status, j.dry_run as "dryRun",
  j.summary, j.error, j.created_at as "createdAt", j.started_at as "startedAt", j.finished_at as "finishedAt"`;

/**
 * Every ingest source with its last catalog run (runs of a user's own list import are not the
 * catalog's), how many runs it had, how many works it describes and its open conflicts.
 */
export async function listSources(knex: Knex, keys: readonly SourceKey[]): Promise<SourceRow[]> {
  const { rows } = await knex.raw<{ rows: (Omit<SourceRow, 'lastRun'> & { lastRun: RunRow | null })[] }>(
    `select src.name, src.label, src.homepage, src.licence, k.key_name as "keyName",
            case when k.key_name is null then null
                 else (select count(*) from media.external_links l where l.source_name = k.key_name)::int
            end as works,
            (select count(*) from ingest.import_jobs r where r.source_name = src.name and r.user_id is null)::int as runs,
            (select count(*) from ingest.conflicts c
              where c.source_name = src.name and c.kind = 'catalog' and c.resolution = 'pending')::int as "openConflicts",
            (select row_to_json(last) from (
               select ${RUN_COLUMNS}
                 from ingest.import_jobs j join ingest.sources s on s.name = j.source_name
                where j.source_name = src.name and j.user_id is null
                order by j.created_at desc, j.id desc limit 1) last) as "lastRun"
       from ingest.sources src
       left join ${SOURCE_KEYS} as k(source_name, key_name) on k.source_name = src.name
      where src.kind = 'catalog'
      order by src.label, src.name`,
    sourceKeyBindings(keys),
  );
  // row_to_json gives the run's times as text: the page formats dates.
  return rows.map((row) => ({
    ...row,
    lastRun: row.lastRun && {
      ...row.lastRun,
      createdAt: new Date(row.lastRun.createdAt),
      startedAt: row.lastRun.startedAt && new Date(row.lastRun.startedAt),
      finishedAt: row.lastRun.finishedAt && new Date(row.lastRun.finishedAt),
    },
  }));
}

/** One catalog run, or undefined. */
export async function findRun(knex: Knex, jobId: string): Promise<RunRow | undefined> {
  const { rows } = await knex.raw<{ rows: RunRow[] }>(
    `select ${RUN_COLUMNS}
       from ingest.import_jobs j join ingest.sources s on s.name = j.source_name
      where j.id = :jobId`,
    { jobId },
  );
  return rows[0];
}

export interface LogLine {
  id: number;
  level: string;
  message: string;
  details: Record<string, unknown> | null;
  createdAt: Date;
}

/** A page of a run's log, in the order it was written, and how many lines it has. */
export async function listRunLog(
  knex: Knex,
  jobId: string,
  page: { limit: number; offset: number },
): Promise<{ lines: LogLine[]; total: number }> {
  const [lines, counted] = await Promise.all([
    knex('ingest.import_logs')
      .where('job_id', jobId)
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .select<LogLine[]>('id', 'level', 'message', 'details', 'created_at as createdAt'),
    knex('ingest.import_logs').where('job_id', jobId).count<{ count: number }[]>('* as count'),
  ]);
  return { lines, total: Number(counted[0]?.count ?? 0) };
}

/** Two works that may be one: the one an administrator would retire, and the one it would merge into. */
export interface Pair {
  duplicateId: string;
  keptId: string;
}

export interface ConflictPair extends Pair {
  /** The reasons of its open conflicts, each once. */
  reasons: string[];
  /** The ids behind its id conflicts ("mal:5114"). */
  externalIds: string[];
  /** The record behind it: its source's name and its key there. */
  sourceName: string;
  externalKey: string;
}

/**
 * The open conflicts of works that both still exist, a row per pair of works (a record's several
 * id conflicts with one work are one question): the record's work as the duplicate, the work it
 * nearly was as the one kept. Newest first, a page at a time, with `reason` only the pairs with a
 * conflict of that reason; and how many pairs there are in all.
 */
export async function listConflictPairs(
  knex: Knex,
  keys: readonly SourceKey[],
  options: { reason: string | null; limit: number; offset: number },
): Promise<{ pairs: ConflictPair[]; total: number }> {
  const { rows } = await knex.raw<{ rows: (ConflictPair & { total: number })[] }>(
    `with open as (
       select c.id, c.reason, c.payload ->> 'externalId' as external_id, c.source_name, c.external_key,
              c.record_id as duplicate_id, c.media_id as kept_id
         from (${CONFLICT_WORKS}) c
        where c.resolution = 'pending' and c.media_id <> c.record_id
          and exists (select 1 from media.media m where m.id = c.record_id)
     ), pairs as (
       select duplicate_id, kept_id, max(id) as latest,
              array_agg(distinct reason order by reason) as reasons,
              coalesce(array_agg(distinct external_id order by external_id)
                         filter (where external_id is not null), '{}') as external_ids,
              min(source_name) as source_name, min(external_key) as external_key
         from open
        group by duplicate_id, kept_id
       having :reason::text is null or bool_or(reason = :reason::text)
     )
     select duplicate_id as "duplicateId", kept_id as "keptId", reasons, external_ids as "externalIds",
            source_name as "sourceName", external_key as "externalKey", count(*) over ()::int as total
       from pairs
      order by latest desc, duplicate_id, kept_id
      limit :limit offset :offset`,
    { ...sourceKeyBindings(keys), reason: options.reason, limit: options.limit, offset: options.offset },
  );
  return { pairs: rows.map(({ total: _total, ...pair }) => pair), total: rows[0]?.total ?? 0 };
}

/**
 * Open conflicts that name a work no longer there (deleted since, or a record whose key left the
 * catalog): no pair to show, so the page only counts them.
 */
export async function countOrphanConflicts(knex: Knex, keys: readonly SourceKey[]): Promise<number> {
  const { rows } = await knex.raw<{ rows: { count: number }[] }>(
    `select count(*)::int as count
       from (${CONFLICT_WORKS}) c
      where c.resolution = 'pending'
        and (c.media_id is null or c.record_id is null or c.record_id = c.media_id
             or not exists (select 1 from media.media m where m.id = c.record_id))`,
    sourceKeyBindings(keys),
  );
  return rows[0]?.count ?? 0;
}

/**
 * Works that are likely one: the same type, a title in common (as match keys, media.title_keys),
 * release years at most one apart, described by sources that are all different (a source never
 * describes one work twice, so two works of one source are two works), and never judged: no
 * conflict of any resolution names the pair (the open ones are listed as conflicts, a pair kept
 * apart has one resolved 'kept'). The one with more people tracking it (then the older) is the one
 * kept. A page at a time in the kept work's title order, and how many pairs there are.
 *
 * There is nothing kept ready for this: each call reads every title key once (the key index, in
 * key order, counting the works of each key), joins the few keys more than one work has to their
 * works' types and years, and pairs those. On the full catalog (72,000 works, 96,000 keys) that
 * is a read of both tables, 100-200 ms on a small shared machine, for an administrator's page;
 * a table kept by triggers would make it a read of one page, should the catalog grow tenfold.
 */
export async function listLikelyDuplicates(
  knex: Knex,
  keys: readonly SourceKey[],
  options: { limit: number; offset: number },
): Promise<{ pairs: Pair[]; total: number }> {
  // The planner cannot tell how few keys are shared, and prices the plan high enough to compile
  // it (JIT), which on the full catalog takes longer than running it: off for this statement.
  const { rows } = await knex.transaction(async (trx) => {
    await trx.raw('set local jit = off');
    return trx.raw<{ rows: (Pair & { total: number })[] }>(
      `with source_key as materialized (select * from ${SOURCE_KEYS} as k(source_name, key_name)),
     keyed as (
       select title_key, media_id, count(*) over (partition by title_key) as works
         from media.title_keys
     ), members as materialized (
       select k.title_key, w.id, w.media_type, extract(year from w.release_date)::int as year
         from keyed k
         join media.media w on w.id = k.media_id
        where k.works > 1 and w.release_date is not null
     ), candidates as materialized (
       select distinct a.id as a_id, b.id as b_id
         from members a
         join members b on b.title_key = a.title_key and b.media_type = a.media_type and b.id > a.id
                       and b.year between a.year - 1 and a.year + 1
     ), judged as materialized (
       select least(c.record_id, c.media_id) as a_id, greatest(c.record_id, c.media_id) as b_id
         from (${CONFLICT_WORKS}) c
        where c.media_id is not null and c.record_id is not null
     ), pairs as materialized (
       select p.a_id, p.b_id
         from candidates p
        where not exists (select 1
                            from media.external_links la
                            join media.external_links lb on lb.source_name = la.source_name and lb.media_id = p.b_id
                           where la.media_id = p.a_id and la.source_name in (select key_name from source_key))
          and not exists (select 1 from judged j where j.a_id = p.a_id and j.b_id = p.b_id)
     ), oriented as (
       -- A few pairs at most: each work read by its key ("offset 0" keeps the planner from
       -- hashing the whole catalog to join them).
       select case when kept_first then a.id else b.id end as kept_id,
              case when kept_first then b.id else a.id end as duplicate_id,
              case when kept_first then a.title else b.title end as kept_title
         from pairs p
         cross join lateral (select id, title, tracking_count, created_at from media.media
                              where id = p.a_id offset 0) a
         cross join lateral (select id, title, tracking_count, created_at from media.media
                              where id = p.b_id offset 0) b
         cross join lateral (select (a.tracking_count, b.created_at, b.id) > (b.tracking_count, a.created_at, a.id)
                                    as kept_first) o
     )
     select duplicate_id as "duplicateId", kept_id as "keptId", count(*) over ()::int as total
       from oriented
      order by kept_title, kept_id, duplicate_id
      limit :limit offset :offset`,
      { ...sourceKeyBindings(keys), limit: options.limit, offset: options.offset },
    );
  });
  return { pairs: rows.map(({ total: _total, ...pair }) => pair), total: rows[0]?.total ?? 0 };
}

/** A work as a pair shows it. */
export interface WorkSummary {
  id: string;
  title: string;
  originalTitle: string | null;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  trackingCount: number;
  /** The labels of the ingest sources that describe it. */
  sources: string[];
  /** Its ids in other catalogs and sources ("mal:5114"), for telling two works apart. */
  externalIds: string[];
  createdAt: Date;
}

/** The works asked for that exist, by id (one statement, whatever their number). */
export async function describeWorks(
  knex: Knex,
  keys: readonly SourceKey[],
  ids: readonly string[],
): Promise<Map<string, WorkSummary>> {
  if (ids.length === 0) return new Map();
  const { rows } = await knex.raw<{ rows: WorkSummary[] }>(
    `select m.id, m.title, m.original_title as "originalTitle", t.label as "typeLabel",
            to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate", m.release_date_precision as "releaseDatePrecision",
            m.tracking_count as "trackingCount", m.created_at as "createdAt",
            array(select s.label
                    from media.external_links l
                    join ${SOURCE_KEYS} as k(source_name, key_name) on k.key_name = l.source_name
                    join ingest.sources s on s.name = k.source_name
                   where l.media_id = m.id
                   order by s.label) as sources,
            array(select l.source_name || ':' || l.external_key from media.external_links l
                   where l.media_id = m.id order by l.source_name, l.external_key) as "externalIds"
       from media.media m
       join media.media_types t on t.media_type = m.media_type
      where m.id = any(:ids::uuid[])`,
    { ...sourceKeyBindings(keys), ids: [...ids] },
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** Whether the conflict `c` (a row of CONFLICT_WORKS) is about the pair :duplicateId, :keptId, either way round. */
export const OF_PAIR = `((c.record_id = :duplicateId and c.media_id = :keptId)
                          or (c.record_id = :keptId and c.media_id = :duplicateId))`;

/** The open conflicts between two works, either way round: their reasons, each once. */
export async function openConflictReasons(knex: Knex, keys: readonly SourceKey[], pair: Pair): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { reason: string }[] }>(
    `select distinct c.reason
       from (${CONFLICT_WORKS}) c
      where c.resolution = 'pending' and ${OF_PAIR}
      order by c.reason`,
    { ...sourceKeyBindings(keys), ...pair },
  );
  return rows.map((row) => row.reason);
}

export type KeepApartOutcome =
  /** The pair's open conflicts are resolved as kept apart, or a judgement was recorded. */
  | { kind: 'kept'; resolved: number }
  /** The pair was kept apart before: nothing changed. */
  | { kind: 'already' }
  /** One of the works is not there. */
  | { kind: 'missing' }
  /** No conflict about the pair, and no run of a source of either work to record a judgement under. */
  | { kind: 'unrecordable' };

/**
 * Says two works are two: their open conflicts (either way round) are resolved 'kept'. A pair
 * with none (a likely duplicate) gets a conflict row of its own, resolved 'kept' at once, so that
 * it is not suggested again: ingest.conflicts is where judgements about pairs live, and its rows
 * name a record (a work's key in a source) and the other work, under the source's last run. The
 * record is the duplicate's key in one of its sources (else the kept work's, the other way round).
 */
export function keepApart(knex: Knex, keys: readonly SourceKey[], pair: Pair): Promise<KeepApartOutcome> {
  return knex.transaction(async (trx) => {
    const bindings = { ...sourceKeyBindings(keys), ...pair };
    const works = await trx('media.media').whereIn('id', [pair.duplicateId, pair.keptId]).forShare().pluck('id');
    if (works.length < 2) return { kind: 'missing' };

    const { rowCount } = await trx.raw<{ rowCount: number }>(
      `update ingest.conflicts set resolution = 'kept', resolved_at = now()
        where id in (select c.id from (${CONFLICT_WORKS}) c where c.resolution = 'pending' and ${OF_PAIR})`,
      bindings,
    );
    if (rowCount > 0) return { kind: 'kept', resolved: rowCount };
    const { rows: judged } = await trx.raw<{ rows: unknown[] }>(
      `select 1 from (${CONFLICT_WORKS}) c where c.resolution = 'kept' and ${OF_PAIR}`,
      bindings,
    );
    if (judged.length > 0) return { kind: 'already' };

    const { rowCount: recorded } = await trx.raw<{ rowCount: number }>(
      `insert into ingest.conflicts (job_id, media_id, source_name, external_key, reason, payload, resolution, resolved_at)
       select j.id, r.other_id, r.source_name, r.external_key, :reason, '{}', 'kept', now()
         from (select k.source_name, l.external_key, l.media_id,
                      case when l.media_id = :duplicateId then :keptId::uuid else :duplicateId::uuid end as other_id
                 from media.external_links l
                 join ${SOURCE_KEYS} as k(source_name, key_name) on k.key_name = l.source_name
                where l.media_id in (:duplicateId, :keptId)) r
         cross join lateral (select j.id from ingest.import_jobs j
                              where j.source_name = r.source_name and j.user_id is null
                              order by j.created_at desc, j.id desc limit 1) j
        order by r.media_id = :duplicateId desc, r.source_name, r.external_key
        limit 1`,
      { ...bindings, reason: JUDGEMENT_REASON },
    );
    return recorded > 0 ? { kind: 'kept', resolved: 0 } : { kind: 'unrecordable' };
  });
}
