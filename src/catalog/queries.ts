import type { Knex } from 'knex';
import { whereMediaMatches } from '../tables/media-filters';
import { TITLE_COLUMNS, type TitleSummary } from '../tables/title-queries';
import { entryExists, joinViewerEntry } from '../entries/queries';
import { type Status } from '../entries/statuses';
import { vocabularyColumns, type CatalogVocabulary } from '../tables/vocabulary-queries';
import { MATCHES_WORDS, RANKED_CANDIDATES, relevanceCandidates } from './candidate-queries';
import { planSearch } from '../search/queries';
import type { SearchPlan } from '../search/plan';
import { MAX_ROWS, PAGE_SIZE, type CatalogQuery } from './validation';

export interface CatalogRow extends TitleSummary {
  id: string;
  creators: string[];
  country: string | null;
  genres: string[];
  trackingCount: number;
  /** The viewer's status for this title, when signed in and it is in their list. */
  status: Status | null;
}

/**
 * Past this many matches the count says "more than": counting further would cost more than the
 * page, and no page past it can be shown anyway.
 */
export const COUNT_LIMIT = MAX_ROWS;

/**
 * How many titles of each type the whole catalog holds (every type, 0 included), for the type
 * filter's menu: per type, the sum of its genre '' rows in media.facet_counts (one per class of
 * the type: an index read of a few rows), the counts the result count of a type filter reads too,
 * so the menu and the results agree. The whole catalog's, whatever the other filters: see
 * src/catalog/type-choices.ts.
 */
const TYPE_COUNTS = `
      coalesce((select json_object_agg(t.media_type,
                                       (select coalesce(sum(f.media_count), 0) from media.facet_counts f
                                         where f.media_type = t.media_type and f.genre = ''))
                  from media.media_types t), '{}') as "typeCounts"`;

/** Each sort reads an index in order (see the catalog migrations), ties broken by id. */
function orderFor(query: CatalogQuery): string {
  const dir = query.direction;
  switch (query.sort) {
    case 'year':
      return `m.release_date ${dir} nulls last, m.id ${dir}`;
    case 'type':
      return `m.media_type ${dir}, m.title ${dir}, m.id ${dir}`;
    case 'popularity':
      return `m.tracking_count ${dir}, m.id ${dir}`;
    default:
      return `m.title ${dir}, m.id ${dir}`;
  }
}

/** The titles the filters let through (not the search), before ordering and paging. */
function filtered(knex: Knex, query: CatalogQuery, userId: string | null): Knex.QueryBuilder {
  const base = whereMediaMatches(knex('media.media as m'), query);
  if (query.genres.length) base.whereRaw('m.genres && ?::text[]', [query.genres]);
  if (query.list && userId) {
    if (query.list === 'out') base.whereNotExists(entryExists(knex, userId));
    else base.whereExists(entryExists(knex, userId, query.list === 'in' ? undefined : query.list));
  }
  return base;
}

/** The filtered, searched set of titles, before ordering and paging. */
function matching(knex: Knex, query: CatalogQuery, userId: string | null, tsquery: string | null): Knex.QueryBuilder {
  const base = filtered(knex, query, userId);
  if (query.q) base.whereRaw(tsquery ? MATCHES_WORDS : 'false', tsquery ? [tsquery] : []);
  return base;
}

async function searchByRelevance(
  knex: Knex,
  query: CatalogQuery,
  userId: string | null,
  plan: SearchPlan,
): Promise<CatalogPage> {
  const { wordMatches, titleMatches } = relevanceCandidates(knex, query, plan, () => filtered(knex, query, userId));
  const ranked = onPage(knex('candidates').select('id', 'title', 'rank').orderByRaw('rank desc, title, id'), query);
  const page = rowsOf(knex, ranked, 'x', 'x.rank desc, x.title, x.id', userId);
  // json_agg takes the rows in the order the subquery gives them.
  const { rows } = await knex.raw<{
    rows: ({ rows: CatalogRow[]; total: number; wordCount: number } & CatalogVocabulary & TypeCounts)[];
  }>(
    `with word_matches as ?, title_matches as ?,
          candidates as (select id, title, max(rank) as rank
                           from (select id, title, rank from word_matches
                                 union all select id, title, rank from title_matches) c
                          group by id, title)
     select coalesce((select json_agg(r) from ? as r), '[]') as rows, (select count(*) from candidates) as total,
            (select count(*) from word_matches) as "wordCount", ${vocabularyColumns(true)}, ${TYPE_COUNTS}`,
    [wordMatches, titleMatches, page],
  );
  const [found] = rows;
  if (!found) throw new Error('the search query returned no row');
  const capped = Number(found.wordCount) > RANKED_CANDIDATES;
  return {
    rows: found.rows,
    total: capped ? RANKED_CANDIDATES : Number(found.total),
    capped,
    vocabulary: vocabularyOf(found),
    typeCounts: found.typeCounts,
  };
}

/** The vocabulary columns of a statement's row. */
function vocabularyOf({ types, classes, genres }: CatalogVocabulary): CatalogVocabulary {
  return { types, classes, genres };
}

/**
 * How many titles match, as a one-value query. A set chosen by type, class and at most one genre
 * is read from the counts the triggers keep (media.facet_counts); anything narrower (years, list,
 * search, several genres) is counted, up to COUNT_LIMIT (`capsAt`: a count above it means "more").
 */
