/**
 * A person's list import, step by step (docs/imports.md), each step one transaction:
 * 1. `readImport`: the upload is unpacked, read by its format, every record matched against the
 *    catalog and compared with the person's entries: the preview. Nothing of theirs is written.
 * 2. The person settles the uncertain rows (`pickMatch`, `skipRow`) and may change the mode
 *    (`changeMode`); each works the preview out again for the rows it touches.
 * 3. `applyImport`: in one transaction, the entries as the preview showed them, worked out again
 *    against the list as it is then; each row keeps the entry before and after.
 * 4. `undoImport`: every entry the import wrote goes back as it was, unless it changed since.
 * Steps 1, 3 and 4 run in the job queue (`runNextImportStep`, polled by ./worker.ts); the others are
 * quick and run in the request. The rules they apply are pure (./matching.ts, ./evaluate.ts).
 */
import type { Knex } from '../database/connection';
import { todayUtc } from '../entries/rules';
import { detectFormat } from './detect';
import { entryChanges, mergedEntry, recordValues, sameEntry, type EntryValues, type ImportMode } from './evaluate';
import { DEFAULT_UPLOAD_LIMITS, unpackUpload, type UploadLimits } from './files';
import { IMPORT_FORMATS, formatNamed } from './formats';
import { decideByIds, decideByTitle, type Candidate, type MatchDecision } from './matching';
import { entriesFor, restoreEntries, writeImportedEntries } from '../entries/import-queries';
import type { Logger } from '../logger';
import {
  allImportRows,
  claimNextImportJob,
  countFailedAttempt,
  finishImportStep,
  findImportJob,
  importRow,
  insertReviewItems,
  logImport,
  logRows,
  logUndoneRows,
  moveImportJob,
  outcomeCounts,
  queueUndo,
  recordProgress,
  recordAppliedRows,
  rememberLinks,
  replaceImportRows,
  resolveReviewItem,
  rowImportingWork,
  updateRowOutcomes,
  uploadOf,
  workExists,
  worksByIds,
  worksByTitles,
  type ImportJob,
  type ImportJobOptions,
  type ImportRowInsert,
  type StoredRow,
} from './queries';
import { EXTERNAL_ID_KINDS, ImportFileError, type ImportRecord, type ReadOptions } from './records';

const BATCH = 1000;

/**
 * Tells how far a step is (rows done of total), for the job's page: written outside the step's
 * transaction, so the page sees it while the step runs.
 */
export type ReportProgress = (done: number, total: number) => Promise<void>;
const noReport: ReportProgress = async () => {};

/** A JSON.stringify replacer that drops NUL characters from every string. */
const withoutNul = (_key: string, value: unknown) =>
  typeof value === 'string' ? value.split('\u0000').join('') : value;

/** A record's ids as (source, key) pairs, as media.external_links and ingest.user_links name them. */
export function idPairs(record: ImportRecord): { source: string; key: string }[] {
  return EXTERNAL_ID_KINDS.flatMap((kind) => {
    const key = record.ids[kind];
    return key ? [{ source: kind, key }] : [];
  });
}

const titlesOf = (record: ImportRecord) =>
  [record.title, ...record.alternativeTitles].filter((title): title is string => !!title && title.trim() !== '');

/** Matches records against the catalog, a batch at a time (two queries a batch). */
async function matchRecords(knex: Knex, userId: string, records: ImportRecord[]): Promise<MatchDecision[]> {
  const decisions: MatchDecision[] = [];
  for (let start = 0; start < records.length; start += BATCH) {
    const batch = records.slice(start, start + BATCH);
    const byId = new Map<string, Candidate[]>();
    for (const found of await worksByIds(knex, userId, batch.flatMap(idPairs)))
      byId.set(`${found.source}\u0000${found.key}`, [
        ...(byId.get(`${found.source}\u0000${found.key}`) ?? []),
        found.work,
      ]);
    const idDecisions = batch.map((record) =>
      decideByIds(
        record,
        idPairs(record).flatMap((pair) => byId.get(`${pair.source}\u0000${pair.key}`) ?? []),
      ),
    );
    const byTitle = new Map<string, Candidate[]>();
    const wanted = batch.flatMap((record, index) => (idDecisions[index] ? [] : titlesOf(record)));
    for (const found of await worksByTitles(knex, [...new Set(wanted)]))
      byTitle.set(found.asked, [...(byTitle.get(found.asked) ?? []), found.work]);
    batch.forEach((record, index) => {
      decisions.push(
        idDecisions[index] ??
          decideByTitle(
            record,
            titlesOf(record).flatMap((title) => byTitle.get(title) ?? []),
          ),
      );
    });
  }
  return decisions;
}

