/**
 * The SQL of a person's list imports: the jobs and their uploads, the rows read from a file,
 * the catalog works those rows may be, the person's entries before and after, and the review
 * items. Every query that reads or writes a person's data takes their user id.
 */
import { planSearch } from '../search/queries';
import type { Knex } from '../database/connection';
import type { EntryValues } from './evaluate';
import type { Candidate } from './matching';
import type { ImportRecord } from './records';

export type ImportJobStatus =
  'pending' | 'running' | 'ready' | 'applying' | 'succeeded' | 'undoing' | 'failed' | 'cancelled' | 'undone';

export interface ImportJobOptions {
  mode: 'fill' | 'wins';
  /** The format the person chose, or the one the file was detected as. */
  format?: string;
  anilistScoreFormat?: string;
  listKind?: 'watched' | 'watchlist';
  /** What must be answered before the file is read: which format, what kind of list, which score format. */
  awaiting?: 'format' | 'listKind' | 'anilistScore';
  /** The AniList score format the file's scores suggest, offered as the answer. */
  anilistScoreGuess?: string;
  /** The formats the file could be, when it fits several. */
  possibleFormats?: string[];
}

export interface ImportJob {
  id: string;
  userId: string;
  sourceName: string;
  status: ImportJobStatus;
  options: ImportJobOptions;
  summary: Record<string, number | string>;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  fileName: string;
  byteSize: number;
}

/** Bindings for unnest(): Knex's binding type has no room for arrays that hold nulls. */
const bindings = (values: unknown[]) => values as Knex.RawBinding[];

const JOB_COLUMNS = [
  'j.id',
  'j.user_id as userId',
  'j.source_name as sourceName',
  'j.status',
  'j.options',
  'j.summary',
  'j.error',
  'j.created_at as createdAt',
  'j.finished_at as finishedAt',
  'u.file_name as fileName',
  'u.byte_size as byteSize',
];

/** A new import job with its upload, in one transaction. */
export async function insertImportJob(
  knex: Knex,
  job: { userId: string; sourceName: string; options: ImportJobOptions; fileName: string; bytes: Buffer },
): Promise<string> {
  return knex.transaction(async (trx) => {
    const [row] = await trx('ingest.import_jobs')
      .insert({ user_id: job.userId, source_name: job.sourceName, options: job.options, status: 'pending' })
      .returning<{ id: string }[]>('id');
    await trx('ingest.import_uploads').insert({
      job_id: row!.id,
      file_name: job.fileName,
      byte_size: job.bytes.length,
      bytes: job.bytes,
    });
    return row!.id;
  });
}

/** One of the person's imports, or undefined (another person's import is not theirs to see). */
export async function findImportJob(knex: Knex, userId: string, jobId: string): Promise<ImportJob | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) return undefined;
  return knex('ingest.import_jobs as j')
    .join('ingest.import_uploads as u', 'u.job_id', 'j.id')
    .where({ 'j.id': jobId, 'j.user_id': userId })
    .first<ImportJob | undefined>(JOB_COLUMNS);
}

/** The person's imports, newest first. */
export async function listImportJobs(knex: Knex, userId: string, limit = 50): Promise<ImportJob[]> {
  return knex('ingest.import_jobs as j')
    .join('ingest.import_uploads as u', 'u.job_id', 'j.id')
    .where('j.user_id', userId)
    .orderBy('j.created_at', 'desc')
    .limit(limit)
    .select<ImportJob[]>(JOB_COLUMNS);
}

/** The upload's bytes, for the worker. */
export async function uploadOf(knex: Knex, jobId: string): Promise<{ fileName: string; bytes: Buffer }> {
  const row = await knex('ingest.import_uploads')
    .where('job_id', jobId)
    .first<{ fileName: string; bytes: Buffer }>('file_name as fileName', 'bytes');
  if (!row) throw new Error(`import ${jobId} has no upload`);
  return row;
}

