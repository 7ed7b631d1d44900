import type { Knex } from 'knex';
import { TITLE_COLUMNS, type TitleSummary } from '../tables/title-queries';
import { changedFields, type EntryField, type EntryFields } from './rules';
import { countsForEveryStatus, type Status } from './statuses';

/**
 * Every write to a user's list (interaction.user_media) and the reads of its entries: adding,
 * editing under the rules of ./rules.ts, removing and restoring, counts by status, and the export;
 * and the parts of other pages' statements that read entries (whether a title is in a list, the
 * viewer's status beside a title, a title's ratings). No module outside src/entries/ names the
 * table: the bigger reads sit beside this one, in list-queries.ts (the list page),
 * tile-queries.ts (home's tiles) and statistics-queries.ts (a profile's statistics).
 */

/**
 * Puts a title in a user's list unless it is there already; adding twice leaves the first entry
 * as it was. Says whether this call added it, and the entry's status and the title either way;
 * undefined when there is no such title.
 */
export async function insertEntry(
  knex: Knex,
  userId: string,
  mediaId: string,
  status: Status,
): Promise<{ added: boolean; status: Status; title: string } | undefined> {
  const result = await knex.raw<{ rows: { added: boolean; status: Status; title: string }[] }>(
    `with media as (select id, title from media.media where id = :mediaId),
          inserted as (
            insert into interaction.user_media (user_id, media_id, status)
            select :userId, id, :status from media
            on conflict (user_id, media_id) do nothing
            returning status)
     select true as added, status, (select title from media) from inserted
     union all
     select false, e.status, (select title from media) from interaction.user_media e
      where e.user_id = :userId and e.media_id = :mediaId and not exists (select 1 from inserted)`,
    { userId, mediaId, status },
  );
  return result.rows[0];
}

/** An entry, with what a page shows of its title. */
export interface EntryRow extends EntryFields, TitleSummary {
  mediaId: string;
  /** media_types.progress_unit: episodes, chapters, pages, minutes, hours. */
  unit: string;
  /** The title's length in that unit, when its attributes say. */
  total: number | null;
  updatedAt: Date;
}

/**
 * Whether the title `m` (media.media under that alias) is in the user's list, or with `status` in
 * that status: a subquery for whereExists or whereNotExists (the catalog's list filter).
 */
export function entryExists(knex: Knex, userId: string, status?: Status): Knex.QueryBuilder {
  const inList = knex('interaction.user_media as mine')
    .select(knex.raw('1'))
    .where('mine.user_id', userId)
    .whereRaw('mine.media_id = m.id');
  return status ? inList.where('mine.status', status) : inList;
}

/**
 * Joins the viewer's entry for the title `m` (left joined as `entry`) and selects its status: null
 * where the title is not in their list (a catalog row's status).
 */
export function joinViewerEntry(builder: Knex.QueryBuilder, userId: string): Knex.QueryBuilder {
  return builder
    .select('entry.status')
    .leftJoin('interaction.user_media as entry', (join) =>
      join.on('entry.media_id', 'm.id').andOnVal('entry.user_id', userId),
    );
}

/** The viewer's status for each of these titles (one query, whatever their number). */
export async function statusesOf(knex: Knex, userId: string, ids: string[]): Promise<Map<string, Status>> {
  if (ids.length === 0) return new Map();
  const rows = await knex('interaction.user_media')
    .where('user_id', userId)
    .whereIn('media_id', ids)
    .select<{ mediaId: string; status: Status }[]>('media_id as mediaId', 'status');
  return new Map(rows.map((row) => [row.mediaId, row.status]));
}

/**
 * The ratings users gave the title `m` (media.media under that alias), as the body of a lateral
 * subquery: `average`, their mean rounded (1–100; null when none rated it), and `rated`, how many.
 */
export const TITLE_RATINGS = `select round(avg(e.rating))::int as average, count(e.rating) as rated
           from interaction.user_media e where e.media_id = m.id and e.rating is not null`;

