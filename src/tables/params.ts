/**
 * Reading a table's state (the catalog's, the list's) from the query string. Reading never
 * fails: a value that makes no sense is dropped or corrected, and a note for the page says so.
 * A table's definition (src/tables/definition.ts) reads its state with these.
 */

import { hasControlCharacter, shownText } from '../http/validation';

export type Direction = 'asc' | 'desc';

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

export function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

export function list(value: unknown): string[] {
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return values.filter((item): item is string => typeof item === 'string').map((item) => item.trim());
}

/** A value from the URL as a note quotes it: cut short, control characters shown as U+FFFD. */
export function quoted(value: string, length = 20): string {
  return `"${shownText(value.slice(0, length))}"`;
}

/**
 * The search typed, its spaces, tabs and line breaks as single spaces. Any other control character
 * cannot have been meant (and PostgreSQL text cannot hold a NUL): the search is left out, and a
 * note says so, as for any other value that makes no sense.
 */
export function searchText(raw: unknown, notes: string[]): string {
  const typed = single(raw) ?? '';
  if (hasControlCharacter(typed, { multiLine: true })) {
    notes.push('The search held a control character (such as NUL) and was left out.');
    return '';
  }
  const q = typed.replace(/\s+/gu, ' ').trim();
  if (q.length <= MAX_QUERY_LENGTH) return q;
  notes.push(`The search was shortened to its first ${MAX_QUERY_LENGTH} characters.`);
  return q.slice(0, MAX_QUERY_LENGTH);
}

/** The requested values that are known, once each; a note names the kind of value dropped. */
export function choices(raw: unknown, known: readonly string[], what: string, notes: string[]): string[] {
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
    `${quoted(value)} is not a year between ${EARLIEST_YEAR} and ${LATEST_YEAR}; the ${label} year was left out.`,
  );
  return null;
}

/** Release years from `from` and `to`, or a `decade` such as 1990s; put the right way round. */
export function yearRange(raw: Record<string, unknown>, notes: string[]): { from: number | null; to: number | null } {
  let from = year(raw.from, 'earliest', notes);
  let to = year(raw.to, 'latest', notes);
  const decade = single(raw.decade)?.trim();
  if (decade) {
    const start = /^\d{3}0s?$/.test(decade) ? Number(decade.slice(0, 4)) : NaN;
    if (start >= EARLIEST_YEAR && start <= LATEST_YEAR) {
      from = start;
      to = start + 9;
    } else notes.push(`${quoted(decade)} is not a decade such as 1990s; it was left out.`);
  }
  if (from !== null && to !== null && from > to) {
    [from, to] = [to, from];
    notes.push(`The years were the wrong way round; showing ${from} to ${to}.`);
  }
  return { from, to };
}

const DECADES = Array.from({ length: 13 }, (_, index) => 2020 - index * 10);

/** The decade links of a year filter, newest first, the chosen one marked. */
export function decadeLinks(
  years: { from: number | null; to: number | null },
  urlFor: (from: number, to: number) => string,
): { label: string; url: string; current: boolean }[] {
  return DECADES.map((decade) => ({
    label: `${decade}s`,
    url: urlFor(decade, decade + 9),
    current: years.from === decade && years.to === decade + 9,
  }));
}

/** "1990s", "1990–1995", "from 1990", "until 1995". */
export function yearsLabel(from: number | null, to: number | null): string {
  if (from !== null && to !== null) {
    if (from % 10 === 0 && to === from + 9) return `${from}s`;
    return from === to ? String(from) : `${from}–${to}`;
  }
  return from !== null ? `from ${from}` : `until ${to}`;
}

/**
 * The columns the URL chooses, or null when it does not say. "col" present at all means the URL
 * chooses; "col=none" hides every optional one. The form says "columns=chosen" as well, since a
 * form with every box cleared sends no "col".
 */
export function chosenColumns<C extends string>(
  raw: Record<string, unknown>,
  columns: readonly C[],
  notes: string[],
): C[] | null {
  if (raw.col === undefined && raw.columns === undefined) return null;
  const requested = list(raw.col).filter((value) => value !== '' && value !== 'none');
  const chosen = columns.filter((column) => requested.includes(column));
  if (new Set(requested).size > chosen.length) notes.push('An unknown column was left out.');
  return chosen;
}

/** The columns to show: the URL's choice, else the user's saved one, else the defaults. */
export function shownColumns<C extends string>(
  chosen: readonly C[] | null,
  saved: readonly string[] | null,
  columns: readonly C[],
  defaults: readonly C[],
): C[] {
  if (chosen) return [...chosen];
  if (saved) return columns.filter((column) => saved.includes(column));
  return [...defaults];
}

export function direction(raw: unknown, notes: string[]): Direction {
  const requested = single(raw);
  if (requested !== undefined && requested !== 'asc' && requested !== 'desc') {
    notes.push('The sort direction was not understood; ascending is used.');
  }
  return requested === 'desc' ? 'desc' : 'asc';
}

export function pageNumber(raw: unknown, notes: string[]): number {
  const requested = single(raw);
  let page = 1;
  if (requested !== undefined) {
    const number = /^\d{1,6}$/.test(requested) ? Number(requested) : NaN;
    if (Number.isInteger(number) && number >= 1) page = number;
    else notes.push(`There is no page ${quoted(requested)}; this is the first page.`);
  }
  if (page > LAST_PAGE) {
    notes.push(`Pages past ${LAST_PAGE} are not shown: search or filter to narrow the list.`);
    page = LAST_PAGE;
  }
  return page;
}

/** Adds the column choice, when the URL makes one, to a table URL's parameters. */
export function appendColumns(params: URLSearchParams, columns: readonly string[] | null): void {
  if (!columns) return;
  if (columns.length === 0) params.set('col', 'none');
  for (const column of columns) params.append('col', column);
}

/**
 * A table page's URL: the search first, then the page's own filters (in the order `filters`
 * appends them), the columns, the sort and the direction when not their defaults, and the page.
 */
export function tableUrl(
  path: string,
  state: { q: string; columns: readonly string[] | null; sort: string; direction: Direction; page: number },
  options: { filters: (params: URLSearchParams) => void; defaultSort: string; defaultDirection: Direction },
): string {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  options.filters(params);
  appendColumns(params, state.columns);
  if (state.sort !== options.defaultSort) params.set('sort', state.sort);
  if (state.direction !== options.defaultDirection) params.set('dir', state.direction);
  if (state.page > 1) params.set('page', String(state.page));
  return withQuery(path, params);
}

/** `path?query`, or just `path` when there is nothing to say. */
export function withQuery(path: string, params: URLSearchParams): string {
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** The last page there is for this many matches (1 when there are none), at most LAST_PAGE. */
export function lastPageFor(total: number): number {
  return Math.min(LAST_PAGE, Math.max(1, Math.ceil(total / PAGE_SIZE)));
}

/** The note for a page number past the last, which shows the last page instead. */
export function pastLastPageNote(lastPage: number): string {
  return `There ${lastPage === 1 ? 'is only 1 page' : `are only ${lastPage} pages`}; this is the last.`;
}

/** "1–50 of 1,234", or "more than" when the count stopped early. */
export function pageWindow(page: number, total: number, capped: boolean, format: (n: number) => string): string {
  return `${format((page - 1) * PAGE_SIZE + 1)}–${format(Math.min(page * PAGE_SIZE, total))} of ${capped ? 'more than ' : ''}${format(total)}`;
}
