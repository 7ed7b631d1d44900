import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../auth/guards';
import { entryView } from '../entries/entry-view';
import { RATING_SCALES, scaleView } from '../entries/ratings';
import { STATUS_LABELS, STATUSES } from '../entries/statuses';
import { formatNumber } from '../http/format';
import { mediaFilterBadges, namesAsked, sameNames } from '../tables/media-filters';
import { decadeLinks } from '../tables/params';
import { pageLocals, renderTablePage, settleColumns, sortHeaders, withinLastPage } from '../tables/page';
import { saveColumns } from '../users/queries';
import { listEntries } from '../entries/list-queries';
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
    query = await settleColumns(req, query, {
      shown: columns,
      saved,
      defaults: DEFAULT_LIST_COLUMNS,
      remember: (chosen) => saveColumns(knex, userId, 'list_columns', chosen),
    });
    const within = withinLastPage(query, total, notes);
    query = within.query;
    if (within.moved) ({ rows, total } = await listEntries(knex, userId, query, scale));
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
    const headers = sortHeaders(query, ['title', 'status', 'rating', 'progress', ...columns], {
      label: (column) => HEADER_LABELS[column] ?? column,
      sortOf: (column) => LIST_SORTS.find((sort) => sort === column),
      firstDirection: LIST_FIRST_DIRECTION,
      url: listUrl,
    });
    const { page } = query;
    const links = pageLocals(query, {
      total,
      capped: false,
      lastPage: within.lastPage,
      nothingText: 'Nothing in your list matches.',
      url: listUrl,
    });
    renderTablePage(
      req,
      res,
      { view: 'list/index', section: 'list', returnUrl: links.returnUrl },
      {
        table: {
          rows: '/list/rows',
          className: 'media-table list-table',
          caption: 'Your list',
          actionsLabel: 'Actions',
          rowsNote:
            "[html-validate-disable-block form-dup-name: each row's controls join their own row's form through the form attribute]",
        },
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
        ...links,
        badges,
        clearUrl: listUrl(query, clearedListQuery()),
        sortFields: [
          ...(query.sort !== DEFAULT_SORT ? [{ name: 'sort', value: query.sort }] : []),
          ...(query.direction !== LIST_FIRST_DIRECTION[query.sort] ? [{ name: 'dir', value: query.direction }] : []),
        ],
      },
    );
  };
}

const HEADER_LABELS: Record<string, string> = {
  title: 'Title',
  status: 'Status',
  rating: 'Rating',
  progress: 'Progress',
  ...LIST_COLUMN_LABELS,
};
