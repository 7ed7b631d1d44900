import type { Knex } from 'knex';
import { searchQuery } from '../search/queries';
import { vocabularyColumns, type CatalogVocabulary } from '../tables/vocabulary-queries';
import { whereMediaMatches, type MediaFilters } from '../tables/media-filters';
import { PAGE_SIZE, type Direction } from '../tables/params';
import { entriesOf, selectEntryRow, type EntryRow } from './queries';
import { RATING_SCALES, type RatingScale } from './ratings';
import { countsForEveryStatus, STATUSES, type Status } from './statuses';

/** The orders a page of a user's entries can take (the list page offers each as a sort). */
export type EntrySort = 'title' | 'rating' | 'progress' | 'updated' | 'started' | 'completed' | 'year';

const LIST_ORDER: Record<EntrySort, string> = {
  title: 'm.title',
  rating: 'e.rating',
  progress: 'e.progress',
  updated: 'e.updated_at',
  started: 'e.started_at',
  completed: 'e.completed_at',
  year: 'm.release_date',
};

/**
 * What a page of a user's entries asks for: the search, the filters, the sort and the page. The
 * list page's ListQuery (src/list/table.ts) is one, read from its URL.
 */
export interface EntryListQuery extends MediaFilters {
  q: string;
  statuses: Status[];
  /** On the user's rating scale, both ends included. */
  ratingFrom: number | null;
  ratingTo: number | null;
  sort: EntrySort;
  direction: Direction;
  page: number;
}

/** Narrows `interaction.user_media as e` by what the entry itself holds: status and rating. */
function whereEntryMatches(builder: Knex.QueryBuilder, query: EntryListQuery, scale: RatingScale): Knex.QueryBuilder {
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
  rows: EntryRow[];
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
export async function listEntries(
  knex: Knex,
  userId: string,
  query: EntryListQuery,
  scale: RatingScale,
): Promise<ListPage> {
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
      page = selectEntryRow(knex, entriesOf(knex, userId).whereIn('e.media_id', ids)).orderByRaw(order);
    } else {
      page = selectEntryRow(knex, whereEntryMatches(entriesOf(knex, userId), query, scale))
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
    page = selectEntryRow(
      knex,
      entriesOf(knex, userId).join(pageOfMatching.as('x'), 'x.media_id', 'e.media_id'),
    ).orderByRaw(`x.sort_value ${dir} nulls last, x.sort_title ${dir}, e.media_id ${dir}`);
  }
  type Found = { rows: (Omit<EntryRow, 'updatedAt'> & { updatedAt: string })[]; counted: number | null } & {
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
