import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { clearedTableQuery, sortFields, tableBadges } from '../tables/definition';
import { knownNames, mediaLabels } from '../tables/media-filters';
import { decadeLinks } from '../tables/params';
import { pageLocals, readTablePage, renderTablePage, sortHeaders } from '../tables/page';
import { STATUSES } from '../entries/statuses';
import { findSavedColumns, saveColumns } from '../users/queries';
import { searchCatalog } from './queries';
import { emptyTypesNote, typeChoices } from './type-choices';
import {
  CATALOG_TABLE,
  catalogUrl,
  COLUMN_LABELS,
  COLUMNS,
  FIRST_DIRECTION,
  listFilterLabel,
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
    const signedIn = userId !== null;
    const { query, notes, known, found, columns, lastPage } = await readTablePage(req, CATALOG_TABLE, {
      asked: (names) => ({ ...names, signedIn }),
      known: ({ vocabulary }) => ({ ...knownNames(vocabulary), signedIn }),
      read: (asked: CatalogQuery) => searchCatalog(knex, asked, userId),
      saved: userId ? findSavedColumns(knex, userId, 'catalog_columns') : null,
      remember: userId ? (chosen) => saveColumns(knex, userId, 'catalog_columns', chosen) : null,
    });
    const { rows, total, capped, typeCounts } = found;
    const { types, classes, genres } = found.vocabulary;
    const emptyTypes = emptyTypesNote(types, typeCounts, query.types, total);
    const without = (changes: Partial<CatalogQuery>) => catalogUrl(query, { ...changes, page: 1 });
    const badges = tableBadges(CATALOG_TABLE, query, { labels: mediaLabels(found.vocabulary), known });
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
      lastPage,
      nothingText: emptyTypes?.countText ?? `Nothing matches${query.q ? ` “${query.q}”` : ''}.`,
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
          intro: emptyTypes ? { view: '/catalog/empty-types', text: emptyTypes.sentences.join(' ') } : undefined,
        },
        page: 'catalog',
        query,
        notes,
        typeChoices: typeChoices(types, typeCounts, query.types),
        emptyTypes,
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
        clearUrl: catalogUrl(query, clearedTableQuery(CATALOG_TABLE, query)),
        // The sort, when not the default, travels with the form as hidden fields.
        sortFields: sortFields(CATALOG_TABLE, query),
      },
    );
  };
}
