import type { Knex } from 'knex';
import type { Conflict, TitleCandidate } from './matching';
import type { WorkFields } from './fields';
import type { SourceAdapter } from './source';

/** The SQL of the ingest pipeline (src/ingest/pipeline.ts): sources, jobs, logs, works, ids, titles, conflicts. */

export async function ensureSource(knex: Knex, adapter: SourceAdapter): Promise<void> {
  await knex('ingest.sources')
    .insert({ name: adapter.name, label: adapter.label, homepage: adapter.homepage, licence: adapter.licence })
    .onConflict('name')
    .merge(['label', 'homepage', 'licence']);
}

export async function startJob(knex: Knex, source: string, options: Record<string, unknown>): Promise<string> {
  const [job] = await knex('ingest.import_jobs')
    .insert({ source_name: source, status: 'running', options, started_at: knex.fn.now() })
    .returning<{ id: string }[]>('id');
  return job!.id;
}

export async function finishJob(
  knex: Knex,
  jobId: string,
  outcome: { status: 'succeeded' | 'failed'; summary: Record<string, number>; error?: string },
): Promise<void> {
  await knex('ingest.import_jobs')
    .where({ id: jobId })
    .update({ ...outcome, error: outcome.error ?? null, finished_at: knex.fn.now() });
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  details?: Record<string, unknown>;
}

export async function writeLogs(knex: Knex, jobId: string, lines: LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await knex('ingest.import_logs').insert(
    lines.map((line) => ({ job_id: jobId, level: line.level, message: line.message, details: line.details ?? null })),
  );
}

