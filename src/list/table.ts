import { readTableQuery, tableQueryUrl, type TableDefinition, type TableFilter } from '../tables/definition';
import { classesFilter, namesFilter, typesFilter, yearsFilter } from '../tables/filters';
import { quoted, single, type Direction } from '../tables/params';
import { STATUS_LABELS, STATUSES, type Status } from '../entries/statuses';
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

/** A rating on the user's scale from the URL, or null (with a note when it makes no sense). */
function rating(raw: unknown, label: string, scale: RatingScale, notes: string[]): number | null {
  const value = single(raw)?.trim();
  if (!value) return null;
  const { max } = RATING_SCALES[scale];
  const number = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (number >= 1 && number <= max) return number;
  notes.push(`${quoted(value)} is not a rating from 1 to ${max}; the ${label} rating was left out.`);
  return null;
}

/** The ratings filter: `rating_from` and `rating_to` on the user's scale, put the right way round. */
const ratingFilter: TableFilter<ListQuery, ListVocabulary> = {
  read: (raw, known, notes) => {
    let ratingFrom = rating(raw.rating_from, 'lowest', known.scale, notes);
    let ratingTo = rating(raw.rating_to, 'highest', known.scale, notes);
    if (ratingFrom !== null && ratingTo !== null && ratingFrom > ratingTo) {
      [ratingFrom, ratingTo] = [ratingTo, ratingFrom];
      notes.push(`The ratings were the wrong way round; showing ${ratingFrom} to ${ratingTo}.`);
    }
    return { ratingFrom, ratingTo };
  },
  write: (params, state) => {
    if (state.ratingFrom !== null) params.set('rating_from', String(state.ratingFrom));
    if (state.ratingTo !== null) params.set('rating_to', String(state.ratingTo));
  },
  off: { ratingFrom: null, ratingTo: null },
  badges: (state, { known }, without) =>
    state.ratingFrom !== null || state.ratingTo !== null
      ? [
          {
            label: `Rating: ${state.ratingFrom ?? 1}–${state.ratingTo ?? RATING_SCALES[known.scale].max}`,
            removeUrl: without({ ratingFrom: null, ratingTo: null }),
          },
        ]
      : [],
};

/** The list's table: the search, filters, columns and sort of its URL (see TableDefinition). */
export const LIST_TABLE: TableDefinition<ListQuery, ListVocabulary, ListColumn> = {
  path: '/list',
  filters: [
    namesFilter({
      key: 'statuses',
      param: 'status',
      what: 'status',
      known: () => STATUSES,
      badge: (status) => `Status: ${STATUS_LABELS[status as Status]}`,
    }),
    typesFilter(),
    classesFilter(),
    yearsFilter(),
    ratingFilter,
  ],
  sorts: () => LIST_SORTS,
  defaultSort: () => DEFAULT_SORT,
  defaultDirection: (sort) => LIST_FIRST_DIRECTION[sort],
  columns: LIST_COLUMNS,
  defaultColumns: DEFAULT_LIST_COLUMNS,
};

/** Reads the list's query string against what exists; never throws. */
export function parseListQuery(
  raw: Record<string, unknown>,
  known: ListVocabulary,
): { query: ListQuery; notes: string[] } {
  return readTableQuery(LIST_TABLE, raw, known);
}

/** The list URL for a state, leaving defaults out so URLs stay short and shareable. */
export function listUrl(query: ListQuery, changes: Partial<ListQuery> = {}): string {
  return tableQueryUrl(LIST_TABLE, query, changes);
}
