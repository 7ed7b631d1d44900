import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { changesTo, newWork } from './fields';
import { decide, decideIds, idName, type Conflict, type TitleCandidate } from './matching';
import {
  ensureSource,
  finishJob,
  retireWorks,
  sourceKeysOf,
  startJob,
  worksByIds,
  worksOfIds,
  worksOfSource,
  worksTitled,
  writeChunk,
  writeIdLinks,
  writeLogs,
  type ChunkWrites,
  type LogLine,
  type NewWork,
} from './queries';
import { fileNamedFranchises, fileSequelChains, writeRelations, type PendingRelation } from './relations';
import type { IdsRecord, IngestRecord, SourceAdapter, WorksAdapter } from './source';

/**
 * One run of a source through the pipeline: its records read from its files, a chunk at a time,
 * each chunk written in one transaction; then the relations the records gave, and franchises. The
 * run is an ingest.import_jobs row with its counts, its trail in ingest.import_logs, and what it
 * could not settle in ingest.conflicts. User data is never written.
 *
 * A works source's records are each matched to the work they describe (src/ingest/matching.ts)
 * or made a new work, and merged field by field (src/ingest/fields.ts). Its files are the whole
 * source: a work the source no longer describes loses the source's id, and is deleted only when no
 * other source describes it and nobody tracks it.
 *
 * An ids-only source's records only add to the works other sources made: each names a work by
 * its ids, and the work gains the ids that name no work yet. It never makes or deletes a work,
 * and what it added stays when a newer dump drops it (a link does not say who wrote it).
 */

export interface IngestSummary {
  records: number;
  /** Works made, changed, and matched but left as they were (works sources). */
  inserted: number;
  updated: number;
  unchanged: number;
  /** Records whose key came again in the same run (the first one counts). */
  repeated: number;
  skipped: number;
  conflicts: number;
  /** Works the source no longer describes: deleted, kept for another source, kept as tracked. */
  removed: number;
  unlinked: number;
  keptTracked: number;
  /** Ids linked to works already there (ids-only sources). */
  linked: number;
  /** Records none of whose ids names a work (ids-only sources): they make none. */
  unmatched: number;
  /** Relationship rows written, both directions counted. */
  relations: number;
  /** Relations not written: a work at an end is not in the catalog, or one work is at both. */
  relationsSkipped: number;
  /** Works filed under a franchise (given a collection_path). */
  collections: number;
}

const CHUNK = 1000;

/** Takes a source's files through the pipeline as one job (see above); its counts are the job's. */
export async function runIngest(
  knex: Knex,
  adapter: SourceAdapter,
  files: string[],
  logger: Logger,
): Promise<{ jobId: string; summary: IngestSummary }> {
  await ensureSource(knex, adapter);
  const jobId = await startJob(knex, adapter.name, { files });
  const summary: IngestSummary = {
    records: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    repeated: 0,
    skipped: 0,
    conflicts: 0,
    removed: 0,
    unlinked: 0,
    keptTracked: 0,
    linked: 0,
    unmatched: 0,
    relations: 0,
    relationsSkipped: 0,
    collections: 0,
  };
  const run: Run = { knex, jobId, summary, logs: [], relations: [], names: new Map() };
  try {
    if (adapter.kind === 'ids') {
      await readInChunks(run, adapter, files, logger, (records) => ingestIdsChunk(run, adapter.name, records));
    } else {
      const seen = await readInChunks(run, adapter, files, logger, (records) => ingestChunk(run, adapter, records));
      await retireGone(run, adapter, seen);
      summary.collections += await fileNamedFranchises(knex, adapter.keyName);
    }
    if (run.relations.length) await finishRelations(run);
    run.logs.push({ level: 'info', message: 'finished', details: { ...summary } });
    await writeLogs(knex, jobId, run.logs.splice(0));
    await finishJob(knex, jobId, { status: 'succeeded', summary: { ...summary } });
    return { jobId, summary };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await writeLogs(knex, jobId, [...run.logs.splice(0), { level: 'error', message }]);
    await finishJob(knex, jobId, { status: 'failed', summary: { ...summary }, error: message });
    throw error;
  }
}

/** What one run carries from chunk to chunk. */
interface Run {
  knex: Knex;
  jobId: string;
  summary: IngestSummary;
  logs: LogLine[];
  /** The relations the records gave, written once every record is in (a target may come later). */
  relations: PendingRelation[];
  /** What an ids-only source called the works it named, by work id, to name their franchises. */
  names: Map<string, string>;
}

/**
 * Reads a source's files, a key once (a repeated key is logged and passed over), and hands the
 * records on a chunk at a time; the trail is written after each chunk. Returns the keys read.
 */