/** The work each id names, by "name:value", for the ids asked ({ name, value }). */
export async function worksOfIds(knex: Knex, ids: { name: string; value: string }[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await knex.raw<{ rows: { name: string; value: string; mediaId: string }[] }>(
    `select l.source_name as name, l.external_key as value, l.media_id as "mediaId"
       from media.external_links l
       join unnest(?::text[], ?::text[]) as asked(name, value)
         on l.source_name = asked.name and l.external_key = asked.value`,
    [ids.map((id) => id.name), ids.map((id) => id.value)],
  );
  return new Map(rows.rows.map((row) => [`${row.name}:${row.value}`, row.mediaId]));
}

/** Each work's key under `keyName` (a source's own key), for the works asked that have one. */
export async function sourceKeysOf(knex: Knex, keyName: string, mediaIds: string[]): Promise<Map<string, string>> {
  if (mediaIds.length === 0) return new Map();
  const rows = await knex('media.external_links')
    .where('source_name', keyName)
    .whereIn('media_id', mediaIds)
    .select<{ mediaId: string; key: string }[]>('media_id as mediaId', 'external_key as key');
  return new Map(rows.map((row) => [row.mediaId, row.key]));
}

/** The works known by any of these titles (as match keys), with the title each was found under. */
export async function worksTitled(
  knex: Knex,
  titles: string[],
  keyName: string,
): Promise<(TitleCandidate & { title: string })[]> {
  if (titles.length === 0) return [];
  const { rows } = await knex.raw<{ rows: (TitleCandidate & { title: string })[] }>(
    `with asked as (select distinct t as title, media.match_key(t) as title_key from unnest(?::text[]) t)
     select a.title, m.id as "mediaId", m.media_type as "mediaType",
            extract(year from m.release_date)::int as year,
            (select l.external_key from media.external_links l
              where l.media_id = m.id and l.source_name = ? limit 1) as "sourceKey"
       from asked a
       join media.title_keys k on k.title_key = a.title_key
       join media.media m on m.id = k.media_id`,
    [titles, keyName],
  );
  return rows;
}

export type StoredWork = WorkFields & { id: string; field_sources: Record<string, string> };

/** The fields of these works, as the pipeline compares them. */
export async function worksByIds(knex: Knex, ids: string[]): Promise<Map<string, StoredWork>> {
  if (ids.length === 0) return new Map();
  const rows = await knex('media.media')
    .whereIn('id', ids)
    .select<StoredWork[]>(
      'id',
      'title',
      'original_title',
      knex.raw(`to_char(release_date, 'YYYY-MM-DD') as release_date`),
      'release_date_precision',
      'country_of_origin',
      'creators',
      'attributes',
      'field_sources',
    );
  return new Map(rows.map((row) => [row.id, row]));
}

export interface NewWork {
  id: string;
  mediaType: string;
  mediaClass: string;
  fields: WorkFields;
  sources: Record<string, string>;
}

/** What one chunk of records writes, in one transaction (see writeChunk). */
export interface ChunkWrites {
  inserts: NewWork[];
  updates: { id: string; changes: Partial<WorkFields>; sources: Record<string, string> }[];
  links: { mediaId: string; name: string; value: string }[];
  titles: { mediaId: string; title: string }[];
  conflicts: { key: string; conflict: Conflict; payload: Record<string, unknown> }[];
}

/** Writes a chunk whole or not at all; returns how many conflicts were new. */
export function writeChunk(knex: Knex, jobId: string, source: string, writes: ChunkWrites): Promise<number> {
  return knex.transaction(async (trx) => {
    await insertWorks(trx, writes.inserts);
    for (const update of writes.updates) await updateWork(trx, update.id, update.changes, update.sources);
    await linkIds(trx, writes.links);
    await addTitles(trx, writes.titles);
    return recordConflicts(trx, jobId, source, writes.conflicts);
  });
}

/**
 * Works a source no longer describes: its key comes off those another source still describes,
 * and those nobody tracks and no other source describes are deleted. Returns how many were.
 */
export function retireWorks(
  knex: Knex,
  keyName: string,
  gone: { unlink: string[]; remove: string[] },
): Promise<number> {
  return knex.transaction(async (trx) => {
    await unlinkKeys(trx, keyName, gone.unlink);
    return deleteUntrackedWorks(trx, gone.remove);
  });
}

async function insertWorks(trx: Knex.Transaction, works: NewWork[]): Promise<void> {
  if (works.length === 0) return;
  await trx('media.media').insert(
    works.map(({ id, mediaType, mediaClass, fields, sources }) => ({
      id,
      media_type: mediaType,
      media_class: mediaClass,
      ...fields,
      attributes: JSON.stringify(fields.attributes),
      field_sources: JSON.stringify(sources),
    })),
  );
}

async function updateWork(
  trx: Knex.Transaction,
  id: string,
  changes: Partial<WorkFields>,
  sources: Record<string, string>,
): Promise<void> {
  const { attributes, ...columns } = changes;
  await trx('media.media')
    .where({ id })
    .update({
      ...columns,
      ...(attributes ? { attributes: JSON.stringify(attributes) } : {}),
      field_sources: JSON.stringify(sources),
      updated_at: trx.fn.now(),
    });
}

/** Links ids to works; an id already linked stays with its work. Returns how many were new. */
async function linkIds(
  trx: Knex.Transaction,
  links: { mediaId: string; name: string; value: string }[],
): Promise<number> {
  if (links.length === 0) return 0;
  const rows = await trx('media.external_links')
    .insert(links.map((link) => ({ media_id: link.mediaId, source_name: link.name, external_key: link.value })))
    .onConflict(['source_name', 'external_key'])
    .ignore()
    .returning('source_name');
  return rows.length;
}

/**
 * What a chunk of an ids-only source writes, in one transaction: ids linked to the works they
 * name, and conflicts. Returns how many ids were linked and how many conflicts were new.
 */
export function writeIdLinks(
  knex: Knex,
  jobId: string,
  source: string,
  writes: Pick<ChunkWrites, 'links' | 'conflicts'>,
): Promise<{ linked: number; conflicts: number }> {
  return knex.transaction(async (trx) => ({
    linked: await linkIds(trx, writes.links),
    conflicts: await recordConflicts(trx, jobId, source, writes.conflicts),
  }));
}

/** Records the titles a work is known by (as match keys). */
async function addTitles(trx: Knex.Transaction, titles: { mediaId: string; title: string }[]): Promise<void> {
  if (titles.length === 0) return;
  await trx.raw(
    `insert into media.title_keys (title_key, media_id)
     select distinct media.match_key(t.title), t.media_id
       from unnest(?::text[], ?::uuid[]) as t(title, media_id)
      where media.match_key(t.title) <> ''
     on conflict do nothing`,
    [titles.map((entry) => entry.title), titles.map((entry) => entry.mediaId)],
  );
}

/**
 * Records conflicts for an administrator; one already pending for the same record, reason and
 * work is not recorded twice (a second run of a file adds nothing).
 */
async function recordConflicts(
  trx: Knex.Transaction,
  jobId: string,
  source: string,
  conflicts: { key: string; conflict: Conflict; payload: Record<string, unknown> }[],
): Promise<number> {
  if (conflicts.length === 0) return 0;
  const { rowCount } = await trx.raw<{ rowCount: number }>(
    `insert into ingest.conflicts (job_id, media_id, source_name, external_key, reason, payload)
     select ?, c.media_id, ?, c.external_key, c.reason, c.payload
       from jsonb_to_recordset(?::jsonb) as c(media_id uuid, external_key text, reason text, payload jsonb)
      where not exists (select 1 from ingest.conflicts p
                         where p.source_name = ? and p.external_key = c.external_key and p.reason = c.reason
                           and p.media_id = c.media_id and p.resolution = 'pending')`,
    [
      jobId,
      source,
      JSON.stringify(
        conflicts.map(({ key, conflict, payload }) => ({
          media_id: conflict.mediaId,
          external_key: key,
          reason: conflict.reason,
          payload: { ...payload, ...(conflict.externalId ? { externalId: conflict.externalId } : {}) },
        })),
      ),
      source,
    ],
  );
  return rowCount;
}

/** Every work a source's key names, with whether anyone tracks it and whether other sources describe it. */
export async function worksOfSource(
  knex: Knex,
  keyName: string,
): Promise<{ key: string; mediaId: string; tracked: boolean; otherIds: number }[]> {
  const { rows } = await knex.raw<{ rows: { key: string; mediaId: string; tracked: boolean; otherIds: number }[] }>(
    `select l.external_key as key, l.media_id as "mediaId", m.tracking_count > 0 as tracked,
            (select count(*) from media.external_links o
              where o.media_id = l.media_id and o.source_name <> l.source_name)::int as "otherIds"
       from media.external_links l
       join media.media m on m.id = l.media_id
      where l.source_name = ?`,
    [keyName],
  );
  return rows;
}

/** Takes a source's key off works another source still describes. */
async function unlinkKeys(trx: Knex.Transaction, keyName: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await trx('media.external_links').where('source_name', keyName).whereIn('external_key', keys).delete();
}

/** Deletes works nobody tracks (their ids, titles and relationships go with them). */
async function deleteUntrackedWorks(trx: Knex.Transaction, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return trx('media.media').whereIn('id', ids).where('tracking_count', 0).delete();
}