/** Entries of one user joined with their titles: every query of a user's entries starts here. */
export function entriesOf(knex: Knex, userId: string): Knex.QueryBuilder {
  return knex('interaction.user_media as e')
    .join('media.media as m', 'm.id', 'e.media_id')
    .join('media.media_types as t', 't.media_type', 'm.media_type')
    .where('e.user_id', userId);
}

const ROW_COLUMNS = [
  'e.media_id as mediaId',
  ...TITLE_COLUMNS,
  't.progress_unit as unit',
  'e.status',
  'e.rating',
  'e.progress',
  'e.notes',
  'e.updated_at as updatedAt',
];

export function selectEntryRow(knex: Knex, builder: Knex.QueryBuilder): Knex.QueryBuilder {
  return builder.select(
    ...ROW_COLUMNS,
    knex.raw('media.title_length(t.progress_unit, m.attributes) as total'),
    knex.raw(`to_char(e.started_at at time zone 'UTC', 'YYYY-MM-DD') as "startedOn"`),
    knex.raw(`to_char(e.completed_at at time zone 'UTC', 'YYYY-MM-DD') as "completedOn"`),
  );
}

/** One entry of one user's list, or undefined (not theirs, or no such title). */
export async function findEntry(knex: Knex, userId: string, mediaId: string): Promise<EntryRow | undefined> {
  const rows = (await selectEntryRow(knex, entriesOf(knex, userId).where('e.media_id', mediaId))) as EntryRow[];
  return rows[0];
}

const COLUMN_OF: Record<EntryField, string> = {
  status: 'status',
  rating: 'rating',
  progress: 'progress',
  notes: 'notes',
  startedOn: 'started_at',
  completedOn: 'completed_at',
};

/** The columns an edit writes: only those whose value changes (dates are days, stored as midnight UTC). */
function columnsToWrite(current: EntryRow, next: EntryFields): Record<string, unknown> {
  const update: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changedFields(current, next)) as [EntryField, string | number | null][]) {
    update[COLUMN_OF[field]] =
      (field === 'startedOn' || field === 'completedOn') && value !== null ? `${value}T00:00:00Z` : value;
  }
  return update;
}

/** Reads of an entry that may be written without a lock before editEntry takes one. */
const UNLOCKED_ATTEMPTS = 3;

type EditDecision<Refusal> = (current: EntryRow) => { next: EntryFields } | { refused: Refusal };
type EditOutcome<Refusal> = { row: EntryRow } | { refused: Refusal; row: EntryRow } | undefined;

/**
 * Applies an edit to one entry of one user: reads it, lets `decide` work out the next values (or
 * refuse), and writes only the columns that changed. Undefined when the user has no such entry.
 *
 * The write goes through only if the row is still the version that was read (its `xmin`), so an
 * edit never rests on a stale read; if another request changed the entry in between, it is read
 * and decided again. That is two round trips, where holding a lock needs four (begin, read for
 * update, write, commit). After `unlockedAttempts` collisions the edit takes the row's lock.
 */
export async function editEntry<Refusal>(
  knex: Knex,
  userId: string,
  mediaId: string,
  decide: EditDecision<Refusal>,
  unlockedAttempts = UNLOCKED_ATTEMPTS,
): Promise<EditOutcome<Refusal>> {
  for (let attempt = 1; attempt <= unlockedAttempts; attempt += 1) {
    const outcome = await attemptEdit(knex, userId, mediaId, decide, 'version');
    if (outcome !== 'collided') return outcome;
  }
  const outcome = await knex.transaction((trx) => attemptEdit(trx, userId, mediaId, decide, 'lock'));
  // Nothing can come between the read and the write while the row is locked.
  return outcome === 'collided' ? undefined : outcome;
}

