import { readTableQuery, tableQueryUrl, type TableDefinition, type TableFilter } from '../tables/definition';
import { classesFilter, namesFilter, typesFilter, yearsFilter } from '../tables/filters';
import { LAST_PAGE, MAX_ROWS, PAGE_SIZE, quoted, single, type Direction } from '../tables/params';
import { STATUS_LABELS, STATUSES } from '../entries/statuses';

export { LAST_PAGE, MAX_ROWS, PAGE_SIZE, type Direction };

/**
 * The catalog's state lives in the query string (CATALOG_TABLE). Reading it never fails: a value
 * that makes no sense is dropped or corrected, and a note says so on the page.
 */
export const SORTS = ['title', 'year', 'type', 'popularity'] as const;
export type Sort = (typeof SORTS)[number];

/** The direction a sort starts in when its header is first chosen. */
export const FIRST_DIRECTION: Record<Sort, Direction> = { title: 'asc', year: 'desc', type: 'asc', popularity: 'desc' };

/** Columns a visitor may show or hide; the title and the action column always show. */
export const COLUMNS = ['type', 'year', 'creators', 'country', 'genres', 'popularity'] as const;
export type Column = (typeof COLUMNS)[number];
export const DEFAULT_COLUMNS: readonly Column[] = ['type', 'year', 'creators'];
export const COLUMN_LABELS: Record<Column, string> = {
  type: 'Type',
  year: 'Released',
  creators: 'Creators',
  country: 'Country',
  genres: 'Genres',
  popularity: 'Tracked by',
};

/** "In my list" filter: anything in the list, nothing in it, or one status. */
export const LIST_FILTERS = ['in', 'out', ...STATUSES] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

export interface CatalogQuery {
  q: string;
  types: string[];
  /** ltree paths such as "written" or "video.series". */
  classes: string[];
  genres: string[];
  from: number | null;
  to: number | null;
  /** Only for a signed-in viewer; null means no list filter. */
  list: ListFilter | null;
  /** The columns chosen in the URL, or null when the URL does not say (saved or default columns). */
  columns: Column[] | null;
  sort: Sort | 'relevance';
  direction: Direction;
  page: number;
}

/** What the query string may refer to, read from the database. */
export interface CatalogVocabulary {
  types: string[];
  classes: string[];
  genres: string[];
  signedIn: boolean;
}

export interface ParsedCatalogQuery {
  query: CatalogQuery;
  notes: string[];
}

/** The "in my list" filter (`list=in`, `out` or a status): only for a signed-in viewer. */
const listFilter: TableFilter<CatalogQuery, CatalogVocabulary> = {
  read: (raw, known, notes) => {
    const requested = single(raw.list)?.trim();
    if (!requested) return { list: null };
    if (!known.signedIn) notes.push('Sign in to filter by your list.');
    else if ((LIST_FILTERS as readonly string[]).includes(requested)) return { list: requested as ListFilter };
    else notes.push(`${quoted(requested)} is not a list status; the list filter was left out.`);
    return { list: null };
  },
  write: (params, state) => {
    if (state.list) params.set('list', state.list);
  },
  off: { list: null },
  badges: (state, _context, without) =>
    state.list ? [{ label: `My list: ${listFilterLabel(state.list)}`, removeUrl: without({ list: null }) }] : [],
};

export function listFilterLabel(value: ListFilter): string {
  if (value === 'in') return 'In my list';
  if (value === 'out') return 'Not in my list';
  return STATUS_LABELS[value];
}

/** The catalog's table: the search, filters, columns and sort of its URL (see TableDefinition). */
const types = typesFilter<CatalogQuery, CatalogVocabulary>();
const classes = classesFilter<CatalogQuery, CatalogVocabulary>();
const genres = namesFilter<CatalogQuery, CatalogVocabulary, 'genres'>({
  key: 'genres',
  param: 'genre',
  what: 'genre',
  known: (known) => known.genres,
  badge: (genre) => `Genre: ${genre}`,
});
const years = yearsFilter<CatalogQuery, CatalogVocabulary>();

export const CATALOG_TABLE: TableDefinition<CatalogQuery, CatalogVocabulary, Column> = {
  path: '/catalog',
  filters: [types, classes, genres, years, listFilter],
  badgeOrder: [types, classes, years, genres, listFilter],
  sorts: (q) => (q ? [...SORTS, 'relevance'] : SORTS),
  defaultSort: (q) => (q ? 'relevance' : 'title'),
  defaultDirection: () => 'asc',
  columns: COLUMNS,
  defaultColumns: DEFAULT_COLUMNS,
};

/** Reads the query string against what exists; never throws. */
export function parseCatalogQuery(raw: Record<string, unknown>, known: CatalogVocabulary): ParsedCatalogQuery {
  return readTableQuery(CATALOG_TABLE, raw, known);
}

/** The query string for a state, leaving defaults out so URLs stay short and shareable. */
export function catalogUrl(query: CatalogQuery, changes: Partial<CatalogQuery> = {}): string {
  return tableQueryUrl(CATALOG_TABLE, query, changes);
}
