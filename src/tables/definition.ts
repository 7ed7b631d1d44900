import {
  chosenColumns,
  direction,
  pageNumber,
  quoted,
  searchText,
  shownColumns,
  single,
  tableUrl,
  type Direction,
} from './params';

/**
 * A table page (the catalog, the list) described once: its path, the filters it reads from the
 * query string, its sorts and its columns. Everything a table does with its URL comes from the
 * description: reading the state (never refusing: a value that makes no sense is dropped or
 * corrected, and a note for the page says so), the URL of a state, Clear, the filter badges and
 * the sort's hidden fields. A new table (custom lists, the history) is a new description; its
 * filters are mostly those of src/tables/filters.ts.
 */

/** What every table's state holds in its URL, beside its filters' fields. */
export interface TableQuery<Sort extends string = string, Column extends string = string> {
  q: string;
  columns: Column[] | null;
  sort: Sort;
  direction: Direction;
  page: number;
}

export interface Badge {
  label: string;
  removeUrl: string;
}

/** Labels of the names the database knows (media types, classes), for the badges. */
export type BadgeLabels = Record<string, ReadonlyMap<string, string>>;

/** What a filter's badges are drawn with: the names' labels, and what the state was read against. */
export interface BadgeContext<Known> {
  labels: BadgeLabels;
  known: Known;
}

/** One filter of a table: its fields in the state (S) and its parameters in the URL. */
export interface TableFilter<S, Known> {
  /** Reads the filter's fields, leaving out (with a note) what is not known or makes no sense. */
  read(raw: Record<string, unknown>, known: Known, notes: string[]): Partial<S>;
  /** Appends the filter's parameters for a state; nothing when the filter is off. */
  write(params: URLSearchParams, state: S): void;
  /** The filter's fields when it is off. */
  off: Partial<S>;
  /** A badge for each value the filter is on for, with the URL without it (built by `without`). */
  badges(state: S, context: BadgeContext<Known>, without: (changes: Partial<S>) => string): Badge[];
}

export interface TableDefinition<S extends TableQuery<string, Column>, Known, Column extends string = string> {
  path: string;
  /** In the order their parameters stand in a URL, and their notes on the page. */
  filters: readonly TableFilter<S, Known>[];
  /** The same filters in the order their badges show, when not the order above. */
  badgeOrder?: readonly TableFilter<S, Known>[];
  /** The sorts a state may have: the catalog's relevance needs a search. */
  sorts(q: string): readonly S['sort'][];
  /** The sort when the URL names none. */
  defaultSort(q: string): S['sort'];
  /** The direction when the URL names none. */
  defaultDirection(sort: S['sort']): Direction;
  /** The columns a visitor may show or hide, and those shown when nothing says otherwise. */
  columns: readonly Column[];
  defaultColumns: readonly Column[];
}

/** Reads a table's state from the query string against what exists (`known`); never throws. */
export function readTableQuery<S extends TableQuery<string, Column>, Known, Column extends string>(
  table: TableDefinition<S, Known, Column>,
  raw: Record<string, unknown>,
  known: Known,
): { query: S; notes: string[] } {
  const notes: string[] = [];
  const q = searchText(raw.q, notes);
  const fields: Partial<S> = {};
  for (const filter of table.filters) Object.assign(fields, filter.read(raw, known, notes));
  const columns = chosenColumns(raw, table.columns, notes);

  const requestedSort = single(raw.sort);
  let sort = table.defaultSort(q);
  if (requestedSort !== undefined) {
    const allowed = table.sorts(q).find((candidate) => candidate === requestedSort);
    if (allowed !== undefined) sort = allowed;
    else notes.push(`Sorting by ${quoted(requestedSort, 40)} is not possible; the list is sorted by ${sort}.`);
  }
  const dir = raw.dir === undefined ? table.defaultDirection(sort) : direction(raw.dir, notes);
  const page = pageNumber(raw.page, notes);
  // The filters' fields and the common ones make the whole state: each filter reads its own.
  const query = { ...fields, q, columns, sort, direction: dir, page } as S;
  return { query, notes };
}

/** The URL of a state (with `changes`), leaving defaults out so URLs stay short and shareable. */
export function tableQueryUrl<S extends TableQuery<string, Column>, Known, Column extends string>(
  table: TableDefinition<S, Known, Column>,
  state: S,
  changes: Partial<S> = {},
): string {
  const next: S = { ...state, ...changes };
  return tableUrl(table.path, next, {
    filters: (params) => {
      for (const filter of table.filters) filter.write(params, next);
    },
    defaultSort: table.defaultSort(next.q),
    defaultDirection: table.defaultDirection(next.sort),
  });
}

/** The columns to show: the URL's choice, else the user's saved one, else the defaults. */
export function tableColumns<S extends TableQuery<string, Column>, Known, Column extends string>(
  table: TableDefinition<S, Known, Column>,
  query: S,
  saved: readonly string[] | null,
): Column[] {
  return shownColumns(query.columns, saved, table.columns, table.defaultColumns);
}

/**
 * The columns the table page at `url` (a path and query) shows: the URL's choice, else `saved`,
 * else the defaults. A row drawn again after a write is drawn with its page's columns.
 */
export function columnsAt<S extends TableQuery<string, Column>, Known, Column extends string>(
  table: TableDefinition<S, Known, Column>,
  url: string,
  saved: readonly string[] | null,
): Column[] {
  const params = new URL(url, 'http://omt.invalid').searchParams;
  const chosen = params.has('col') ? chosenColumns({ col: params.getAll('col') }, table.columns, []) : null;
  return shownColumns(chosen, saved, table.columns, table.defaultColumns);
}

/** The changes that take the search away, and the sort with it when it needs one. */
function withoutSearch<S extends TableQuery>(table: TableDefinition<S, unknown>, state: S): Partial<S> {
  const sort = table.sorts('').includes(state.sort) ? state.sort : table.defaultSort('');
  return { q: '', sort } as Partial<S>;
}

/** The changes of Clear: no search and no filter, keeping the columns and the sort where it can. */
export function clearedTableQuery<S extends TableQuery, Known>(table: TableDefinition<S, Known>, state: S): Partial<S> {
  const off: Partial<S> = {};
  for (const filter of table.filters) Object.assign(off, filter.off);
  return { ...off, ...withoutSearch(table, state), page: 1 };
}

/** The badges of the search and of every filter that is on, each with its removal link. */
export function tableBadges<S extends TableQuery, Known>(
  table: TableDefinition<S, Known>,
  state: S,
  context: BadgeContext<Known>,
): Badge[] {
  const without = (changes: Partial<S>) => tableQueryUrl(table, state, { ...changes, page: 1 });
  return [
    ...(state.q ? [{ label: `Search: ${state.q}`, removeUrl: without(withoutSearch(table, state)) }] : []),
    ...(table.badgeOrder ?? table.filters).flatMap((filter) => filter.badges(state, context, without)),
  ];
}

/** The sort and direction, when not their defaults, as the hidden fields the filter form sends. */
export function sortFields<S extends TableQuery, Known>(
  table: TableDefinition<S, Known>,
  state: S,
): { name: string; value: string }[] {
  return [
    ...(state.sort !== table.defaultSort(state.q) ? [{ name: 'sort', value: state.sort }] : []),
    ...(state.direction !== table.defaultDirection(state.sort) ? [{ name: 'dir', value: state.direction }] : []),
  ];
}
