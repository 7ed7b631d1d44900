/**
 * The catalog's state lives in the query string. Reading it never fails: a value that makes no
 * sense is dropped or corrected, and a note says so on the page.
 */
export const SORTS = ['title', 'year', 'type'] as const;
export type Sort = (typeof SORTS)[number];
export type Direction = 'asc' | 'desc';

export const PAGE_SIZE = 50;
/** Deep pages are read with OFFSET; past this many rows a narrower search is the better answer. */
export const MAX_OFFSET = 10_000;
export const MAX_QUERY_LENGTH = 200;

export interface CatalogQuery {
  q: string;
  types: string[];
  sort: Sort | 'relevance';
  direction: Direction;
  page: number;
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
  if (typeof value === 'string') return value.split(',');
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** Reads the query string against the known media types; never throws. */
export function parseCatalogQuery(raw: Record<string, unknown>, knownTypes: string[]): ParsedCatalogQuery {
  const notes: string[] = [];
  let q = (single(raw.q) ?? '').replace(/\s+/g, ' ').trim();
  if (q.length > MAX_QUERY_LENGTH) {
    q = q.slice(0, MAX_QUERY_LENGTH);
    notes.push(`The search was shortened to its first ${MAX_QUERY_LENGTH} characters.`);
  }

  const requestedTypes = list(raw.type)
    .map((type) => type.trim())
    .filter(Boolean);
  const types = [...new Set(requestedTypes.filter((type) => knownTypes.includes(type)))];
  if (types.length < new Set(requestedTypes).size) notes.push('An unknown media type was left out of the filter.');

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
  const lastReadablePage = Math.floor(MAX_OFFSET / PAGE_SIZE) + 1;
  if (page > lastReadablePage) {
    notes.push(`Pages past ${lastReadablePage} are not shown: search or filter to narrow the list.`);
    page = lastReadablePage;
  }
  return { query: { q, types, sort, direction, page }, notes };
}

/** The query string for a state, leaving defaults out so URLs stay short and shareable. */
export function catalogUrl(query: CatalogQuery, changes: Partial<CatalogQuery> = {}): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  for (const type of next.types) params.append('type', type);
  const defaultSort = next.q ? 'relevance' : 'title';
  if (next.sort !== defaultSort) params.set('sort', next.sort);
  if (next.direction !== 'asc') params.set('dir', next.direction);
  if (next.page > 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `/catalog?${search}` : '/catalog';
}
