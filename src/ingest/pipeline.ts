import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { changesTo, newWork } from './fields';
import { decide, idName, type Conflict, type TitleCandidate } from './matching';
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
  writeLogs,
  type ChunkWrites,
  type LogLine,
  type NewWork,
} from './queries';
import type { IngestRecord, SourceAdapter } from './source';

/**
 * One run of a source through the pipeline: its records read from its files, each matched to
 * the work it describes (src/ingest/matching.ts) or made a new work, merged field by field
 * (src/ingest/fields.ts), and written a chunk at a time, each chunk in one transaction. The run
 * is an ingest.import_jobs row with its counts, its trail in ingest.import_logs, and what it
 * could not settle in ingest.conflicts. The files given are the whole source: a work the source
 * no longer describes loses the source's id, and is deleted only when no other source describes
 * it and nobody tracks it. User data is never written.
 */

export interface IngestSummary {
  records: number;
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
}

const CHUNK = 1000;

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
  };
  const seen = new Set<string>();
  const logs: LogLine[] = [];
  try {
    for (const file of files) {
      logger.info({ source: adapter.name, file }, 'ingest: reading');
      let chunk: IngestRecord[] = [];
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
          await ingestChunk(knex, adapter, jobId, chunk, summary, logs);
          await writeLogs(knex, jobId, logs.splice(0));
          chunk = [];
        }
      }
      await ingestChunk(knex, adapter, jobId, chunk, summary, logs);
      await writeLogs(knex, jobId, logs.splice(0));
      logger.info({ source: adapter.name, file, ...summary }, 'ingest: file done');
    }
    await retireGone(knex, adapter, seen, summary, logs);
    logs.push({ level: 'info', message: 'finished', details: { ...summary } });
    await writeLogs(knex, jobId, logs.splice(0));
    await finishJob(knex, jobId, { status: 'succeeded', summary: { ...summary } });
    return { jobId, summary };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await writeLogs(knex, jobId, [...logs.splice(0), { level: 'error', message }]);
    await finishJob(knex, jobId, { status: 'failed', summary: { ...summary }, error: message });
    throw error;
  }
}

/** Matches, merges and writes one chunk of records, in one transaction. */
async function ingestChunk(
  knex: Knex,
  adapter: SourceAdapter,
  jobId: string,
  records: IngestRecord[],
  summary: IngestSummary,
  logs: LogLine[],
): Promise<void> {
  if (records.length === 0) return;
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
async function retireGone(
  knex: Knex,
  adapter: SourceAdapter,
  seen: ReadonlySet<string>,
  summary: IngestSummary,
  logs: LogLine[],
): Promise<void> {
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