function countMatching(
  knex: Knex,
  query: CatalogQuery,
  userId: string | null,
  tsquery: string | null,
): { count: Knex.QueryBuilder; capsAt: number | null } {
  const byFacets = !query.q && query.from === null && query.to === null && !query.list && query.genres.length <= 1;
  if (byFacets) {
    const counts = knex('media.facet_counts').where('genre', query.genres[0] ?? '');
    if (query.types.length) counts.whereIn('media_type', query.types);
    // A class takes in the classes below it; a title has one class, so no title counts twice.
    if (query.classes.length) counts.whereRaw('media_class <@ ?::ltree[]', [query.classes]);
    return { count: counts.select(knex.raw('coalesce(sum(media_count), 0)')), capsAt: null };
  }
  const capped = matching(knex, query, userId, tsquery)
    .select(knex.raw('1'))
    .limit(COUNT_LIMIT + 1);
  return { count: knex.from(capped.as('capped')).select(knex.raw('count(*)')), capsAt: COUNT_LIMIT };
}

/** The columns of a catalog row, with the viewer's status when there is a viewer. */
function withRowColumns(knex: Knex, base: Knex.QueryBuilder, userId: string | null): Knex.QueryBuilder {
  base
    .join('media.media_types as t', 't.media_type', 'm.media_type')
    .select(
      'm.id',
      ...TITLE_COLUMNS,
      'm.creators',
      'm.country_of_origin as country',
      'm.genres',
      'm.tracking_count as trackingCount',
    );
  return userId ? joinViewerEntry(base, userId) : base.select(knex.raw('null as status'));
}

/** The query's page of an ordered query. */
function onPage(ordered: Knex.QueryBuilder, query: CatalogQuery): Knex.QueryBuilder {
  return ordered.limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE);
}

/** A page's rows: its ids (a subquery with an `id` column, named `alias`) joined to their columns, in `order`. */
function rowsOf(
  knex: Knex,
  ids: Knex.QueryBuilder,
  alias: string,
  order: string,
  userId: string | null,
): Knex.QueryBuilder {
  const page = knex.from(ids.as(alias)).join('media.media as m', 'm.id', `${alias}.id`);
  return withRowColumns(knex, page, userId).orderByRaw(order);
}

interface TypeCounts {
  /** Titles of each media type in the whole catalog, whatever the filters (every type, 0 included). */
  typeCounts: Record<string, number>;
}

export interface CatalogPage extends TypeCounts {
  rows: CatalogRow[];
  total: number;
  capped: boolean;
  /** The filters' names, read in the same statement. */
  vocabulary: CatalogVocabulary;
}

/**
 * One page of the catalog and the number of matches, in SQL: filters and sorts on indexed
 * columns; a search matches every word typed as a prefix (a typo also as the nearest catalog
 * words: search-plan.ts) and, sorted by relevance, ranks a bounded set of candidates
 * (candidate-queries.ts). With a viewer, each row carries their status.
 *
 * The page, its count, the filters' names and the titles of each type come back from one
 * statement, as JSON: on two cores a round trip costs about as much as the page's SQL itself, in
 * Node and in PostgreSQL alike. (A search first looks its words up in the catalog's word list.)
 */
export async function searchCatalog(knex: Knex, query: CatalogQuery, userId: string | null): Promise<CatalogPage> {
  const plan = query.q ? await planSearch(knex, query.q) : null;
  const tsquery = plan?.tsquery ?? null;
  if (plan && query.sort === 'relevance') {
    const page = await searchByRelevance(knex, query, userId, plan);
    if (page.total > 0 || !plan.mayCorrectMore) return page;
    // Nothing has every word as typed: one that is a word may stand for another ("forest gump").
    const looser = await planSearch(knex, query.q, { correctEveryWord: true });
    return looser ? searchByRelevance(knex, query, userId, looser) : page;
  }
  // The page's ids first, then their columns: the ids come from the sort's index alone (an
  // index-only scan), so skipping 7,450 rows for page 150 reads no row it does not show.
  const ids = onPage(matching(knex, query, userId, tsquery).select('m.id').orderByRaw(orderFor(query)), query);
  const page = rowsOf(knex, ids, 'page', orderFor(query), userId);
  const { count, capsAt } = countMatching(knex, query, userId, tsquery);
  // json_agg takes the rows in the order the subquery gives them.
  const { rows } = await knex.raw<{ rows: ({ total: number; rows: CatalogRow[] } & CatalogVocabulary & TypeCounts)[] }>(
    `select ?::bigint as total, coalesce((select json_agg(r) from ? as r), '[]') as rows, ${vocabularyColumns(true)},
            ${TYPE_COUNTS}`,
    [count, page],
  );
  const [found] = rows;
  if (!found) throw new Error('the catalog query returned no row');
  const total = Number(found.total);
  const capped = capsAt !== null && total > capsAt;
  return {
    rows: found.rows,
    total: capped ? capsAt : total,
    capped,
    vocabulary: vocabularyOf(found),
    typeCounts: found.typeCounts,
  };
}

/** One catalog row by id (to show it again after a change), or undefined. */
export async function findCatalogRow(
  knex: Knex,
  mediaId: string,
  userId: string | null,
): Promise<CatalogRow | undefined> {
  const rows = (await withRowColumns(knex, knex('media.media as m').where('m.id', mediaId), userId)) as CatalogRow[];
  return rows[0];
}
