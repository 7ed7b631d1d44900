import type { Knex } from 'knex';
import { searchQuery, vocabularyColumns, type CatalogVocabulary } from '../catalog/queries';
import { whereMediaMatches } from '../tables/media-filters';
import { PAGE_SIZE } from '../tables/params';
import { countsForEveryStatus, STATUSES, type Status } from '../users/queries';
import { changedFields, RATING_SCALES, type EntryField, type EntryFields, type RatingScale } from './rules';
import type { ListQuery, ListSort } from './table';

/**
 * Puts a title in a user's list unless it is there already; adding twice leaves the first entry
 * as it was. Says whether this call added it, and the entry's status either way; undefined when
 * there is no such title.
 */
export async function insertEntry(
  knex: Knex,
  userId: string,
  mediaId: string,
  status: Status,
): Promise<{ added: boolean; status: Status } | undefined> {
  const result = await knex.raw<{ rows: { added: boolean; status: Status }[] }>(
    `with media as (select id from media.media where id = :mediaId),
          inserted as (
            insert into interaction.user_media (user_id, media_id, status)
            select :userId, id, :status from media
            on conflict (user_id, media_id) do nothing
            returning status)
     select true as added, status from inserted
     union all
     select false, e.status from interaction.user_media e
      where e.user_id = :userId and e.media_id = :mediaId and not exists (select 1 from inserted)`,
    { userId, mediaId, status },
  );
  return result.rows[0];
}

/** A list row: the entry, with what the table shows of its title. */
export interface ListRow {
  mediaId: string;
  title: string;
  originalTitle: string | null;
  mediaType: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  /** media_types.progress_unit: episodes, chapters, pages, minutes, hours. */
  unit: string;
  /** The title's length in that unit, when its attributes say. */
  total: number | null;
  status: Status;
  /** Stored, 1–100. */
  rating: number | null;
  progress: number | null;
  notes: string | null;
  startedOn: string | null;
  completedOn: string | null;
  updatedAt: Date;
}

/** The attribute that holds a title's length in each progress unit (none for hours), as text. */
export const TOTAL_TEXT = `case t.progress_unit
    when 'episodes' then m.attributes ->> 'episodes'
    when 'chapters' then m.attributes ->> 'chapters'
    when 'pages' then m.attributes ->> 'pages'
    when 'minutes' then m.attributes ->> 'runtime_minutes'
  end`;

/** Entries of one user joined with their titles; every list query starts here, scoped to the user. */
function entriesOf(knex: Knex, userId: string): Knex.QueryBuilder {
  return knex('interaction.user_media as e')
    .join('media.media as m', 'm.id', 'e.media_id')
    .join('media.media_types as t', 't.media_type', 'm.media_type')
    .where('e.user_id', userId);
}

const ROW_COLUMNS = [
  'e.media_id as mediaId',
  'm.title',
  'm.original_title as originalTitle',
  'm.media_type as mediaType',
  't.label as typeLabel',
  'm.release_date as releaseDate',
  'm.release_date_precision as releaseDatePrecision',
  't.progress_unit as unit',
  'e.status',
  'e.rating',
  'e.progress',
  'e.notes',
  'e.updated_at as updatedAt',
];

function selectRow(knex: Knex, builder: Knex.QueryBuilder): Knex.QueryBuilder {
  return builder.select(
    ...ROW_COLUMNS,
    knex.raw(`case when (${TOTAL_TEXT}) ~ '^[0-9]{1,7}$' then (${TOTAL_TEXT})::int end as total`),
    knex.raw(`to_char(e.started_at at time zone 'UTC', 'YYYY-MM-DD') as "startedOn"`),
    knex.raw(`to_char(e.completed_at at time zone 'UTC', 'YYYY-MM-DD') as "completedOn"`),
  );
}