/** Changes a job the person owns, when it is in one of `from`; false when it was not. */
export async function moveImportJob(
  knex: Knex,
  userId: string,
  jobId: string,
  from: ImportJobStatus[],
  to: { status: ImportJobStatus; options?: ImportJobOptions; error?: string | null; sourceName?: string },
): Promise<boolean> {
  const changed = await knex('ingest.import_jobs')
    .where({ id: jobId, user_id: userId })
    .whereIn('status', from)
    .update({
      status: to.status,
      ...(to.options ? { options: to.options } : {}),
      ...(to.error !== undefined ? { error: to.error } : {}),
      ...(to.sourceName ? { source_name: to.sourceName } : {}),
      ...(['succeeded', 'failed', 'cancelled', 'undone'].includes(to.status) ? { finished_at: knex.fn.now() } : {}),
    });
  return changed > 0;
}

/** A job taken from the queue, with the work its status names. */
export interface ClaimedJob {
  id: string;
  userId: string;
  status: 'pending' | 'applying' | 'undoing';
  options: ImportJobOptions;
  attempts: number;
}

/**
 * The next job with work to do (read a file, apply or undo an import), locked for the caller's transaction:
 * FOR NO KEY UPDATE SKIP LOCKED, so workers in several processes never take the same job, and a job
 * whose worker died (its transaction rolled back) is free again at once.
 */
export async function claimNextImportJob(trx: Knex.Transaction): Promise<ClaimedJob | undefined> {
  const job = await trx('ingest.import_jobs')
    .whereNotNull('user_id')
    .whereIn('status', ['pending', 'applying', 'undoing'])
    .whereRaw("options -> 'awaiting' is null")
    .orderBy('created_at')
    // NO KEY UPDATE: the progress rows written meanwhile (which reference the job) take a KEY
    // SHARE lock on it, which FOR UPDATE would block until the step ends.
    .forNoKeyUpdate()
    .skipLocked()
    .first<ClaimedJob | undefined>('id', 'user_id as userId', 'status', 'options', 'attempts');
  return job;
}

/** Ends a job's step: its new status, summary and error, written in the worker's transaction. */
export async function finishImportStep(
  trx: Knex.Transaction,
  jobId: string,
  result: {
    status: ImportJobStatus;
    summary?: Record<string, number | string>;
    error?: string | null;
    sourceName?: string;
  },
): Promise<void> {
  await trx('ingest.import_jobs')
    .where('id', jobId)
    .update({
      status: result.status,
      ...(result.summary ? { summary: result.summary } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.sourceName ? { source_name: result.sourceName } : {}),
      ...(result.status === 'ready' ? { started_at: trx.fn.now() } : {}),
      ...(['succeeded', 'failed', 'undone'].includes(result.status) ? { finished_at: trx.fn.now() } : {}),
    });
}

/**
 * How far a running step has got, written outside the step's transaction (on the pool, so the
 * job's page sees it while the step works); the job's own row stays locked by the step.
 */
export async function recordProgress(knex: Knex, jobId: string, step: string, done: number, total: number) {
  await knex.raw(
    `insert into ingest.import_progress (job_id, step, done, total, updated_at) values (?, ?, ?, ?, now())
     on conflict (job_id) do update set step = excluded.step, done = excluded.done, total = excluded.total,
       updated_at = now()`,
    [jobId, step, done, total],
  );
}

export async function progressOf(
  knex: Knex,
  jobId: string,
): Promise<{ step: string; done: number; total: number } | undefined> {
  return knex('ingest.import_progress').where('job_id', jobId).first('step', 'done', 'total');
}

/** Appends to a job's log (ingest.import_logs). */
export async function logImport(
  knex: Knex,
  jobId: string,
  level: 'info' | 'warn' | 'error',
  message: string,
  details?: Record<string, unknown>,
): Promise<void> {
  await knex('ingest.import_logs').insert({ job_id: jobId, level, message, details: details ?? null });
}

/** Outcomes that import a row (the others are listed with why and left out). */
const IMPORTING = ['add', 'change', 'unchanged'];

/**
 * A line per row in the job's log, in one statement from the rows as a step left them: after
 * reading, what each row came to and why (a warning for one left out); after applying, whether
 * each row was written.
 */