async function readInChunks<Item extends { key: string }>(
  run: Run,
  adapter: {
    name: string;
    read(file: string, skip: (reason: string, details: Record<string, unknown>) => void): AsyncIterable<Item>;
  },
  files: string[],
  logger: Logger,
  ingest: (records: Item[]) => Promise<void>,
): Promise<Set<string>> {
  const { knex, jobId, summary, logs } = run;
  const seen = new Set<string>();
  for (const file of files) {
    logger.info({ source: adapter.name, file }, 'ingest: reading');
    let chunk: Item[] = [];
    const skip = (reason: string, details: Record<string, unknown>) => {
      summary.skipped += 1;
      logs.push({ level: 'warn', message: `skipped: ${reason}`, details: { file, ...details } });
    };
    for await (const record of adapter.read(file, skip)) {
      summary.records += 1;
      if (seen.has(record.key)) {
        summary.repeated += 1;
        logs.push({
          level: 'warn',
          message: 'a key came twice; the first record was kept',
          details: { key: record.key },
        });
        continue;
      }
      seen.add(record.key);
      chunk.push(record);
      if (chunk.length === CHUNK) {
        await ingest(chunk);
        await writeLogs(knex, jobId, logs.splice(0));
        chunk = [];
      }
    }
    if (chunk.length) await ingest(chunk);
    await writeLogs(knex, jobId, logs.splice(0));
    logger.info({ source: adapter.name, file, ...summary }, 'ingest: file done');
  }
  return seen;
}

/** Matches, merges and writes one chunk of records, in one transaction. */
async function ingestChunk(run: Run, adapter: WorksAdapter, records: IngestRecord[]): Promise<void> {
  const { knex, jobId, summary, logs } = run;
  const { keyName, name: source } = adapter;
  const idsOf = (record: IngestRecord) => [
    { name: keyName, value: record.key },
    ...Object.entries(record.externalIds).map(([name, value]) => ({ name, value })),
  ];
  const titlesOf = (record: IngestRecord) =>
    [record.title, record.originalTitle, ...record.otherTitles].filter((title): title is string => Boolean(title));

  const workOfId = await worksOfIds(knex, records.flatMap(idsOf));
  const unmatched = records.filter((record) => !workOfId.has(idName(keyName, record.key)));
  const candidates = await worksTitled(knex, [...new Set(unmatched.flatMap(titlesOf))], keyName);
  const sourceKeyOf = await sourceKeysOf(knex, keyName, [...new Set(workOfId.values())]);
  const byTitle = new Map<string, (TitleCandidate & { title: string })[]>();
  for (const candidate of candidates)
    byTitle.set(candidate.title, [...(byTitle.get(candidate.title) ?? []), candidate]);

  // Works claimed in this chunk by a record are no other record's (a source describes a work once),
  // and the ids linked in this chunk name their works for the records after.
  const claimed = new Map<string, string>();
  const linked = new Map<string, string>();
  const inserts: NewWork[] = [];
  const matches: { record: IngestRecord; mediaId: string }[] = [];
  const conflicts: { key: string; conflict: Conflict; payload: Record<string, unknown> }[] = [];
  const links: { mediaId: string; name: string; value: string }[] = [];
  const titles: { mediaId: string; title: string }[] = [];

  for (const record of records) {
    const decision = decide(record, keyName, {
      workOfId: (id) => workOfId.get(id) ?? linked.get(id),
      sourceKeyOf: (work) => sourceKeyOf.get(work) ?? claimed.get(work),
      candidates: titlesOf(record)
        .flatMap((title) => byTitle.get(title) ?? [])
        .map((candidate) => ({
          ...candidate,
          sourceKey: candidate.sourceKey ?? claimed.get(candidate.mediaId) ?? null,
        })),
    });
    let mediaId: string;
    if (decision.kind === 'match') {
      mediaId = decision.mediaId;
      matches.push({ record, mediaId });
    } else {
      mediaId = crypto.randomUUID();
      const { fields, sources } = newWork(record, source);
      inserts.push({ id: mediaId, mediaType: record.mediaType, mediaClass: record.mediaClass, fields, sources });
    }
    claimed.set(mediaId, record.key);
    for (const conflict of decision.conflicts) {
      conflicts.push({ key: record.key, conflict, payload: { title: record.title, date: record.releaseDate } });
    }
    // An id behind a conflict stays with the work it names; the others are linked to this one.
    const contested = new Set(decision.conflicts.flatMap((conflict) => conflict.externalId ?? []));
    for (const id of idsOf(record)) {
      const name = idName(id.name, id.value);
      if (workOfId.has(name) || linked.has(name) || contested.has(name)) continue;
      links.push({ mediaId, ...id });
      linked.set(name, mediaId);
    }
    for (const title of titlesOf(record)) titles.push({ mediaId, title });
    // The record's own key names its work once the chunk is written, whatever it was matched by.
    for (const relation of record.relations ?? []) {
      run.relations.push({ from: { [keyName]: record.key }, kind: relation.kind, to: relation.externalIds });
    }
  }

  const stored = await worksByIds(
    knex,
    matches.map((match) => match.mediaId),
  );
  const updates: ChunkWrites['updates'] = [];
  for (const { record, mediaId } of matches) {
    const work = stored.get(mediaId);
    const changed = work ? changesTo(work, record, source) : null;
    if (!work || !changed) {
      summary.unchanged += 1;
      continue;
    }
    updates.push({ id: mediaId, ...changed });
    // A work two records of one chunk describe is read once: the second sees the first's values.
    stored.set(mediaId, { ...work, ...changed.changes, field_sources: changed.sources });
  }
  const recorded = await writeChunk(knex, jobId, source, { inserts, updates, links, titles, conflicts });
  summary.inserted += inserts.length;
  summary.updated += new Set(updates.map((update) => update.id)).size;
  summary.conflicts += recorded;
  if (recorded) logs.push({ level: 'warn', message: `${recorded} conflicts recorded` });
}

