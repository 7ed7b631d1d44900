import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { mediaFilterBadges, namesAsked, sameNames } from '../tables/media-filters';
import { decadeLinks } from '../tables/params';
import { pageLocals, renderTablePage, settleColumns, sortHeaders, withinLastPage } from '../tables/page';
import { STATUS_LABELS, STATUSES } from '../entries/statuses';
import { findSavedColumns, saveColumns } from '../users/queries';
import { searchCatalog } from './queries';
import {
  catalogUrl,
  clearedQuery,
  COLUMN_LABELS,
  COLUMNS,
  DEFAULT_COLUMNS,
  FIRST_DIRECTION,
  parseCatalogQuery,
  resolveColumns,
  type CatalogQuery,
  type Column,
  type Sort,
} from './validation';

/** How many genres the filter offers (the most common; a chosen one always shows). */
const GENRE_CHOICES = 30;
const SORTABLE: Partial<Record<Column | 'title', Sort>> = {
  title: 'title',
  type: 'type',
  year: 'year',
  popularity: 'popularity',
};

/** The catalog: search, filters, columns, sort and pages, all in the URL; htmx gets the results only. */
export function showCatalog(knex: Knex): RequestHandler {
  return async (req, res) => {
    const userId = req.user?.id ?? null;
    const raw = req.query as Record<string, unknown>;
    // The page is read with the filters as asked, and the names the filters accept come with it
    // (one round trip). Only when the URL names a type, class or genre that does not exist is the
    // page read again, without it.
    const asked = parseCatalogQuery(raw, { ...namesAsked(raw), signedIn: userId !== null });
    const [first, saved] = await Promise.all([
      searchCatalog(knex, asked.query, userId),
      userId ? findSavedColumns(knex, userId, 'catalog_columns') : null,
    ]);
    const { types, classes, genres } = first.vocabulary;
    const parsed = parseCatalogQuery(raw, {
      types: types.map((type) => type.mediaType),
      classes: classes.map((entry) => entry.mediaClass),
      genres: genres.map((genre) => genre.genre),
      signedIn: userId !== null,
    });
    const { notes } = parsed;
    let { query } = parsed;
    let { rows, total, capped } = sameNames(query, asked.query) ? first : await searchCatalog(knex, query, userId);
    const columns = resolveColumns(query, saved);
    query = await settleColumns(req, query, {
      shown: columns,
      saved,
      defaults: DEFAULT_COLUMNS,
      remember: userId ? (chosen) => saveColumns(knex, userId, 'catalog_columns', chosen) : null,
    });
    const within = withinLastPage(query, total, notes);
    query = within.query;
    if (within.moved) ({ rows, total, capped } = await searchCatalog(knex, query, userId));
    const typeLabel = new Map(types.map((type) => [type.mediaType, type.label]));
    const classLabel = new Map(classes.map((entry) => [entry.mediaClass, entry.label]));
    const without = (changes: Partial<CatalogQuery>) => catalogUrl(query, { ...changes, page: 1 });
    const badges = [
      ...(query.q
        ? [
            {
              label: `Search: ${query.q}`,
              removeUrl: without({ q: '', sort: query.sort === 'relevance' ? 'title' : query.sort }),
            },
          ]
        : []),
      ...mediaFilterBadges(query, { types: typeLabel, classes: classLabel }, without),
      ...query.genres.map((genre) => ({
        label: `Genre: ${genre}`,
        removeUrl: without({ genres: query.genres.filter((other) => other !== genre) }),
      })),
      ...(query.list ? [{ label: `My list: ${listFilterLabel(query.list)}`, removeUrl: without({ list: null }) }] : []),
    ];
    const headers = sortHeaders(query, ['title', ...columns], {
      label: (column) => (column === 'title' ? 'Title' : COLUMN_LABELS[column as Column]),
      sortOf: (column) => SORTABLE[column as Column | 'title'],
      firstDirection: FIRST_DIRECTION,
      url: catalogUrl,
    });
    const { page } = query;
    const links = pageLocals(query, {
      total,
      capped,
      lastPage: within.lastPage,
      nothingText: `Nothing matches${query.q ? ` “${query.q}”` : ''}.`,
      url: catalogUrl,
    });
    renderTablePage(
      req,
      res,
      { view: 'catalog/index', section: 'catalog', returnUrl: links.returnUrl },
      {
        title: page > 1 ? `Catalog, page ${page}` : 'Catalog',
        table: {
          rows: '/catalog/rows',
          className: 'media-table',
          caption: `Catalog titles${query.sort === 'relevance' ? ', best matches first' : ''}`,
          actionsLabel: 'Your list',
        },
        page: 'catalog',
        query,
        notes,
        types,
        classes,
        genres: [...new Set([...genres.slice(0, GENRE_CHOICES).map((genre) => genre.genre), ...query.genres])].sort(
          (a, b) => a.localeCompare(b),
        ),
        decades: decadeLinks(query, (from, to) => without({ from, to })),
        listFilters: [
          { value: '', label: 'Any' },
          ...(['in', 'out', ...STATUSES] as const).map((value) => ({ value, label: listFilterLabel(value) })),
        ],
        columns,
        columnChoices: COLUMNS.map((column) => ({
          value: column,
          label: COLUMN_LABELS[column],
          checked: columns.includes(column),
        })),
        headers,
        rows,
        total,
        ...links,
        badges,
        clearUrl: catalogUrl(query, clearedQuery(query)),
        // The sort, when not the default, travels with the form as hidden fields.
        sortFields: [
          ...(query.sort !== (query.q ? 'relevance' : 'title') ? [{ name: 'sort', value: query.sort }] : []),
          ...(query.direction !== 'asc' ? [{ name: 'dir', value: query.direction }] : []),
        ],
      },
    );
  };
}

function listFilterLabel(value: string): string {
  if (value === 'in') return 'In my list';
  if (value === 'out') return 'Not in my list';
  return STATUS_LABELS[value as keyof typeof STATUS_LABELS] ?? value;
}