export async function logRows(trx: Knex.Transaction, jobId: string, step: 'read' | 'applied'): Promise<void> {
  const message =
    step === 'read'
      ? `'row ' || row_number || ': ' || outcome`
      : `'row ' || row_number || ': ' || case when applied_at is not null then 'written' else outcome || ', not written' end`;
  await trx.raw(
    `insert into ingest.import_logs (job_id, level, message, details)
     select job_id, case when outcome = any(:importing::text[]) then 'info' else 'warn' end, ${message},
            jsonb_strip_nulls(jsonb_build_object('row', row_number, 'file', file, 'line', line, 'outcome', outcome,
                                                 'reason', reason, 'mediaId', media_id))
       from ingest.import_rows where job_id = :jobId order by row_number`,
    { importing: IMPORTING, jobId },
  );
}

/** A line per row an undo touched: put back, or left because it changed since. */
export async function logUndoneRows(
  trx: Knex.Transaction,
  jobId: string,
  rows: { rowNumber: number; mediaId: string; restored: boolean }[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    await trx.raw(
      `insert into ingest.import_logs (job_id, level, message, details)
       select ?, case when u.restored then 'info' else 'warn' end,
              'row ' || u.row_number || ': ' || case when u.restored then 'put back as it was'
                                                     else 'changed since the import, left as it is' end,
              jsonb_build_object('row', u.row_number, 'mediaId', u.media_id)
         from unnest(?::int[], ?::uuid[], ?::boolean[]) with ordinality as u(row_number, media_id, restored, n)
        order by u.n`,
      [
        jobId,
        chunk.map((row) => row.rowNumber),
        chunk.map((row) => row.mediaId),
        chunk.map((row) => row.restored),
      ] as Knex.RawBinding[],
    );
  }
}

/** Works by id links: the catalog's (media.external_links) and the ones this person confirmed. */
export async function worksByIds(
  knex: Knex,
  userId: string,
  pairs: { source: string; key: string }[],
): Promise<{ source: string; key: string; work: Candidate }[]> {
  if (pairs.length === 0) return [];
  const { rows } = await knex.raw<{
    rows: (Omit<Candidate, 'popularity'> & { popularity: number; source: string; key: string })[];
  }>(
    `with wanted as (select * from unnest(?::text[], ?::text[]) as w(source, key)),
     links as (
       select l.source_name as source, l.external_key as key, l.media_id
         from media.external_links l join wanted w on w.source = l.source_name and w.key = l.external_key
       union
       select l.source_name, l.external_key, l.media_id
         from ingest.user_links l join wanted w on w.source = l.source_name and w.key = l.external_key
        where l.user_id = ?
       union
       select 'omnimediatrak', m.id::text, m.id
         from media.media m join wanted w on w.source = 'omnimediatrak'
          and w.key ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' and m.id = w.key::uuid
     )
     select links.source, links.key, m.id as "mediaId", m.title, m.media_type as "mediaType",
            extract(year from m.release_date)::int as year, m.tracking_count as popularity
       from links join media.media m on m.id = links.media_id`,
    [pairs.map((pair) => pair.source), pairs.map((pair) => pair.key), userId],
  );
  return rows.map(({ source, key, ...work }) => ({ source, key, work }));
}

/** Works known by any of `titles` (compared as media.match_key makes them), with the title asked for. */
export async function worksByTitles(knex: Knex, titles: string[]): Promise<{ asked: string; work: Candidate }[]> {
  if (titles.length === 0) return [];
  const { rows } = await knex.raw<{ rows: (Candidate & { asked: string })[] }>(
    `select q.asked, m.id as "mediaId", m.title, m.media_type as "mediaType",
            extract(year from m.release_date)::int as year, m.tracking_count as popularity
       from unnest(?::text[]) as q(asked)
       join media.title_keys k on k.title_key = media.match_key(q.asked)
       join media.media m on m.id = k.media_id`,
    [titles],
  );
  return rows.map(({ asked, ...work }) => ({ asked, work }));
}

export interface ImportRowInsert {
  rowNumber: number;
  file: string;
  line: number;
  record: unknown;
  raw: string | null;
  outcome: string;
  reason: string | null;
  mediaId: string | null;
  changes: unknown;
}

