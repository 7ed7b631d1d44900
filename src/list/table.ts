import {
  tableUrl,
  choices,
  chosenColumns,
  direction,
  pageNumber,
  quoted,
  searchText,
  shownColumns,
  single,
  yearRange,
  type Direction,
} from '../tables/params';
import { STATUSES, type Status } from '../entries/statuses';
import { RATING_SCALES, type RatingScale } from '../entries/ratings';

/** The list page's state, all in the query string (as the catalog's is). */
export const LIST_SORTS = ['title', 'rating', 'progress', 'updated', 'started', 'completed', 'year'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export const DEFAULT_SORT: ListSort = 'updated';

/** The direction a sort starts in, and has when the URL does not say. */
export const LIST_FIRST_DIRECTION: Record<ListSort, Direction> = {
  title: 'asc',
  rating: 'desc',
  progress: 'desc',
  updated: 'desc',
  started: 'desc',
  completed: 'desc',
  year: 'desc',
};

/** Columns a user may show or hide; title, status, rating, progress and the actions always show. */
export const LIST_COLUMNS = ['type', 'year', 'started', 'completed', 'updated', 'notes'] as const;
export type ListColumn = (typeof LIST_COLUMNS)[number];
export const DEFAULT_LIST_COLUMNS: readonly ListColumn[] = ['type', 'updated', 'notes'];
export const LIST_COLUMN_LABELS: Record<ListColumn, string> = {
  type: 'Type',
  year: 'Released',
  started: 'Started',
  completed: 'Completed',
  updated: 'Updated',
  notes: 'Notes',
};

export interface ListQuery {
  q: string;
  statuses: Status[];
  types: string[];
  classes: string[];
  from: number | null;
  to: number | null;
  /** On the user's rating scale, both ends included. */
  ratingFrom: number | null;
  ratingTo: number | null;
  columns: ListColumn[] | null;
  sort: ListSort;
  direction: Direction;
  page: number;
}

export interface ListVocabulary {
  types: string[];
  classes: string[];
  scale: RatingScale;
}

function rating(raw: unknown, label: string, scale: RatingScale, notes: string[]): number | null {
  const value = single(raw)?.trim();
  if (!value) return null;
  const { max } = RATING_SCALES[scale];
  const number = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (number >= 1 && number <= max) return number;
  notes.push(`${quoted(value)} is not a rating from 1 to ${max}; the ${label} rating was left out.`);
  return null;
}

/** Reads the list's query string against what exists; never throws. */
export function parseListQuery(
  raw: Record<string, unknown>,
  known: ListVocabulary,
): { query: ListQuery; notes: string[] } {
  const notes: string[] = [];
  const q = searchText(raw.q, notes);
  const statuses = choices(raw.status, STATUSES, 'status', notes) as Status[];
  const types = choices(raw.type, known.types, 'media type', notes);
  const classes = choices(raw.class, known.classes, 'kind of media', notes);
  const { from, to } = yearRange(raw, notes);
  let ratingFrom = rating(raw.rating_from, 'lowest', known.scale, notes);
  let ratingTo = rating(raw.rating_to, 'highest', known.scale, notes);
  if (ratingFrom !== null && ratingTo !== null && ratingFrom > ratingTo) {
    [ratingFrom, ratingTo] = [ratingTo, ratingFrom];
    notes.push(`The ratings were the wrong way round; showing ${ratingFrom} to ${ratingTo}.`);
  }
  const columns = chosenColumns(raw, LIST_COLUMNS, notes);

  const requestedSort = single(raw.sort);
  let sort = DEFAULT_SORT;
  if (requestedSort !== undefined) {
    if ((LIST_SORTS as readonly string[]).includes(requestedSort)) sort = requestedSort as ListSort;
    else notes.push(`Sorting by ${quoted(requestedSort, 40)} is not possible; the list is sorted by ${sort}.`);
  }
  const dir = raw.dir === undefined ? LIST_FIRST_DIRECTION[sort] : direction(raw.dir, notes);
  const page = pageNumber(raw.page, notes);
  return {
    query: { q, statuses, types, classes, from, to, ratingFrom, ratingTo, columns, sort, direction: dir, page },
    notes,
  };
}

export function resolveListColumns(query: ListQuery, saved: readonly string[] | null): ListColumn[] {
  return shownColumns(query.columns, saved, LIST_COLUMNS, DEFAULT_LIST_COLUMNS);
}

/** The list URL for a state, leaving defaults out so URLs stay short and shareable. */
export function listUrl(query: ListQuery, changes: Partial<ListQuery> = {}): string {
  const next = { ...query, ...changes };
  const filters = (params: URLSearchParams) => {
    for (const status of next.statuses) params.append('status', status);
    for (const type of next.types) params.append('type', type);
    for (const mediaClass of next.classes) params.append('class', mediaClass);
    if (next.from !== null) params.set('from', String(next.from));
    if (next.to !== null) params.set('to', String(next.to));
    if (next.ratingFrom !== null) params.set('rating_from', String(next.ratingFrom));
    if (next.ratingTo !== null) params.set('rating_to', String(next.ratingTo));
  };
  const defaults = { defaultSort: DEFAULT_SORT, defaultDirection: LIST_FIRST_DIRECTION[next.sort] };
  return tableUrl('/list', next, { filters, ...defaults });
}

/** No search and no filter (Clear), keeping the columns and the sort. */
export function clearedListQuery(): Partial<ListQuery> {
  return {
    q: '',
    statuses: [],
    types: [],
    classes: [],
    from: null,
    to: null,
    ratingFrom: null,
    ratingTo: null,
    page: 1,
  };
}