/** One entry of one user's list, or undefined (not theirs, or no such title). */
export async function findListRow(knex: Knex, userId: string, mediaId: string): Promise<ListRow | undefined> {
  const rows = (await selectRow(knex, entriesOf(knex, userId).where('e.media_id', mediaId))) as ListRow[];
  return rows[0];
}

const LIST_ORDER: Record<ListSort, string> = {
  title: 'm.title',
  rating: 'e.rating',
  progress: 'e.progress',
  updated: 'e.updated_at',
  started: 'e.started_at',
  completed: 'e.completed_at',
  year: 'm.release_date',
};

/** Narrows `interaction.user_media as e` by what the entry itself holds: status and rating. */
function whereEntryMatches(builder: Knex.QueryBuilder, query: ListQuery, scale: RatingScale): Knex.QueryBuilder {
  if (query.statuses.length) builder.whereIn('e.status', query.statuses);
  if (query.ratingFrom !== null || query.ratingTo !== null) {
    const { step } = RATING_SCALES[scale];
    const onScale = 'greatest(1, round(e.rating::numeric / ?))';
    builder.whereNotNull('e.rating');
    if (query.ratingFrom !== null) builder.whereRaw(`${onScale} >= ?`, [step, query.ratingFrom]);
    if (query.ratingTo !== null) builder.whereRaw(`${onScale} <= ?`, [step, query.ratingTo]);
  }
  return builder;
}

export interface ListPage {
  rows: ListRow[];
  total: number;
  /** The user's entries by status (all of them, whatever the filters). */
  statusCounts: Record<Status, number>;
  /** The types and classes the filters accept, read in the same statement. */
  vocabulary: Pick<CatalogVocabulary, 'types' | 'classes'>;
}

/**
 * One page of a user's list and how many entries match: search (the catalog's full-text search,
 * typos corrected), status, type, class, years and rating, every query scoped to the user.
 * Entries without the sorted value come last either way. The page, its count, the user's counts
 * by status and the filters' names come back from one statement, as JSON: on
 * two cores a round trip costs about as much as the SQL of a page.
 *
 * When nothing asks about the titles (no search, no media filter), the count and, for a sort on
 * the entry's own columns, the page's ids come from the user's partition of user_media alone;
 * only the page's 50 titles are read. Joining all 5,000 titles of a big list first cost 5-20 ms.
 * Ties go by title when titles are read anyway, else by id. A query that filters by status at
 * most takes its total from the counts by status instead of counting.
 */
