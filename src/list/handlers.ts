import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../auth/guards';
import { entryView } from '../entries/entry-view';
import { scaleView } from '../entries/ratings';
import { STATUS_LABELS, STATUSES } from '../entries/statuses';
import { formatNumber } from '../http/format';
import { clearedTableQuery, sortFields, tableBadges } from '../tables/definition';
import { knownNames, mediaLabels } from '../tables/media-filters';
import { decadeLinks } from '../tables/params';
import { pageLocals, readTablePage, renderTablePage, sortHeaders } from '../tables/page';
import { saveColumns } from '../users/queries';
import { listEntries } from '../entries/list-queries';
import {
  LIST_COLUMN_LABELS,
  LIST_COLUMNS,
  LIST_FIRST_DIRECTION,
  LIST_SORTS,
  LIST_TABLE,
  listUrl,
  type ListQuery,
} from './table';

/** The list: the signed-in user's entries with the catalog's controls bar; htmx gets the results only. */
export function showList(knex: Knex): RequestHandler {
  return async (req, res) => {
    const { id: userId, ratingScale: scale, listColumns: saved } = currentUser(req);
    const { query, notes, known, first, found, columns, lastPage } = await readTablePage(req, LIST_TABLE, {
      asked: (names) => ({ ...names, scale }),
      known: ({ vocabulary }) => ({ ...knownNames(vocabulary), scale }),
      read: (asked: ListQuery) => listEntries(knex, userId, asked, scale),
      saved,
      remember: (chosen) => saveColumns(knex, userId, 'list_columns', chosen),
    });
    const { rows, total } = found;
    const { types, classes } = found.vocabulary;
    // The counts by status are the user's whole list, whatever the filters: the first read's serve.
    const counts = first.statusCounts;
    const without = (changes: Partial<ListQuery>) => listUrl(query, { ...changes, page: 1 });
    const badges = tableBadges(LIST_TABLE, query, { labels: mediaLabels(found.vocabulary), known });
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
      lastPage,
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
        clearUrl: listUrl(query, clearedTableQuery(LIST_TABLE, query)),
        sortFields: sortFields(LIST_TABLE, query),
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