/** Replaces a job's rows (a step that runs again after a restart starts from nothing). */
export async function replaceImportRows(trx: Knex.Transaction, jobId: string, rows: ImportRowInsert[]) {
  await trx('ingest.import_rows').where('job_id', jobId).delete();
  await trx('ingest.conflicts').where({ job_id: jobId, kind: 'import' }).delete();
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    await trx('ingest.import_rows').insert(
      chunk.map((row) => ({
        job_id: jobId,
        row_number: row.rowNumber,
        file: row.file,
        line: row.line,
        record: row.record === null ? null : JSON.stringify(row.record),
        raw: row.raw,
        outcome: row.outcome,
        reason: row.reason,
        media_id: row.mediaId,
        changes: row.changes === null ? null : JSON.stringify(row.changes),
      })),
    );
  }
}

/** Review items: the uncertain rows, each with its candidates, the person's own. */
export async function insertReviewItems(
  trx: Knex.Transaction,
  jobId: string,
  userId: string,
  sourceName: string,
  items: { rowNumber: number; key: string; reason: string; candidates: Candidate[] }[],
): Promise<void> {
  for (let start = 0; start < items.length; start += 1000) {
    await trx('ingest.conflicts').insert(
      items.slice(start, start + 1000).map((item) => ({
        job_id: jobId,
        kind: 'import',
        user_id: userId,
        row_number: item.rowNumber,
        source_name: sourceName,
        external_key: item.key.slice(0, 500),
        reason: item.reason,
        payload: JSON.stringify({ candidates: item.candidates }),
      })),
    );
  }
}

export interface StoredRow {
  rowNumber: number;
  file: string;
  line: number;
  record: ImportRecord | null;
  raw: string | null;
  outcome: string;
  reason: string | null;
  mediaId: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  before: (EntryValues & { createdAt?: string; updatedAt?: string }) | null;
  after: EntryValues | null;
  appliedAt: Date | null;
}

const ROW_COLUMNS = [
  'r.row_number as rowNumber',
  'r.file',
  'r.line',
  'r.record',
  'r.raw',
  'r.outcome',
  'r.reason',
  'r.media_id as mediaId',
  'r.changes',
  'r.before',
  'r.after',
  'r.applied_at as appliedAt',
];

/** Every row of a job, in file order (for the worker's steps). */
export async function allImportRows(knex: Knex | Knex.Transaction, jobId: string): Promise<StoredRow[]> {
  return knex('ingest.import_rows as r')
    .where('r.job_id', jobId)
    .orderBy('r.row_number')
    .select<StoredRow[]>(ROW_COLUMNS);
}

/** One row of a job (a review answer touches only the row in hand). */
export async function importRow(
  knex: Knex | Knex.Transaction,
  jobId: string,
  rowNumber: number,
): Promise<StoredRow | undefined> {
  return knex('ingest.import_rows as r')
    .where({ 'r.job_id': jobId, 'r.row_number': rowNumber })
    .first<StoredRow | undefined>(ROW_COLUMNS);
}

/** Another row of the job that already imports this work, if any. */
export async function rowImportingWork(
  knex: Knex | Knex.Transaction,
  jobId: string,
  mediaId: string,
  exceptRow: number,
): Promise<{ file: string; line: number } | undefined> {
  return knex('ingest.import_rows')
    .where({ job_id: jobId, media_id: mediaId })
    .whereNot('row_number', exceptRow)
    .whereIn('outcome', ['add', 'change', 'unchanged'])
    .orderBy('row_number')
    .first<{ file: string; line: number } | undefined>('file', 'line');
}

/** Counts of a job's rows by outcome. */
export async function outcomeCounts(knex: Knex | Knex.Transaction, jobId: string): Promise<Record<string, number>> {
  const rows = await knex('ingest.import_rows')
    .where('job_id', jobId)
    .groupBy('outcome')
    .select<{ outcome: string; rows: number }[]>('outcome', knex.raw('count(*)::int as rows'));
  return Object.fromEntries(rows.map((row) => [row.outcome, row.rows]));
}

export interface PreviewRow extends StoredRow {
  mediaTitle: string | null;
  mediaType: string | null;
  mediaYear: number | null;
  candidates: Candidate[] | null;
}