/**
 * Flags the records where the upload's bytes that were not UTF-8 landed (each became U+FFFD in
 * what the record took from its row): those rows say so, the others do not. Bytes in a column
 * the import does not read change nothing imported, and flag nothing. A reader that words the
 * problem itself (MyAnimeList's, per field) is not repeated.
 */
function flagReplacedBytes(records: ImportRecord[]): void {
  for (const record of records) {
    if (record.problems.some((problem) => problem.includes('not UTF-8'))) continue;
    const { origin: _origin, problems: _problems, ...taken } = record;
    if (JSON.stringify(taken).includes('\uFFFD'))
      record.problems.push('the row held bytes that are not UTF-8 text: they were replaced (shown as �)');
  }
}

/** Whether record `a` is newer than `b` (its source changed it later, or it comes later in the file). */
function newer(a: ImportRecord, b: ImportRecord): boolean {
  if (a.updatedAt && b.updatedAt && a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  return true;
}

/** What applying a matched row would do to the entry as it is, in `mode`. */
function outcomeFor(
  record: ImportRecord,
  current: EntryValues | null,
  mode: ImportMode,
  today: string,
): { outcome: 'add' | 'change' | 'unchanged'; changes: ReturnType<typeof entryChanges> | null; after: EntryValues } {
  const { values, statusGiven } = recordValues(record, today);
  const after = mergedEntry(current, values, mode, statusGiven);
  if (current === null) return { outcome: 'add', changes: entryChanges(null, after), after };
  const changes = entryChanges(current, after);
  return Object.keys(changes).length
    ? { outcome: 'change', changes, after }
    : { outcome: 'unchanged', changes: null, after };
}

export type ReadStepResult = { status: 'ready'; summary: Record<string, number> } | { status: 'failed'; error: string };

/**
 * Step 1, in the worker's transaction: unpack and read the upload, match every record, and store
 * the rows with what applying each would do. A file that cannot be read fails the job with a
 * message for the person; nothing of theirs is touched either way.
 */
export async function readImport(
  knex: Knex,
  trx: Knex.Transaction,
  job: { id: string; userId: string; options: ImportJobOptions },
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<ReadStepResult & { sourceName?: string }> {
  const upload = await uploadOf(trx, job.id);
  let records: ImportRecord[];
  let rejected: { origin: { file: string; line: number }; reason: string; raw: string }[];
  let sourceName: string;
  let replaced: number;
  try {
    const members = await unpackUpload(upload.bytes, upload.fileName, limits);
    replaced = members.reduce((sum, member) => sum + member.replacedBytes, 0);
    const format = job.options.format ? formatNamed(job.options.format) : undefined;
    const chosen =
      format ??
      (() => {
        const detected = detectFormat(members, [...IMPORT_FORMATS], upload.fileName);
        if (detected.kind !== 'found')
          throw new ImportFileError('The file’s format could not be told: choose its source.');
        return detected.format;
      })();
    sourceName = chosen.name;
    const options: ReadOptions = {
      anilistScoreFormat: job.options.anilistScoreFormat as ReadOptions['anilistScoreFormat'],
      listKind: job.options.listKind,
    };
    ({ records, rejected } = chosen.read(members, options));
    // jsonb takes no NUL character (a file may hold one, raw or escaped in JSON): dropped.
    records = JSON.parse(JSON.stringify(records, withoutNul)) as ImportRecord[];
    rejected = JSON.parse(JSON.stringify(rejected, withoutNul)) as typeof rejected;
  } catch (error) {
    if (error instanceof ImportFileError) return { status: 'failed', error: error.message };
    throw error;
  }
  if (replaced > 0) flagReplacedBytes(records);

  await recordProgress(knex, job.id, 'matching', 0, records.length);
  const decisions: MatchDecision[] = [];
  for (let start = 0; start < records.length; start += BATCH) {
    decisions.push(...(await matchRecords(trx, job.userId, records.slice(start, start + BATCH))));
    await recordProgress(knex, job.id, 'matching', Math.min(records.length, start + BATCH), records.length);
  }

  // Two rows of the file for one work: the newer is applied, the other listed as a duplicate.
  const winner = new Map<string, number>();
  records.forEach((record, index) => {
    const decision = decisions[index]!;
    if (decision.kind !== 'matched') return;
    const held = winner.get(decision.mediaId);
    if (held === undefined || newer(record, records[held]!)) winner.set(decision.mediaId, index);
  });
  const entries = await entriesFor(trx, job.userId, [...winner.keys()]);
  const today = todayUtc();
  const rows: ImportRowInsert[] = [];
  const review: { rowNumber: number; key: string; reason: string; candidates: Candidate[] }[] = [];
  records.forEach((record, index) => {
    const decision = decisions[index]!;
    const rowNumber = index + 1;
    const base = {
      rowNumber,
      file: record.origin.file,
      line: record.origin.line,
      record,
      raw: null,
    };
    if (decision.kind === 'matched') {
      const kept = winner.get(decision.mediaId)!;
      if (kept !== index) {
        rows.push({
          ...base,
          outcome: 'duplicate',
          reason: `the same title as ${records[kept]!.origin.file} line ${records[kept]!.origin.line}, which is the one imported`,
          mediaId: decision.mediaId,
          changes: null,
        });
        return;
      }
      const { outcome, changes } = outcomeFor(record, entries.get(decision.mediaId) ?? null, job.options.mode, today);
      const { problems } = recordValues(record, today);
      const notes = [...record.problems, ...problems];
      rows.push({
        ...base,
        outcome,
        reason: notes.length ? notes.join('; ') : null,
        mediaId: decision.mediaId,
        changes,
      });
    } else if (decision.kind === 'uncertain') {
      rows.push({ ...base, outcome: 'uncertain', reason: decision.reason, mediaId: null, changes: null });
      review.push({
        rowNumber,
        key: idPairs(record)[0]?.key ?? record.title ?? String(rowNumber),
        reason: decision.reason,
        candidates: decision.candidates,
      });
    } else {
      rows.push({ ...base, outcome: 'unmatched', reason: decision.reason, mediaId: null, changes: null });
    }
  });
  rejected.forEach((row, index) => {
    rows.push({
      rowNumber: records.length + index + 1,
      file: row.origin.file,
      line: row.origin.line,
      record: null,
      raw: row.raw,
      outcome: 'rejected',
      reason: row.reason,
      mediaId: null,
      changes: null,
    });
  });
  await replaceImportRows(trx, job.id, rows);
  await insertReviewItems(trx, job.id, job.userId, sourceName, review);
  const summary: Record<string, number> = { rows: rows.length };
  for (const row of rows) summary[row.outcome] = (summary[row.outcome] ?? 0) + 1;
  await logImport(trx, job.id, 'info', 'file read and matched', summary);
  await logRows(trx, job.id, 'read');
  return { status: 'ready', summary, sourceName };
}

/**
 * Works out again what the matched rows would do, against the list as it is now and in the
 * job's mode (after a pick, a mode change, or when applying): add, change or unchanged, with
 * the field changes. Duplicates, review items and rows not imported stay as they are.
 */
async function evaluateRows(
  trx: Knex.Transaction,
  userId: string,
  mode: ImportMode,
  rows: StoredRow[],
  lock: boolean,
): Promise<
  {
    row: StoredRow;
    outcome: 'add' | 'change' | 'unchanged';
    changes: unknown;
    after: EntryValues;
    before: EntryValues | null;
  }[]
> {
  const matched = rows.filter(
    (row) => row.record && row.mediaId && ['add', 'change', 'unchanged'].includes(row.outcome),
  );
  const entries = await entriesFor(trx, userId, [...new Set(matched.map((row) => row.mediaId!))], lock);
  const today = todayUtc();
  return matched.map((row) => {
    const before = entries.get(row.mediaId!) ?? null;
    const { outcome, changes, after } = outcomeFor(row.record!, before, mode, today);
    return { row, outcome, changes, after, before };
  });
}

/** Writes the evaluated outcomes of rows back (so the preview shows what applying will do now). */
async function storeEvaluation(
  trx: Knex.Transaction,
  jobId: string,
  evaluated: Awaited<ReturnType<typeof evaluateRows>>,
) {
  await updateRowOutcomes(
    trx,
    jobId,
    evaluated.map(({ row, outcome, changes }) => ({
      rowNumber: row.rowNumber,
      outcome,
      reason: row.reason,
      mediaId: row.mediaId,
      changes,
    })),
  );
}

/** The summary of a job's rows by outcome, counted in SQL. */
async function summarise(trx: Knex.Transaction, jobId: string): Promise<Record<string, number>> {
  const counts = await outcomeCounts(trx, jobId);
  return { rows: Object.values(counts).reduce((sum, count) => sum + count, 0), ...counts };
}

/**
 * Step 3, in the worker's transaction: the person's entries written as the preview showed them,
 * worked out again against their list as it is now (locked, so an edit in another tab waits).
 * Rows already applied (a second run of the same step after a restart) are not applied again.
 */
export async function applyImport(
  trx: Knex.Transaction,
  job: { id: string; userId: string; options: ImportJobOptions },
  report: ReportProgress = noReport,
): Promise<Record<string, number>> {
  await lockListForImport(trx, job.userId);
  const rows = (await allImportRows(trx, job.id)).filter((row) => row.appliedAt === null);
  // Two rows for one work (picked twice in review) would write one entry twice: the first wins.
  const seen = new Set<string>();
  const twice: StoredRow[] = [];
  const once = rows.filter((row) => {
    if (!row.mediaId || !['add', 'change', 'unchanged'].includes(row.outcome)) return true;
    if (seen.has(row.mediaId)) {
      twice.push(row);
      return false;
    }
    seen.add(row.mediaId);
    return true;
  });
  await updateRowOutcomes(
    trx,
    job.id,
    twice.map((row) => ({
      rowNumber: row.rowNumber,
      outcome: 'duplicate',
      reason: 'the same title as another row, which is the one imported',
      mediaId: row.mediaId,
      changes: null,
    })),
  );
  const evaluated = await evaluateRows(trx, job.userId, job.options.mode, once, true);
  await storeEvaluation(trx, job.id, evaluated);
  const writes = evaluated
    .filter((item) => item.outcome !== 'unchanged')
    .map((item) => ({
      rowNumber: item.row.rowNumber,
      mediaId: item.row.mediaId!,
      before: item.before,
      after: item.after,
      addedAt: item.row.record!.addedAt,
      updatedAt: item.row.record!.updatedAt,
    }));
  await report(0, writes.length);
  for (let start = 0; start < writes.length; start += BATCH) {
    const chunk = writes.slice(start, start + BATCH);
    await writeImportedEntries(trx, job.userId, chunk);
    await recordAppliedRows(trx, job.id, chunk);
    await report(start + chunk.length, writes.length);
  }
  const summary = await summarise(trx, job.id);
  summary.written = writes.length;
  await logImport(trx, job.id, 'info', 'import applied', summary);
  await logRows(trx, job.id, 'applied');
  return summary;
}

/** Re-evaluates a ready job's matched rows in a new mode (the preview then shows that mode). */
export async function changeMode(knex: Knex, userId: string, jobId: string, mode: ImportMode): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const job = await trx('ingest.import_jobs')
      .where({ id: jobId, user_id: userId, status: 'ready' })
      .forUpdate()
      .first<{ options: ImportJobOptions } | undefined>('options');
    if (!job) return false;
    await trx('ingest.import_jobs')
      .where('id', jobId)
      .update({ options: { ...job.options, mode } });
    await storeEvaluation(trx, jobId, await evaluateRows(trx, userId, mode, await allImportRows(trx, jobId), false));
    await finishImportStep(trx, jobId, { status: 'ready', summary: await summarise(trx, jobId) });
    return true;
  });
}

