/**
 * A person's entries as a list import reads and writes them (src/imports/): the entries of the
 * works an import matched, the entries it applies, and the entries its undo puts back. Every
 * statement is set-based (unnest), a thousand entries at a time, in the caller's transaction.
 */
import type { Knex } from '../database/connection';
import type { EntryFields } from './rules';

/** Bindings for unnest(): Knex's binding type has no room for arrays that hold nulls. */
const bindings = (values: unknown[]) => values as Knex.RawBinding[];

/** The person's entries for these works, as the importer compares them. */
export async function entriesFor(
  knex: Knex | Knex.Transaction,
  userId: string,
  mediaIds: string[],
  lock = false,
): Promise<Map<string, EntryFields>> {
  if (mediaIds.length === 0) return new Map();
  const query = knex('interaction.user_media')
    .where('user_id', userId)
    .whereRaw('media_id = any(?::uuid[])', [mediaIds])
    .select<(EntryFields & { mediaId: string })[]>(
      'media_id as mediaId',
      'status',
      'rating',
      'progress',
      'notes',
      knex.raw(`to_char(started_at at time zone 'UTC', 'YYYY-MM-DD') as "startedOn"`),
      knex.raw(`to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD') as "completedOn"`),
    );
  const rows = await (lock ? query.forUpdate() : query);
  return new Map(rows.map(({ mediaId, ...values }) => [mediaId, values]));
}

/**
 * Writes the entries an import applies (added, or changed in place). An added entry keeps the
 * times the source gave (added, last changed; never later than now), so a list brought over
 * sorts and reads as it did there; an entry changed in place is changed now.
 */
export async function writeImportedEntries(
  trx: Knex.Transaction,
  userId: string,
  writes: { mediaId: string; after: EntryFields; addedAt?: string | null; updatedAt?: string | null }[],
): Promise<void> {
  for (let start = 0; start < writes.length; start += 1000) {
    const chunk = writes.slice(start, start + 1000);
    const column = <K extends keyof EntryFields>(key: K) => chunk.map((write) => write.after[key]);
    await trx.raw(
      `insert into interaction.user_media (user_id, media_id, status, rating, progress, notes, started_at, completed_at,
                                           created_at, updated_at)
       select ?::uuid, w.media_id, w.status, w.rating, w.progress, w.notes,
              w.started_on::timestamp at time zone 'UTC', w.completed_on::timestamp at time zone 'UTC',
              t.created, greatest(least(coalesce(w.updated_at, now()), now()), t.created)
         from unnest(?::uuid[], ?::text[], ?::int[], ?::int[], ?::text[], ?::date[], ?::date[],
                     ?::timestamptz[], ?::timestamptz[])
              as w(media_id, status, rating, progress, notes, started_on, completed_on, added_at, updated_at)
         cross join lateral (select least(coalesce(w.added_at, w.updated_at, now()), now()) as created) t
       on conflict (user_id, media_id) do update set
         status = excluded.status, rating = excluded.rating, progress = excluded.progress, notes = excluded.notes,
         started_at = excluded.started_at, completed_at = excluded.completed_at`,
      bindings([
        userId,
        chunk.map((write) => write.mediaId),
        column('status'),
        column('rating'),
        column('progress'),
        column('notes'),
        column('startedOn'),
        column('completedOn'),
        chunk.map((write) => stamp(write.addedAt)),
        chunk.map((write) => stamp(write.updatedAt)),
      ]),
    );
  }
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** A source's time as PostgreSQL reads it (a bare day is its start in UTC); null for anything else. */
const stamp = (value: string | null | undefined) =>
  !value ? null : /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : ISO_TIME.test(value) ? value : null;

/** Puts entries back as they were: removes the ones an import added, restores the others' values. */
export async function restoreEntries(
  trx: Knex.Transaction,
  userId: string,
  restores: { mediaId: string; before: EntryFields | null }[],
): Promise<void> {
  const removed = restores.filter((item) => item.before === null).map((item) => item.mediaId);
  for (let start = 0; start < removed.length; start += 1000)
    await trx('interaction.user_media')
      .where('user_id', userId)
      .whereIn('media_id', removed.slice(start, start + 1000))
      .delete();
  const restored = restores.filter((item) => item.before !== null) as {
    mediaId: string;
    before: EntryFields;
  }[];
  for (let start = 0; start < restored.length; start += 1000) {
    const chunk = restored.slice(start, start + 1000);
    const column = <K extends keyof EntryFields>(key: K) => chunk.map((item) => item.before[key]);
    await trx.raw(
      `update interaction.user_media e set status = w.status, rating = w.rating, progress = w.progress,
              notes = w.notes, started_at = w.started_on::timestamp at time zone 'UTC',
              completed_at = w.completed_on::timestamp at time zone 'UTC'
         from unnest(?::uuid[], ?::text[], ?::int[], ?::int[], ?::text[], ?::date[], ?::date[])
              as w(media_id, status, rating, progress, notes, started_on, completed_on)
        where e.user_id = ? and e.media_id = w.media_id`,
      bindings([
        chunk.map((item) => item.mediaId),
        column('status'),
        column('rating'),
        column('progress'),
        column('notes'),
        column('startedOn'),
        column('completedOn'),
        userId,
      ]),
    );
  }
}
