import { STATUSES } from '../users/queries';

/**
 * The catalog's state lives in the query string. Reading it never fails: a value that makes no
 * sense is dropped or corrected, and a note says so on the page.
 */
export const SORTS = ['title', 'year', 'type', 'popularity'] as const;
export type Sort = (typeof SORTS)[number];
export type Direction = 'asc' | 'desc';

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

export const PAGE_SIZE = 50;
/**
 * Pages are read with OFFSET, which costs a walk over the rows skipped: only the first 10,000
 * matches are shown (200 pages), where a narrower search is the better answer anyway. Keyset
 * paging would lift the limit but lose "go to page N"; docs/benchmarks.md has the figures.
 */
export const MAX_ROWS = 10_000;
export const LAST_PAGE = MAX_ROWS / PAGE_SIZE;
export const MAX_QUERY_LENGTH = 200;
export const MAX_CHOICES = 20;
export const EARLIEST_YEAR = 1800;
export const LATEST_YEAR = 2100;

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

function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function list(value: unknown): string[] {
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return values.filter((item): item is string => typeof item === 'string').map((item) => item.trim());
}

/** The requested values that are known, once each; a note names the kind of value dropped. */
function choices(raw: unknown, known: readonly string[], what: string, notes: string[]): string[] {
  const requested = list(raw).filter(Boolean);
  const kept = [...new Set(requested.filter((value) => known.includes(value)))].slice(0, MAX_CHOICES);
  if (kept.length < new Set(requested).size) notes.push(`An unknown ${what} was left out of the filter.`);
  return kept;
}

function year(raw: unknown, label: string, notes: string[]): number | null {
  const value = single(raw)?.trim();
  if (!value) return null;
  const number = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (number >= EARLIEST_YEAR && number <= LATEST_YEAR) return number;
  notes.push(
    `"${value.slice(0, 20)}" is not a year between ${EARLIEST_YEAR} and ${LATEST_YEAR}; the ${label} year was left out.`,
  );
  return null;
}

/** Reads the query string against what exists; never throws. */
export function parseCatalogQuery(raw: Record<string, unknown>, known: CatalogVocabulary): ParsedCatalogQuery {
  const notes: string[] = [];
  // Control characters (a NUL cannot even be stored in Postgres text) count as spaces.
  let q = (single(raw.q) ?? '').replace(/[\s\p{Cc}]+/gu, ' ').trim();
  if (q.length > MAX_QUERY_LENGTH) {
    q = q.slice(0, MAX_QUERY_LENGTH);
    notes.push(`The search was shortened to its first ${MAX_QUERY_LENGTH} characters.`);
  }

  const types = choices(raw.type, known.types, 'media type', notes);
  const classes = choices(raw.class, known.classes, 'kind of media', notes);
  const genres = choices(raw.genre, known.genres, 'genre', notes);

  let from = year(raw.from, 'earliest', notes);
  let to = year(raw.to, 'latest', notes);
  const decade = single(raw.decade)?.trim();
  if (decade) {
    const start = /^\d{3}0s?$/.test(decade) ? Number(decade.slice(0, 4)) : NaN;
    if (start >= EARLIEST_YEAR && start <= LATEST_YEAR) {
      from = start;
      to = start + 9;
    } else notes.push(`"${decade.slice(0, 20)}" is not a decade such as 1990s; it was left out.`);
  }
  if (from !== null && to !== null && from > to) {
    [from, to] = [to, from];
    notes.push(`The years were the wrong way round; showing ${from} to ${to}.`);
  }

  const requestedList = single(raw.list)?.trim();
  let listFilter: ListFilter | null = null;
  if (requestedList) {
    if (!known.signedIn) notes.push('Sign in to filter by your list.');
    else if ((LIST_FILTERS as readonly string[]).includes(requestedList)) listFilter = requestedList as ListFilter;
    else notes.push(`"${requestedList.slice(0, 20)}" is not a list status; the list filter was left out.`);
  }

  // "col" present at all means the URL chooses the columns; "col=none" hides every optional one.
  // The form says "columns=chosen" as well, since a form with every box cleared sends no "col".
  let columns: Column[] | null = null;
  if (raw.col !== undefined || raw.columns !== undefined) {
    const requested = list(raw.col).filter((value) => value !== '' && value !== 'none');
    columns = COLUMNS.filter((column) => requested.includes(column));
    if (new Set(requested).size > columns.length) notes.push('An unknown column was left out.');
  }

  const requestedSort = single(raw.sort);
  let sort: CatalogQuery['sort'] = q ? 'relevance' : 'title';
  if (requestedSort !== undefined) {
    if ((SORTS as readonly string[]).includes(requestedSort)) sort = requestedSort as Sort;
    else if (requestedSort === 'relevance' && q) sort = 'relevance';
    else notes.push(`Sorting by "${requestedSort.slice(0, 40)}" is not possible; the list is sorted by ${sort}.`);
  }

  const requestedDirection = single(raw.dir);
  const direction: Direction = requestedDirection === 'desc' ? 'desc' : 'asc';
  if (requestedDirection !== undefined && requestedDirection !== 'asc' && requestedDirection !== 'desc') {
    notes.push('The sort direction was not understood; ascending is used.');
  }

  const requestedPage = single(raw.page);
  let page = 1;
  if (requestedPage !== undefined) {
    const number = /^\d{1,6}$/.test(requestedPage) ? Number(requestedPage) : NaN;
    if (Number.isInteger(number) && number >= 1) page = number;
    else notes.push(`There is no page "${requestedPage.slice(0, 20)}"; this is the first page.`);
  }
  if (page > LAST_PAGE) {
    notes.push(`Pages past ${LAST_PAGE} are not shown: search or filter to narrow the list.`);
    page = LAST_PAGE;
  }
  return {
    query: { q, types, classes, genres, from, to, list: listFilter, columns, sort, direction, page },
    notes,
  };
}

/** The columns to show: the URL's choice, else the user's saved one, else the defaults. */
export function resolveColumns(query: CatalogQuery, saved: readonly string[] | null): Column[] {
  if (query.columns) return query.columns;
  if (saved) return COLUMNS.filter((column) => saved.includes(column));
  return [...DEFAULT_COLUMNS];
}

/** The query string for a state, leaving defaults out so URLs stay short and shareable. */
export function catalogUrl(query: CatalogQuery, changes: Partial<CatalogQuery> = {}): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  for (const type of next.types) params.append('type', type);
  for (const mediaClass of next.classes) params.append('class', mediaClass);
  for (const genre of next.genres) params.append('genre', genre);
  if (next.from !== null) params.set('from', String(next.from));
  if (next.to !== null) params.set('to', String(next.to));
  if (next.list) params.set('list', next.list);
  if (next.columns) {
    if (next.columns.length === 0) params.set('col', 'none');
    for (const column of next.columns) params.append('col', column);
  }
  const defaultSort = next.q ? 'relevance' : 'title';
  if (next.sort !== defaultSort) params.set('sort', next.sort);
  if (next.direction !== 'asc') params.set('dir', next.direction);
  if (next.page > 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `/catalog?${search}` : '/catalog';
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