/** A page of a job's rows with one outcome, with the matched work and any review candidates. */
export async function importRowsPage(
  knex: Knex,
  jobId: string,
  outcomes: string[],
  offset: number,
  limit: number,
): Promise<PreviewRow[]> {
  return knex('ingest.import_rows as r')
    .leftJoin('media.media as m', 'm.id', 'r.media_id')
    .leftJoin('ingest.conflicts as c', function joinReview() {
      this.on('c.job_id', 'r.job_id').andOn('c.row_number', 'r.row_number').andOnVal('c.kind', 'import');
    })
    .where('r.job_id', jobId)
    .whereIn('r.outcome', outcomes)
    .orderBy('r.row_number')
    .offset(offset)
    .limit(limit)
    .select<PreviewRow[]>(
      ...ROW_COLUMNS,
      'm.title as mediaTitle',
      'm.media_type as mediaType',
      knex.raw('extract(year from m.release_date)::int as "mediaYear"'),
      knex.raw(`c.payload -> 'candidates' as candidates`),
    );
}

/** One row of a job, with its review candidates. */
export async function findImportRow(knex: Knex, jobId: string, rowNumber: number): Promise<PreviewRow | undefined> {
  const [row] = await knex('ingest.import_rows as r')
    .leftJoin('media.media as m', 'm.id', 'r.media_id')
    .leftJoin('ingest.conflicts as c', function joinReview() {
      this.on('c.job_id', 'r.job_id').andOn('c.row_number', 'r.row_number').andOnVal('c.kind', 'import');
    })
    .where({ 'r.job_id': jobId, 'r.row_number': rowNumber })
    .select<PreviewRow[]>(
      ...ROW_COLUMNS,
      'm.title as mediaTitle',
      'm.media_type as mediaType',
      knex.raw('extract(year from m.release_date)::int as "mediaYear"'),
      knex.raw(`c.payload -> 'candidates' as candidates`),
    );
  return row;
}

/** Sets what a row is after the preview is worked out again (a match picked, the mode changed). */
export async function updateRowOutcomes(
  trx: Knex.Transaction,
  jobId: string,
  rows: { rowNumber: number; outcome: string; reason: string | null; mediaId: string | null; changes: unknown }[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    await trx.raw(
      `update ingest.import_rows r
          set outcome = u.outcome, reason = u.reason, media_id = u.media_id, changes = u.changes
         from unnest(?::int[], ?::text[], ?::text[], ?::uuid[], ?::jsonb[]) as u(row_number, outcome, reason, media_id, changes)
        where r.job_id = ? and r.row_number = u.row_number`,
      bindings([
        chunk.map((row) => row.rowNumber),
        chunk.map((row) => row.outcome),
        chunk.map((row) => row.reason),
        chunk.map((row) => row.mediaId),
        chunk.map((row) => (row.changes === null ? null : JSON.stringify(row.changes))),
        jobId,
      ]),
    );
  }
}

/** Settles a review item (picked or skipped). */
export async function resolveReviewItem(
  trx: Knex.Transaction,
  jobId: string,
  userId: string,
  rowNumber: number,
  resolution: 'matched' | 'skipped',
  mediaId: string | null,
): Promise<void> {
  await trx('ingest.conflicts')
    .where({ job_id: jobId, user_id: userId, row_number: rowNumber, kind: 'import' })
    .update({ resolution, media_id: mediaId, resolved_at: trx.fn.now() });
}

/** Remembers a confirmed match under every id the row carried, for this person's next imports. */
export async function rememberLinks(
  trx: Knex.Transaction,
  userId: string,
  mediaId: string,
  ids: { source: string; key: string }[],
): Promise<void> {
  if (ids.length === 0) return;
  await trx('ingest.user_links')
    .insert(ids.map((id) => ({ user_id: userId, source_name: id.source, external_key: id.key, media_id: mediaId })))
    .onConflict(['user_id', 'source_name', 'external_key'])
    .merge(['media_id']);
}

/** Whether a work exists (a pick from a search). */
export async function workExists(knex: Knex, mediaId: string): Promise<Candidate | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(mediaId)) return undefined;
  return knex('media.media')
    .where('id', mediaId)
    .first<Candidate | undefined>(
      'id as mediaId',
      'title',
      'media_type as mediaType',
      knex.raw('extract(year from release_date)::int as year'),
      'tracking_count as popularity',
    );
}

