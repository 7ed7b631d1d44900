import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { checked, neverRefused, type Refusal } from '../http/validate';
import { listSuggestedLinks, promoteLink } from './link-queries';
import { formatTime, idKindLabel } from './presentation';
import { linksQuery, promoteLinkBody } from './validation';

/**
 * The ids people confirmed in their list imports that the catalog lacks (src/admin/link-queries.ts),
 * for administrators to promote to the catalog, one form each.
 */

const LINKS_PER_PAGE = 50;
const HOME = '/admin/catalog/links';

const pageUrl = (page: number) => (page > 1 ? `${HOME}?page=${page}` : HOME);

/** GET /admin/catalog/links: the suggestions, the most confirmed first, a page at a time. */
export function showSuggestedLinks(knex: Knex): RequestHandler {
  return checked({ schemas: { query: linksQuery }, refuse: neverRefused }, async (_req, res, { query }) => {
    const { links, total } = await listSuggestedLinks(knex, {
      limit: LINKS_PER_PAGE,
      offset: (query.page - 1) * LINKS_PER_PAGE,
    });
    const lastPage = Math.max(1, Math.ceil(total / LINKS_PER_PAGE));
    res.locals.section = 'admin';
    res.render('admin/links', {
      title: 'Ids confirmed in imports',
      page: 'admin-links',
      total,
      next: pageUrl(query.page),
      links: links.map((link) => ({
        ...link,
        kindLabel: idKindLabel(link.sourceName),
        url: `/media/${link.mediaId}`,
        confirmed: formatTime(link.lastConfirmed),
        catalogWork: link.catalogWork && { ...link.catalogWork, url: `/media/${link.catalogWork.id}` },
      })),
      paging: {
        page: query.page,
        lastPage,
        previousUrl: query.page > 1 ? pageUrl(Math.min(query.page - 1, lastPage)) : null,
        nextUrl: query.page < lastPage ? pageUrl(query.page + 1) : null,
      },
    });
  });
}

/** A refused promotion: its status, a page saying why, and the way back. */
function refuse(res: Response, status: number, heading: string, message: string): void {
  res.status(status);
  res.locals.section = 'admin';
  res.render('admin/refused', { title: heading, page: 'admin-refused', heading, message, back: HOME });
}

function refuseForm(_req: Request, res: Response, _refusal: Refusal, _next: NextFunction): void {
  refuse(res, 422, 'Not understood', 'The form was not understood: go back to the page and try again.');
}

/** POST /admin/catalog/links/promote: the id goes into the catalog, for every person's imports to match. */
export function promoteSuggestedLink(knex: Knex): RequestHandler {
  return checked({ schemas: { body: promoteLinkBody }, refuse: refuseForm }, async (req, res, { body }, next) => {
    const outcome = await promoteLink(knex, {
      sourceName: body.source,
      externalKey: body.key,
      mediaId: body.media_id,
    });
    const id = `${idKindLabel(body.source)} id ${body.key}`;
    if (outcome.kind === 'not-confirmed')
      return refuse(res, 404, 'No such link', `Nobody confirmed ${id} for that work (or the work is gone).`);
    if (outcome.kind === 'taken')
      return refuse(
        res,
        409,
        'Not promoted',
        `The catalog gives ${id} to “${outcome.otherTitle}”, not to “${outcome.title}”. Nothing was changed: ` +
          'if the two are one work, merge them on the catalog administration page.',
      );
    setFlash(
      req,
      'status',
      outcome.kind === 'promoted'
        ? `${id} now names “${outcome.title}” in the catalog: every import matches it.`
        : `${id} names “${outcome.title}” in the catalog already.`,
    );
    redirectAfterSaving(req, res, next, body.next);
  });
}