/** A work the source no longer describes: see runIngest. */
async function retireGone(run: Run, adapter: WorksAdapter, seen: ReadonlySet<string>): Promise<void> {
  const { knex, summary, logs } = run;
  const gone = (await worksOfSource(knex, adapter.keyName)).filter((work) => !seen.has(work.key));
  if (gone.length === 0) return;
  const tracked = gone.filter((work) => work.tracked);
  const described = gone.filter((work) => !work.tracked && work.otherIds > 0);
  const orphans = gone.filter((work) => !work.tracked && work.otherIds === 0);
  summary.removed += await retireWorks(knex, adapter.keyName, {
    unlink: described.map((work) => work.key),
    remove: orphans.map((work) => work.mediaId),
  });
  summary.unlinked += described.length;
  summary.keptTracked += tracked.length;
  for (const work of tracked) {
    logs.push({
      level: 'warn',
      message: 'gone from the source but tracked: kept',
      details: { key: work.key, mediaId: work.mediaId },
    });
  }
}

/**
 * Links the ids of one chunk of an ids-only source to the works they name (decideIds), and
 * records the ids that name another work as conflicts, in one transaction.
 */
async function ingestIdsChunk(run: Run, source: string, records: IdsRecord[]): Promise<void> {
  const { knex, jobId, summary, logs } = run;
  const workOfId = await worksOfIds(
    knex,
    records.flatMap((record) => Object.entries(record.externalIds).map(([name, value]) => ({ name, value }))),
  );
  // The ids linked in this chunk name their works for the records after.
  const linked = new Map<string, string>();
  const links: ChunkWrites['links'] = [];
  const conflicts: ChunkWrites['conflicts'] = [];
  for (const record of records) {
    const decision = decideIds(record.externalIds, (id) => workOfId.get(id) ?? linked.get(id));
    for (const relation of record.relations ?? []) {
      run.relations.push({ from: record.externalIds, kind: relation.kind, to: relation.externalIds });
    }
    if (decision.mediaId === null) {
      summary.unmatched += 1;
      continue;
    }
    const mediaId = decision.mediaId;
    if (record.name && !run.names.has(mediaId)) run.names.set(mediaId, record.name);
    for (const id of decision.links) {
      links.push({ mediaId, ...id });
      linked.set(idName(id.name, id.value), mediaId);
    }
    // The record has no work of its own to be found by: the conflict names the one it named.
    for (const conflict of decision.conflicts)
      conflicts.push({ key: record.key, conflict, payload: { work: mediaId } });
  }
  const written = await writeIdLinks(knex, jobId, source, { links, conflicts });
  summary.linked += written.linked;
  summary.conflicts += written.conflicts;
  if (written.conflicts) logs.push({ level: 'warn', message: `${written.conflicts} conflicts recorded` });
}

/** The relations the records gave, then the franchises of the sequel chains they make. */
async function finishRelations(run: Run): Promise<void> {
  const { knex, summary, logs } = run;
  const { written, skipped } = await writeRelations(knex, run.relations);
  summary.relations += written;
  summary.relationsSkipped += skipped;
  const { filed, unnamed } = await fileSequelChains(knex, run.names);
  summary.collections += filed;
  logs.push({
    level: 'info',
    message: 'relations written',
    details: { given: run.relations.length, written, skipped, filed, unnamedChains: unnamed },
  });
}