/**
 * Counts a failed step (after its transaction rolled back) and, past `maxAttempts`, fails the
 * job with `message` so the person is told instead of the queue trying for ever.
 */
export async function countFailedAttempt(knex: Knex, jobId: string, maxAttempts: number, message: string) {
  await knex.raw(
    `update ingest.import_jobs set attempts = attempts + 1,
       status = case when attempts + 1 >= ? then 'failed' else status end,
       error = case when attempts + 1 >= ? then ? else error end,
       finished_at = case when attempts + 1 >= ? then now() else finished_at end
     where id = ?`,
    [maxAttempts, maxAttempts, message, maxAttempts, jobId],
  );
}

/**
 * The review's search for another title: works whose title, or any title they are known by,
 * starts with `text` (as media.match_key makes it), most tracked first; when none does, works
 * with its words.
 */
export async function searchWorks(knex: Knex, text: string, limit: number): Promise<Candidate[]> {
  const found = await worksStartingWith(knex, text, limit);
  return found.length ? found : worksWithWords(knex, text, limit);
}

/**
 * Works with every word searched for (each word as a prefix, a typo as the catalog's nearest
 * words: src/search): the second try of a search whose title starts nothing ("godfathr",
 * "harbour quiet"). The most tracked first, of a bounded set of matches.
 */
async function worksWithWords(knex: Knex, text: string, limit: number): Promise<Candidate[]> {
  const plan = await planSearch(knex, text);
  if (!plan) return [];
  const { rows } = await knex.raw<{ rows: Candidate[] }>(
    `select m.id as "mediaId", m.title, m.media_type as "mediaType",
            extract(year from m.release_date)::int as year, m.tracking_count as popularity
       from media.media m
      where m.id in (select w.id from media.media w where w.search_vector @@ ?::tsquery limit 500)
      order by m.tracking_count desc, length(m.title), m.title
      limit ?`,
    [plan.tsquery, limit],
  );
  return rows;
}

async function worksStartingWith(knex: Knex, text: string, limit: number): Promise<Candidate[]> {
  const { rows } = await knex.raw<{ rows: Candidate[] }>(
    `select m.id as "mediaId", m.title, m.media_type as "mediaType",
            extract(year from m.release_date)::int as year, m.tracking_count as popularity
       from media.media m
      where m.id in (
        select k.media_id from media.title_keys k
         where k.title_key like replace(replace(replace(media.match_key(?), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
         limit 500)
      order by m.tracking_count desc, length(m.title), m.title
      limit ?`,
    [text, limit],
  );
  return rows;
}

/** Keeps each applied row's entry before and after (for undo), in the apply step's transaction. */
export async function recordAppliedRows(
  trx: Knex.Transaction,
  jobId: string,
  writes: { rowNumber: number; before: EntryValues | null; after: EntryValues }[],
): Promise<void> {
  for (let start = 0; start < writes.length; start += 1000) {
    const chunk = writes.slice(start, start + 1000);
    await trx.raw(
      `update ingest.import_rows r set before = u.before, after = u.after, applied_at = now()
         from unnest(?::int[], ?::jsonb[], ?::jsonb[]) as u(row_number, before, after)
        where r.job_id = ? and r.row_number = u.row_number`,
      bindings([
        chunk.map((write) => write.rowNumber),
        chunk.map((write) => (write.before === null ? null : JSON.stringify(write.before))),
        chunk.map((write) => JSON.stringify(write.after)),
        jobId,
      ]),
    );
  }
}

/**
 * Queues the undo of an import: one that was applied, or one whose undo failed with entries still
 * written (it can be tried again). False when the job is not the person's or has nothing to undo.
 */
export async function queueUndo(knex: Knex, userId: string, jobId: string): Promise<boolean> {
  const { rowCount } = await knex.raw<{ rowCount: number }>(
    `update ingest.import_jobs j set status = 'undoing', error = null, attempts = 0
      where j.id = ? and j.user_id = ?
        and (j.status = 'succeeded'
             or (j.status = 'failed'
                 and exists (select 1 from ingest.import_rows r where r.job_id = j.id and r.applied_at is not null)))`,
    [jobId, userId],
  );
  return rowCount > 0;
}
