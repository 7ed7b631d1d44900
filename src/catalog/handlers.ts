import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { listMediaTypes, searchCatalog } from './queries';
import { catalogUrl, PAGE_SIZE, parseCatalogQuery, type CatalogQuery } from './validation';

/** The catalog: search, filter by type, sort and page through every title, all in the URL. */
export function showCatalog(knex: Knex): RequestHandler {
  return async (req, res) => {
    const types = await listMediaTypes(knex);
    const { query, notes } = parseCatalogQuery(
      req.query as Record<string, unknown>,
      types.map((type) => type.mediaType),
    );
    const { rows, total } = await searchCatalog(knex, query);
    const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const typeLabel = new Map(types.map((type) => [type.mediaType, type.label]));
    const badges = [
      ...(query.q
        ? [{ label: `Search: ${query.q}`, removeUrl: catalogUrl(query, { q: '', page: 1, sort: 'title' }) }]
        : []),
      ...query.types.map((type) => ({
        label: `Type: ${typeLabel.get(type) ?? type}`,
        removeUrl: catalogUrl(query, { types: query.types.filter((other) => other !== type), page: 1 }),
      })),
    ];
    const sortLink = (sort: CatalogQuery['sort']) =>
      catalogUrl(query, {
        sort,
        direction: query.sort === sort && query.direction === 'asc' ? 'desc' : 'asc',
        page: 1,
      });
    res.locals.section = 'catalog';
    res.render('catalog/index', {
      title: query.page > 1 ? `Catalog, page ${query.page}` : 'Catalog',
      page: 'catalog',
      query,
      notes: query.page > lastPage && total > 0 ? [...notes, `There are only ${lastPage} pages.`] : notes,
      types,
      rows,
      total,
      first: total === 0 ? 0 : (query.page - 1) * PAGE_SIZE + 1,
      last: Math.min(query.page * PAGE_SIZE, total),
      badges,
      clearUrl: '/catalog',
      sortLink,
      previousUrl: query.page > 1 ? catalogUrl(query, { page: Math.min(query.page - 1, lastPage) }) : undefined,
      nextUrl: query.page < lastPage ? catalogUrl(query, { page: query.page + 1 }) : undefined,
    });
  };
}
