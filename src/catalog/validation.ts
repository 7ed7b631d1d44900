import {
  tableUrl,
  choices,
  chosenColumns,
  direction,
  LAST_PAGE,
  MAX_ROWS,
  PAGE_SIZE,
  pageNumber,
  quoted,
  searchText,
  shownColumns,
  single,
  yearRange,
  type Direction,
} from '../tables/params';
import { STATUSES } from '../entries/statuses';

export { LAST_PAGE, MAX_ROWS, PAGE_SIZE, type Direction };

/**
 * The catalog's state lives in the query string. Reading it never fails: a value that makes no
 * sense is dropped or corrected, and a note says so on the page.
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

/** Reads the query string against what exists; never throws. */
export function parseCatalogQuery(raw: Record<string, unknown>, known: CatalogVocabulary): ParsedCatalogQuery {
  const notes: string[] = [];
  const q = searchText(raw.q, notes);

  const types = choices(raw.type, known.types, 'media type', notes);
  const classes = choices(raw.class, known.classes, 'kind of media', notes);
  const genres = choices(raw.genre, known.genres, 'genre', notes);

  const { from, to } = yearRange(raw, notes);

  const requestedList = single(raw.list)?.trim();
  let listFilter: ListFilter | null = null;
  if (requestedList) {
    if (!known.signedIn) notes.push('Sign in to filter by your list.');
    else if ((LIST_FILTERS as readonly string[]).includes(requestedList)) listFilter = requestedList as ListFilter;
    else notes.push(`${quoted(requestedList)} is not a list status; the list filter was left out.`);
  }

  const columns = chosenColumns(raw, COLUMNS, notes);

  const requestedSort = single(raw.sort);
  let sort: CatalogQuery['sort'] = q ? 'relevance' : 'title';
  if (requestedSort !== undefined) {
    if ((SORTS as readonly string[]).includes(requestedSort)) sort = requestedSort as Sort;
    else if (requestedSort === 'relevance' && q) sort = 'relevance';
    else notes.push(`Sorting by ${quoted(requestedSort, 40)} is not possible; the list is sorted by ${sort}.`);
  }

  const dir = direction(raw.dir, notes);
  const page = pageNumber(raw.page, notes);
  return {
    query: { q, types, classes, genres, from, to, list: listFilter, columns, sort, direction: dir, page },
    notes,
  };
}

/** The columns to show: the URL's choice, else the user's saved one, else the defaults. */
export function resolveColumns(query: CatalogQuery, saved: readonly string[] | null): Column[] {
  return shownColumns(query.columns, saved, COLUMNS, DEFAULT_COLUMNS);
}

/** The query string for a state, leaving defaults out so URLs stay short and shareable. */
export function catalogUrl(query: CatalogQuery, changes: Partial<CatalogQuery> = {}): string {
  const next = { ...query, ...changes };
  const filters = (params: URLSearchParams) => {
    for (const type of next.types) params.append('type', type);
    for (const mediaClass of next.classes) params.append('class', mediaClass);
    for (const genre of next.genres) params.append('genre', genre);
    if (next.from !== null) params.set('from', String(next.from));
    if (next.to !== null) params.set('to', String(next.to));
    if (next.list) params.set('list', next.list);
  };
  return tableUrl('/catalog', next, { filters, defaultSort: next.q ? 'relevance' : 'title', defaultDirection: 'asc' });
}

/** The state with no search and no filter (Clear), keeping the columns and the sort. */
export function clearedQuery(query: CatalogQuery): Partial<CatalogQuery> {
  return {
    q: '',
    types: [],
    classes: [],
    genres: [],
    from: null,
    to: null,
    list: null,
    sort: query.sort === 'relevance' ? 'title' : query.sort,
    page: 1,
  };
}
