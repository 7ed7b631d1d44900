import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../auth/guards';
import { entryView } from '../entries/entry-view';
import { RATING_SCALES, scaleView } from '../entries/ratings';
import { STATUS_LABELS, STATUSES } from '../entries/statuses';
import { formatNumber } from '../http/format';
import { fromOwnPages, isFragmentRequest } from '../http/fragments';
import { mediaFilterBadges, namesAsked, sameNames } from '../tables/media-filters';
import { decadeLinks, lastPageFor, pageWindow, pastLastPageNote } from '../tables/params';
import { saveColumns } from '../users/queries';
import { listEntries } from './queries';
import {
  clearedListQuery,
  DEFAULT_LIST_COLUMNS,
  DEFAULT_SORT,
  LIST_COLUMN_LABELS,
  LIST_COLUMNS,
  LIST_FIRST_DIRECTION,
  LIST_SORTS,
  listUrl,
  parseListQuery,
  resolveListColumns,
  type ListQuery,
  type ListSort,
} from './table';

/** The list: the signed-in user's entries with the catalog's controls bar; htmx gets the results only. */
export function showList(knex: Knex): RequestHandler {
  return async (req, res) => {
    const { id: userId, ratingScale: scale, listColumns: saved } = currentUser(req);
    const raw = req.query as Record<string, unknown>;
    // The page is read with the filters as asked, and the names the filters accept come with it
    // (one round trip, with the counts by status). Only when the URL names a type or class that
    // does not exist is the page read again, without it.
    const asked = parseListQuery(raw, { ...namesAsked(raw), scale });
    const first = await listEntries(knex, userId, asked.query, scale);
    const { types, classes } = first.vocabulary;
    const parsed = parseListQuery(raw, {
      types: types.map((type) => type.mediaType),
      classes: classes.map((entry) => entry.mediaClass),
      scale,
    });
    const { notes } = parsed;
    let { query } = parsed;
    let { rows, total } = sameNames(query, asked.query) ? first : await listEntries(knex, userId, query, scale);
    const counts = first.statusCounts;
    const columns = resolveListColumns(query, saved);
    let remembered = saved;
    if (query.columns && fromOwnPages(req) && columns.join() !== saved?.join()) {
      await saveColumns(knex, userId, 'list_columns', columns);
      remembered = columns;
    }
    if (query.columns && !remembered && columns.join() === DEFAULT_LIST_COLUMNS.join()) {
      query = { ...query, columns: null };
    }
    const lastPage = lastPageFor(total);
    if (query.page > lastPage) {
      if (total > 0) notes.push(pastLastPageNote(lastPage));
      query = { ...query, page: lastPage };
      ({ rows, total } = await listEntries(knex, userId, query, scale));
    }
    const typeLabel = new Map(types.map((type) => [type.mediaType, type.label]));
    const classLabel = new Map(classes.map((entry) => [entry.mediaClass, entry.label]));
    const without = (changes: Partial<ListQuery>) => listUrl(query, { ...changes, page: 1 });
    const { max } = RATING_SCALES[scale];
    const badges = [
      ...(query.q ? [{ label: `Search: ${query.q}`, removeUrl: without({ q: '' }) }] : []),
      ...query.statuses.map((status) => ({
        label: `Status: ${STATUS_LABELS[status]}`,
        removeUrl: without({ statuses: query.statuses.filter((other) => other !== status) }),
      })),
      ...mediaFilterBadges(query, { types: typeLabel, classes: classLabel }, without),
      ...(query.ratingFrom !== null || query.ratingTo !== null
        ? [
            {
              label: `Rating: ${query.ratingFrom ?? 1}–${query.ratingTo ?? max}`,
              removeUrl: without({ ratingFrom: null, ratingTo: null }),
            },
          ]
        : []),
    ];
    const headers = (['title', 'status', 'rating', 'progress', ...columns] as const).map((column) => {
      const sort = (LIST_SORTS as readonly string[]).includes(column) ? (column as ListSort) : undefined;
      const label = HEADER_LABELS[column];
      if (!sort) return { label, column };
      const nextDirection =
        query.sort === sort ? (query.direction === 'asc' ? 'desc' : 'asc') : LIST_FIRST_DIRECTION[sort];
      return { label, column, sort, nextDirection, url: listUrl(query, { sort, direction: nextDirection, page: 1 }) };
    });
    const { page } = query;
    const returnUrl = listUrl(query);
    const fragment = isFragmentRequest(req, res);
    res.locals.section = 'list';
    if (fragment) res.setHeader('HX-Push-Url', returnUrl);
    res.render(fragment ? 'list/fragment' : 'list/index', {
      layout: fragment ? false : undefined,
      title: page > 1 ? `My list, page ${page}` : 'My list',
      page: 'list',
      query,
      notes,
      types,
      classes,
      decades: decadeLinks(query, (from, to) => without({ from, to })),
      statusChoices: STATUSES.map((status) => ({
        value: status,
        label: `${STATUS_LABELS[status]} (${formatNumber(counts[status])})`,
        checked: query.statuses.includes(status),
      })),
      scale: scaleView(scale),
      columns,
      columnChoices: LIST_COLUMNS.map((column) => ({
        value: column,
        label: LIST_COLUMN_LABELS[column],
        checked: columns.includes(column),
      })),
      headers,
      rows: rows.map((row) => entryView(row, scale)),
      total,
      listSize: Object.values(counts).reduce((sum, count) => sum + count, 0),
      countText: total === 0 ? 'Nothing in your list matches.' : pageWindow(page, total, false, formatNumber),
      lastPage,
      badges,
      clearUrl: listUrl(query, clearedListQuery()),
      sortFields: [
        ...(query.sort !== DEFAULT_SORT ? [{ name: 'sort', value: query.sort }] : []),
        ...(query.direction !== LIST_FIRST_DIRECTION[query.sort] ? [{ name: 'dir', value: query.direction }] : []),
      ],
      returnUrl,
      previousUrl: page > 1 ? listUrl(query, { page: page - 1 }) : undefined,
      nextUrl: page < lastPage ? listUrl(query, { page: page + 1 }) : undefined,
    });
  };
}

const HEADER_LABELS: Record<string, string> = {
  title: 'Title',
  status: 'Status',
  rating: 'Rating',
  progress: 'Progress',
  ...LIST_COLUMN_LABELS,
};