export type ReviewAnswer = { kind: 'pick'; mediaId: string } | { kind: 'skip' };

/**
 * Settles an uncertain (or unmatched) row of a ready import: a picked work becomes the row's
 * match, remembered for the person under every id the row carried, and the row is worked out
 * like any matched one; a skipped row is left out of the import. False when the job or row is not
 * the person's, not ready, or the work does not exist.
 */
export async function answerReview(
  knex: Knex,
  userId: string,
  jobId: string,
  rowNumber: number,
  answer: ReviewAnswer,
): Promise<'done' | 'not-found' | 'no-such-work'> {
  return knex.transaction(async (trx) => {
    const job = await trx('ingest.import_jobs')
      .where({ id: jobId, user_id: userId, status: 'ready' })
      .forUpdate()
      .first<{ options: ImportJobOptions } | undefined>('options');
    if (!job) return 'not-found';
    const row = await importRow(trx, jobId, rowNumber);
    if (
      !row ||
      !row.record ||
      !['uncertain', 'unmatched', 'skipped', 'add', 'change', 'unchanged'].includes(row.outcome)
    )
      return 'not-found';
    if (answer.kind === 'skip') {
      await updateRowOutcomes(trx, jobId, [
        { rowNumber, outcome: 'skipped', reason: 'skipped by you', mediaId: null, changes: null },
      ]);
      await resolveReviewItem(trx, jobId, userId, rowNumber, 'skipped', null);
    } else {
      const work = await workExists(trx, answer.mediaId);
      if (!work) return 'no-such-work';
      const taken = await rowImportingWork(trx, jobId, work.mediaId, rowNumber);
      if (taken) {
        await updateRowOutcomes(trx, jobId, [
          {
            rowNumber,
            outcome: 'duplicate',
            reason: `the same title as ${taken.file} line ${taken.line}, which is the one imported`,
            mediaId: work.mediaId,
            changes: null,
          },
        ]);
        await resolveReviewItem(trx, jobId, userId, rowNumber, 'matched', work.mediaId);
        await finishImportStep(trx, jobId, { status: 'ready', summary: await summarise(trx, jobId) });
        return 'done';
      }
      await rememberLinks(trx, userId, work.mediaId, idPairs(row.record));
      const [evaluated] = await evaluateRows(
        trx,
        userId,
        job.options.mode,
        [{ ...row, mediaId: work.mediaId, outcome: 'add' }],
        false,
      );
      await updateRowOutcomes(trx, jobId, [
        {
          rowNumber,
          outcome: evaluated!.outcome,
          reason: 'matched by you',
          mediaId: work.mediaId,
          changes: evaluated!.changes,
        },
      ]);
      await resolveReviewItem(trx, jobId, userId, rowNumber, 'matched', work.mediaId);
    }
    await finishImportStep(trx, jobId, { status: 'ready', summary: await summarise(trx, jobId) });
    return 'done';
  });
}