/**
 * One read, decision and write of an entry. With 'version' the write is kept only if the row is
 * still the version read ('collided' otherwise); with 'lock' (in a transaction) the read locks the
 * entry's row alone, not the title's.
 */
async function attemptEdit<Refusal>(
  db: Knex | Knex.Transaction,
  userId: string,
  mediaId: string,
  decide: EditDecision<Refusal>,
  guard: 'version' | 'lock',
): Promise<EditOutcome<Refusal> | 'collided'> {
  const read = selectEntryRow(db, entriesOf(db, userId).where('e.media_id', mediaId));
  if (guard === 'lock') read.forUpdate('e');
  else read.select(db.raw('e.xmin::text as version'));
  const current = (await read.first()) as (EntryRow & { version?: string }) | undefined;
  if (!current) return undefined;
  const { version, ...row } = current;
  const decision = decide(row);
  if ('refused' in decision) return { refused: decision.refused, row };
  const update = columnsToWrite(row, decision.next);
  if (Object.keys(update).length === 0) return { row };
  const write = db('interaction.user_media').where({ user_id: userId, media_id: mediaId });
  if (guard === 'version') write.whereRaw('xmin = ?::xid', [version ?? '']);
  const [stamped] = await write.update(update).returning<{ updatedAt: Date }[]>('updated_at as updatedAt');
  if (!stamped) return 'collided';
  return { row: { ...row, ...decision.next, updatedAt: stamped.updatedAt } };
}

/** Everything an entry holds, as stored: what Undo puts back. */
export interface RemovedEntry {
  mediaId: string;
  title: string;
  status: Status;
  progress: number | null;
  rating: number | null;
  notes: string | null;
  startedAt: string | null;
  completedAt: string | null;
  metaSnapshot: unknown;
  createdAt: string;
  updatedAt: string;
}

/** Takes a title out of a user's list; returns the entry as it was, or undefined if it was not there. */
export async function removeEntry(knex: Knex, userId: string, mediaId: string): Promise<RemovedEntry | undefined> {
  const { rows } = await knex.raw<{ rows: RemovedEntry[] }>(
    `with removed as (
       delete from interaction.user_media where user_id = ? and media_id = ? returning *)
     select r.media_id as "mediaId", m.title, r.status, r.progress, r.rating, r.notes,
            r.started_at as "startedAt", r.completed_at as "completedAt", r.meta_snapshot as "metaSnapshot",
            r.created_at as "createdAt", r.updated_at as "updatedAt"
       from removed r join media.media m on m.id = r.media_id`,
    [userId, mediaId],
  );
  return rows[0];
}

/**
 * Puts a removed entry back exactly as it was, its dates included; false when the title is in
 * the list again already (added since), which is left as it is.
 */
export async function restoreEntry(knex: Knex, userId: string, entry: RemovedEntry): Promise<boolean> {
  const inserted = await knex('interaction.user_media')
    .insert({
      user_id: userId,
      media_id: entry.mediaId,
      status: entry.status,
      progress: entry.progress,
      rating: entry.rating,
      notes: entry.notes,
      started_at: entry.startedAt,
      completed_at: entry.completedAt,
      meta_snapshot: entry.metaSnapshot === null ? null : JSON.stringify(entry.metaSnapshot),
      created_at: entry.createdAt,
      // An insert runs no touch trigger (that is for updates): the time of the last real change comes back.
      updated_at: entry.updatedAt,
    })
    .onConflict(['user_id', 'media_id'])
    .ignore()
    .returning('media_id');
  return inserted.length > 0;
}

/**
 * How many list entries a user has in each status (statuses with none are 0), from the counts
 * triggers keep beside user_media (interaction.list_status_counts).
 */
export async function countEntriesByStatus(knex: Knex, userId: string): Promise<Record<Status, number>> {
  const rows = await knex('interaction.list_status_counts')
    .where('user_id', userId)
    .select<{ status: Status; count: number }[]>('status', 'entries as count');
  return countsForEveryStatus(Object.fromEntries(rows.map((row) => [row.status, row.count])));
}