export async function listEntries(knex: Knex, userId: string, query: ListQuery, scale: RatingScale): Promise<ListPage> {
  const dir = query.direction;
  const offset = (query.page - 1) * PAGE_SIZE;
  const asksAboutTitles =
    Boolean(query.q) || query.types.length > 0 || query.classes.length > 0 || query.from !== null || query.to !== null;
  const entries = () => whereEntryMatches(knex('interaction.user_media as e').where('e.user_id', userId), query, scale);

  let page: Knex.QueryBuilder;
  /** The entries that match, when the titles must be read to know (the statement's WITH). */
  let matching: Knex.QueryBuilder | undefined;
  let count: Knex.QueryBuilder | Knex.Raw;
  const byStatusOnly = !asksAboutTitles && query.ratingFrom === null && query.ratingTo === null;
  if (!asksAboutTitles) {
    count = byStatusOnly ? knex.raw('null') : entries().count('*');
    if (LIST_ORDER[query.sort].startsWith('e.')) {
      // updated_at is never null: without "nulls last" the order is the (user_id, updated_at desc) index's.
      const nulls = query.sort === 'updated' ? '' : ' nulls last';
      const order = `${LIST_ORDER[query.sort]} ${dir}${nulls}, e.media_id ${dir}`;
      const ids = entries().select('e.media_id').orderByRaw(order).limit(PAGE_SIZE).offset(offset);
      page = selectRow(knex, entriesOf(knex, userId).whereIn('e.media_id', ids)).orderByRaw(order);
    } else {
      page = selectRow(knex, whereEntryMatches(entriesOf(knex, userId), query, scale))
        .orderByRaw(`${LIST_ORDER[query.sort]} ${dir} nulls last, m.title ${dir}, e.media_id ${dir}`)
        .limit(PAGE_SIZE)
        .offset(offset);
    }
  } else {
    // Each matching entry's title is read once, for the count and the page's order alike (a
    // filter on the type visits every completed title of a big list: 4-5 ms each time); only the
    // page's 50 rows are then read whole.
    matching = whereMediaMatches(whereEntryMatches(entriesOf(knex, userId), query, scale), query).select(
      'e.media_id',
      knex.raw(`${LIST_ORDER[query.sort]} as sort_value`),
      'm.title as sort_title',
    );
    if (query.q) {
      const tsquery = await searchQuery(knex, query.q);
      matching.whereRaw(tsquery ? 'm.search_vector @@ ?::tsquery' : 'false', tsquery ? [tsquery] : []);
    }
    count = knex('matching').count('*');
    const order = `sort_value ${dir} nulls last, sort_title ${dir}, media_id ${dir}`;
    const pageOfMatching = knex('matching').select('*').orderByRaw(order).limit(PAGE_SIZE).offset(offset);
    page = selectRow(knex, entriesOf(knex, userId).join(pageOfMatching.as('x'), 'x.media_id', 'e.media_id')).orderByRaw(
      `x.sort_value ${dir} nulls last, x.sort_title ${dir}, e.media_id ${dir}`,
    );
  }
  type Found = { rows: (Omit<ListRow, 'updatedAt'> & { updatedAt: string })[]; counted: number | null } & {
    statusCounts: Partial<Record<Status, number>>;
  } & CatalogVocabulary;
  // json_agg takes the rows in the order the subquery gives them.
  const { rows } = await knex.raw<{ rows: Found[] }>(
    `${matching ? 'with matching as materialized ? ' : ''}select coalesce((select json_agg(r) from ? as r), '[]') as rows, ?::bigint as counted,
            coalesce((select json_object_agg(status, entries) from interaction.list_status_counts
                       where user_id = ?), '{}') as "statusCounts", ${vocabularyColumns(false)}`,
    [...(matching ? [matching] : []), page, count, userId],
  );
  const [found] = rows;
  if (!found) throw new Error('the list query returned no row');
  const statusCounts = countsForEveryStatus(found.statusCounts);
  const statuses: readonly Status[] = query.statuses.length ? query.statuses : STATUSES;
  const total = byStatusOnly
    ? statuses.reduce((sum, status) => sum + statusCounts[status], 0)
    : Number(found.counted ?? 0);
  return {
    rows: found.rows.map((row) => ({ ...row, updatedAt: new Date(row.updatedAt) })),
    total,
    statusCounts,
    vocabulary: { types: found.types, classes: found.classes },
  };
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
function columnsToWrite(current: ListRow, next: EntryFields): Record<string, unknown> {
  const update: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changedFields(current, next)) as [EntryField, unknown][]) {
    update[COLUMN_OF[field]] =
      (field === 'startedOn' || field === 'completedOn') && value !== null ? `${String(value)}T00:00:00Z` : value;
  }
  return update;
}

/** Reads of an entry that may be written without a lock before editEntry takes one. */
const UNLOCKED_ATTEMPTS = 3;

type EditDecision<Refusal> = (current: ListRow) => { next: EntryFields } | { refused: Refusal };
type EditOutcome<Refusal> = { row: ListRow } | { refused: Refusal; row: ListRow } | undefined;

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
  const read = selectRow(db, entriesOf(db, userId).where('e.media_id', mediaId));
  if (guard === 'lock') read.forUpdate('e');
  else read.select(db.raw('e.xmin::text as version'));
  const current = (await read.first()) as (ListRow & { version?: string }) | undefined;
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