export interface UndoResult {
  restored: number;
  /** Entries changed since the import (by hand or by a later import): left as they are. */
  changedSince: { rowNumber: number; title: string }[];
}

/**
 * Step 4, in the worker's transaction: every entry the import wrote put back as it was before
 * (the ones it added removed). An entry that changed since the import (by hand, or by a later
 * import) is left as it is now and named in the job's summary, so nothing done after the import
 * is lost without the person knowing.
 */
export async function undoImport(
  trx: Knex.Transaction,
  job: { id: string; userId: string },
  report: ReportProgress = noReport,
): Promise<Record<string, number | string>> {
  await lockListForImport(trx, job.userId);
  const applied = (await allImportRows(trx, job.id)).filter(
    (row) => row.appliedAt !== null && row.mediaId && row.after,
  );
  const current = await entriesFor(
    trx,
    job.userId,
    applied.map((row) => row.mediaId!),
    true,
  );
  const restores: { mediaId: string; before: EntryValues | null }[] = [];
  const changedSince: string[] = [];
  const touched: { rowNumber: number; mediaId: string; restored: boolean }[] = [];
  for (const row of applied) {
    const now = current.get(row.mediaId!) ?? null;
    const restored = sameEntry(now, row.after);
    if (restored) restores.push({ mediaId: row.mediaId!, before: row.before });
    else changedSince.push(row.record?.title ?? `line ${row.line}`);
    touched.push({ rowNumber: row.rowNumber, mediaId: row.mediaId!, restored });
  }
  await report(0, restores.length);
  for (let start = 0; start < restores.length; start += BATCH) {
    const chunk = restores.slice(start, start + BATCH);
    await restoreEntries(trx, job.userId, chunk);
    await report(start + chunk.length, restores.length);
  }
  const summary = {
    ...(await summarise(trx, job.id)),
    restored: restores.length,
    changedSince: changedSince.length,
    // The first titles, for the page to name (the log keeps them all).
    // One title a line: jsonb takes no NUL, and a title holds no line break.
    changedSinceTitles: changedSince.slice(0, 10).join('\n'),
  };
  await logImport(trx, job.id, 'info', 'import undone', { restored: restores.length, changedSince });
  await logUndoneRows(trx, job.id, touched);
  return summary;
}

