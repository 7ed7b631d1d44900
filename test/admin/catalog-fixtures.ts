import crypto from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Works, runs and conflicts made directly in a test's database for the catalog administration:
 * each with a name of its own, so that tests sharing a database never meet each other's rows.
 */

export const unique = (prefix: string) => `${prefix} ${crypto.randomBytes(4).toString('hex')}`;

export interface WorkFields {
  title: string;
  mediaType?: 'movie' | 'tv' | 'book';
  year?: number | null;
  /** Ids by key name: { enwiki: 'Some_film' }. */
  links?: Record<string, string>;
  country?: string | null;
  creators?: string[];
  attributes?: Record<string, unknown>;
  fieldSources?: Record<string, string>;
  originalTitle?: string | null;
}

const CLASS_OF = { movie: 'video.film', tv: 'video.series', book: 'written.book' } as const;

export async function insertWork(knex: Knex, fields: WorkFields): Promise<string> {
  const mediaType = fields.mediaType ?? 'movie';
  const [row] = await knex('media.media')
    .insert({
      media_type: mediaType,
      media_class: CLASS_OF[mediaType],
      title: fields.title,
      original_title: fields.originalTitle ?? null,
      release_date: fields.year === null ? null : `${fields.year ?? 2001}-01-01`,
      release_date_precision: 'year',
      country_of_origin: fields.country ?? null,
      creators: fields.creators ?? [],
      attributes: JSON.stringify(fields.attributes ?? {}),
      field_sources: JSON.stringify(fields.fieldSources ?? {}),
    })
    .returning<{ id: string }[]>('id');
  const links = Object.entries(fields.links ?? {});
  if (links.length) {
    await knex('media.external_links').insert(
      links.map(([name, key]) => ({ media_id: row!.id, source_name: name, external_key: key })),
    );
  }
  return row!.id;
}

export async function insertRun(
  knex: Knex,
  source: string,
  fields: { status?: string; summary?: Record<string, number>; error?: string | null; minutes?: number } = {},
): Promise<string> {
  const [row] = await knex('ingest.import_jobs')
    .insert({
      source_name: source,
      status: fields.status ?? 'succeeded',
      summary: JSON.stringify(fields.summary ?? {}),
      error: fields.error ?? null,
      // Later runs first on the page: each run starts at its own, later, time.
      created_at: knex.raw(`now() + make_interval(mins => ?)`, [fields.minutes ?? 0]),
      started_at: knex.raw(`now() + make_interval(mins => ?)`, [fields.minutes ?? 0]),
      finished_at: knex.raw(`now() + make_interval(mins => ?, secs => 42)`, [fields.minutes ?? 0]),
    })
    .returning<{ id: string }[]>('id');
  return row!.id;
}

export async function insertConflict(
  knex: Knex,
  fields: { jobId: string; source: string; key: string; mediaId: string; reason: string; externalId?: string },
): Promise<string> {
  const [row] = await knex('ingest.conflicts')
    .insert({
      job_id: fields.jobId,
      media_id: fields.mediaId,
      source_name: fields.source,
      external_key: fields.key,
      reason: fields.reason,
      payload: JSON.stringify(fields.externalId ? { externalId: fields.externalId } : {}),
    })
    .returning<{ id: string }[]>('id');
  return String(row!.id);
}

export async function conflictRow(knex: Knex, id: string) {
  return knex('ingest.conflicts')
    .where('id', id)
    .first<{ resolution: string; resolved_at: Date | null; media_id: string | null; reason: string }>(
      'resolution',
      'resolved_at',
      'media_id',
      'reason',
    );
}

/** A list entry written as it would have been at `updatedAt` (an insert runs no touch trigger). */
export async function insertEntry(
  knex: Knex,
  userId: string,
  mediaId: string,
  fields: {
    status: string;
    rating?: number | null;
    progress?: number | null;
    notes?: string | null;
    updatedAt: string;
    createdAt?: string;
  },
): Promise<void> {
  await knex('interaction.user_media').insert({
    user_id: userId,
    media_id: mediaId,
    status: fields.status,
    rating: fields.rating ?? null,
    progress: fields.progress ?? null,
    notes: fields.notes ?? null,
    created_at: fields.createdAt ?? fields.updatedAt,
    updated_at: fields.updatedAt,
  });
}