/**
 * Rebuilds the counts countEntriesByStatus reads (interaction.list_status_counts) from the entries,
 * for one user or, without one, for everyone: after a load made with triggers off, or counts found
 * drifting. Writes to every list wait while it counts.
 */
export async function recountEntriesByStatus(knex: Knex, userId: string | null = null): Promise<void> {
  await knex.raw('select interaction.recount_list_statuses(?::uuid)', [userId]);
}

/** A user's totals for home's welcome: in progress, completed this (UTC) year, and the list's size. */
export async function listTotals(
  knex: Knex,
  userId: string,
): Promise<{ inProgress: number; completedThisYear: number; total: number }> {
  const { rows } = await knex.raw<{ rows: { inProgress: number; completedThisYear: number; total: number }[] }>(
    `select count(*) filter (where status = 'in_progress')::int as "inProgress",
            count(*) filter (where status = 'completed'
              and completed_at >= date_trunc('year', now() at time zone 'UTC') at time zone 'UTC'
              and completed_at < (date_trunc('year', now() at time zone 'UTC') + interval '1 year') at time zone 'UTC')::int
              as "completedThisYear",
            count(*)::int as total
       from interaction.user_media
      where user_id = ?`,
    [userId],
  );
  return rows[0]!;
}

/** The export's columns, in order: stable, as README.md says (scripts rely on their names and order). */
export const EXPORT_COLUMNS = [
  'media_id',
  'title',
  'original_title',
  'media_type',
  'release_date',
  'status',
  'rating',
  'progress',
  'progress_unit',
  'total',
  'started_on',
  'completed_on',
  'notes',
  'added_at',
  'updated_at',
] as const;
type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

const EXPORT_BATCH = 500;

/**
 * Every entry of a user for the export (src/list/export.ts), in title order: 500 at a time by
 * keyset, in one read-only REPEATABLE READ transaction, so the file is one consistent snapshot
 * and never held whole in memory. Stopping the loop early ends the transaction.
 */
export async function* exportedEntries(knex: Knex, userId: string): AsyncGenerator<ExportRow> {
  const trx = await knex.transaction({ isolationLevel: 'repeatable read', readOnly: true });
  try {
    let after: { title: string; id: string } | null = null;
    for (;;) {
      const query = trx('interaction.user_media as e')
        .join('media.media as m', 'm.id', 'e.media_id')
        .join('media.media_types as t', 't.media_type', 'm.media_type')
        .where('e.user_id', userId)
        .orderBy([{ column: 'm.title' }, { column: 'e.media_id' }])
        .limit(EXPORT_BATCH)
        .select<ExportRow[]>(
          'e.media_id',
          'm.title',
          'm.original_title',
          'm.media_type',
          trx.raw(`to_char(m.release_date, 'YYYY-MM-DD') as release_date`),
          'e.status',
          'e.rating',
          'e.progress',
          't.progress_unit',
          trx.raw('media.title_length(t.progress_unit, m.attributes) as total'),
          trx.raw(`to_char(e.started_at at time zone 'UTC', 'YYYY-MM-DD') as started_on`),
          trx.raw(`to_char(e.completed_at at time zone 'UTC', 'YYYY-MM-DD') as completed_on`),
          'e.notes',
          trx.raw(`to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as added_at`),
          trx.raw(`to_char(e.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as updated_at`),
        );
      if (after) query.whereRaw('(m.title, e.media_id) > (?, ?::uuid)', [after.title, after.id]);
      const rows = await query;
      yield* rows;
      if (rows.length < EXPORT_BATCH) break;
      const last = rows[rows.length - 1]!;
      after = { title: String(last.title), id: String(last.media_id) };
    }
  } finally {
    // Read-only: nothing to commit. Also reached when the download stops early (the client left).
    await trx.rollback();
  }
}