/** Asks the queue to undo an applied import. */
export async function requestUndo(knex: Knex, userId: string, jobId: string): Promise<boolean> {
  return queueUndo(knex, userId, jobId);
}

/**
 * One import of a person's at a time applies or undoes: two at once (two processes) could both
 * find an entry missing and both record that they added it. Held to the transaction's end.
 */
async function lockListForImport(trx: Knex.Transaction, userId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`list-import:${userId}`]);
}

/** Confirms a ready import: the worker applies it. */
export async function confirmImport(knex: Knex, userId: string, jobId: string): Promise<boolean> {
  return moveImportJob(knex, userId, jobId, ['ready'], { status: 'applying' });
}

/** Discards an import not yet applied (or one that failed). */
export async function cancelImport(knex: Knex, userId: string, jobId: string): Promise<boolean> {
  return moveImportJob(knex, userId, jobId, ['ready', 'pending', 'failed'], { status: 'cancelled' });
}

/** A job as the pages show it. */
export async function importJob(knex: Knex, userId: string, jobId: string): Promise<ImportJob | undefined> {
  return findImportJob(knex, userId, jobId);
}

/** After this many failed attempts a job is marked failed rather than tried again. */
const MAX_ATTEMPTS = 3;
const FAILED_MESSAGE = 'This import failed several times on our side: nothing was written. Try again later.';

