import type { Request, Response } from 'express';
import { formatNumber } from '../http/format';
import { fromOwnPages, isFragmentRequest } from '../http/fragments';
import { namesAsked } from './media-filters';
import { readTableQuery, tableColumns, type TableDefinition, type TableQuery } from './definition';
import { lastPageFor, pageWindow, pastLastPageNote, type Direction } from './params';

/**
 * The steps every table page (the catalog, the list) takes once it has read its URL and its rows:
 * settling the columns (remembering a choice made on the page), keeping the page within the last
 * one, the sortable headers, the count and the page links, and answering with the whole page or,
 * for htmx, the results (views/tables/fragment.ejs) with the URL to push.
 */

/** What a table page reads for a state (its rows, the filters' names…): at least how many match. */
export interface TableRead {
  total: number;
}

/**
 * A table page's state and rows, read in as few statements as can be: the page is read with the
 * filters as the URL asks (the names the filters accept come back with it); only when the URL
 * names a type, class or genre that does not exist is it read again without it, and once more
 * when the page asked for is past the last. The columns are settled (see settleColumns).
 */
export async function readTablePage<
  S extends TableQuery<string, Column>,
  Known,
  Column extends string,
  R extends TableRead,
>(
  req: Request,
  table: TableDefinition<S, Known, Column>,
  options: {
    /** What the URL's names are taken as before the database says: from those it asks for (namesAsked). */
    asked: (names: ReturnType<typeof namesAsked>) => Known;
    /** What exists, from the first read's names. */
    known: (first: R) => Known;
    read: (query: S) => Promise<R>;
    /** The user's saved columns (read beside the first page), or null. */
    saved: Promise<string[] | null> | string[] | null;
    /** Remembers a choice of columns; null when nobody is signed in. */
    remember: ((columns: Column[]) => Promise<void>) | null;
  },
): Promise<{ query: S; notes: string[]; known: Known; first: R; found: R; columns: Column[]; lastPage: number }> {
  const raw = req.query as Record<string, unknown>;
  const asked = readTableQuery(table, raw, options.asked(namesAsked(raw)));
  const [first, saved] = await Promise.all([options.read(asked.query), options.saved]);
  const known = options.known(first);
  const { notes, query: parsed } = readTableQuery(table, raw, known);
  // The two readings differ only where a name asked for does not exist.
  let found = JSON.stringify(parsed) === JSON.stringify(asked.query) ? first : await options.read(parsed);
  const columns = tableColumns(table, parsed, saved);
  const settled = await settleColumns(req, parsed, {
    shown: columns,
    saved,
    defaults: table.defaultColumns,
    remember: options.remember,
  });
  const within = withinLastPage(settled, found.total, notes);
  if (within.moved) found = await options.read(within.query);
  return { query: within.query, notes, known, first, found, columns, lastPage: within.lastPage };
}

/**
 * The columns shown, and the query as the page links to it: a choice made on the page itself
 * (`fromOwnPages`) that differs from the one saved is remembered with `remember`; default columns
 * stay out of the URLs the page links to, any other choice is written in them, so a bookmark shows
 * the same columns whatever is remembered later.
 */
export async function settleColumns<Q extends TableQuery<string, Column>, Column extends string>(
  req: Request,
  query: Q,
  options: {
    shown: Column[];
    saved: string[] | null;
    defaults: readonly Column[];
    /** Remembers a choice; null when nobody is signed in to remember it for. */
    remember: ((columns: Column[]) => Promise<void>) | null;
  },
): Promise<Q> {
  const { shown, defaults, remember } = options;
  let remembered = options.saved;
  if (remember && query.columns && fromOwnPages(req) && shown.join() !== remembered?.join()) {
    await remember(shown);
    remembered = shown;
  }
  if (query.columns && !remembered && shown.join() === defaults.join()) return { ...query, columns: null };
  return query;
}

/**
 * The page within the results: past the last page, the last one, with a note saying so when
 * there are results at all. `moved` says the page must be read again.
 */
export function withinLastPage<Q extends TableQuery>(
  query: Q,
  total: number,
  notes: string[],
): { query: Q; lastPage: number; moved: boolean } {
  const lastPage = lastPageFor(total);
  if (query.page <= lastPage) return { query, lastPage, moved: false };
  if (total > 0) notes.push(pastLastPageNote(lastPage));
  return { query: { ...query, page: lastPage }, lastPage, moved: true };
}

export interface Header<Sort extends string> {
  label: string;
  sort?: Sort;
  nextDirection?: Direction;
  url?: string;
}

/**
 * The column headers (views/partials/table-headers.ejs): a sortable one links to its sort, first in
 * the sort's own direction, then the other way.
 */
export function sortHeaders<Q extends TableQuery, Sort extends string>(
  query: Q,
  columns: readonly string[],
  options: {
    label: (column: string) => string;
    sortOf: (column: string) => Sort | undefined;
    firstDirection: Record<Sort, Direction>;
    url: (query: Q, changes: Partial<Q>) => string;
  },
): Header<Sort>[] {
  return columns.map((column) => {
    const label = options.label(column);
    const sort = options.sortOf(column);
    if (!sort) return { label };
    const nextDirection: Direction =
      query.sort === sort ? (query.direction === 'asc' ? 'desc' : 'asc') : options.firstDirection[sort];
    // Sort is one of the query's sorts: the page's own types say so (Q['sort'] includes it).
    const changes = { sort, direction: nextDirection, page: 1 } as Partial<TableQuery> as Partial<Q>;
    return { label, sort, nextDirection, url: options.url(query, changes) };
  });
}

/** The count above the table, and the links of the page: itself, the previous and the next. */
export function pageLocals<Q extends TableQuery>(
  query: Q,
  options: {
    total: number;
    capped: boolean;
    lastPage: number;
    nothingText: string;
    url: (query: Q, changes?: Partial<Q>) => string;
  },
) {
  const { page } = query;
  const { total, lastPage, url } = options;
  return {
    countText: total === 0 ? options.nothingText : pageWindow(page, total, options.capped, formatNumber),
    lastPage,
    returnUrl: url(query),
    previousUrl: page > 1 ? url(query, { page: page - 1 } as Partial<Q>) : undefined,
    nextUrl: page < lastPage ? url(query, { page: page + 1 } as Partial<Q>) : undefined,
  };
}

/**
 * Answers a table page: the whole page (views/<page>/index.ejs), or for htmx the results with the
 * filters' and sort's state out of band (views/tables/fragment.ejs), and the page's URL to push.
 * `locals.table` names the rows' template and what the table is called, and may hold an intro:
 * a template drawn between the count and the table (so a swap redraws it with the results), with
 * its words as plain text for the live region that says what a swap changed.
 */
export function renderTablePage(
  req: Request,
  res: Response,
  page: { view: string; section: string; returnUrl: string },
  locals: Record<string, unknown> & {
    title: string;
    table: {
      rows: string;
      className: string;
      caption: string;
      actionsLabel: string;
      rowsNote?: string;
      intro?: { view: string; text: string };
    };
  },
): void {
  const fragment = isFragmentRequest(req, res);
  res.locals.section = page.section;
  if (fragment) res.setHeader('HX-Push-Url', page.returnUrl);
  res.render(fragment ? 'tables/fragment' : page.view, { layout: fragment ? false : undefined, ...locals });
}