/**
 * Runs one step of the oldest job with work (reading a file, or applying a confirmed import),
 * inside the transaction that holds the job's lock (see claimNextImportJob): a process that dies
 * mid-step rolls back, and its job is simply taken again. A step that throws (a bug, the database
 * gone) rolls back too, and the job is tried again up to MAX_ATTEMPTS times, then failed with a
 * message. True when a step ran.
 */
export async function runNextImportStep(knex: Knex, logger: Logger, limits?: UploadLimits): Promise<boolean> {
  let failed: { id: string; error: unknown } | undefined;
  return knex
    .transaction(async (trx) => {
      const job = await claimNextImportJob(trx);
      if (!job) return false;
      try {
        if (job.status === 'pending') {
          const result = await readImport(knex, trx, job, limits);
          if (result.status === 'failed') {
            await finishImportStep(trx, job.id, { status: 'failed', error: result.error });
            await logImport(trx, job.id, 'warn', 'the file could not be read', { reason: result.error });
          } else {
            await finishImportStep(trx, job.id, {
              status: 'ready',
              summary: result.summary,
              error: null,
              sourceName: result.sourceName,
            });
          }
        } else if (job.status === 'applying') {
          const summary = await applyImport(trx, job, (done, total) =>
            recordProgress(knex, job.id, 'applying', done, total),
          );
          await finishImportStep(trx, job.id, { status: 'succeeded', summary });
        } else {
          const summary = await undoImport(trx, job, (done, total) =>
            recordProgress(knex, job.id, 'undoing', done, total),
          );
          await finishImportStep(trx, job.id, { status: 'undone', summary });
        }
        return true;
      } catch (error) {
        failed = { id: job.id, error };
        throw error;
      }
    })
    .catch(async (error: unknown) => {
      if (!failed) throw error;
      logger.error({ err: error, importJob: failed.id }, 'an import step failed');
      await countFailedAttempt(knex, failed.id, MAX_ATTEMPTS, FAILED_MESSAGE);
      return true;
    });
}
