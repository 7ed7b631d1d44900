import type { RequestHandler } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { findCatalogColumns, findCatalogRow } from '../catalog/queries';
import { parseCatalogQuery, resolveColumns } from '../catalog/validation';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { isFragmentRequest } from '../http/fragments';
import { safeNextPath } from '../http/redirects';
import { parseForm } from '../http/validation';
import { STATUS_LABELS } from '../users/queries';
import { insertEntry } from './queries';
import { addEntrySchema } from './validation';

/**
 * Add (from the catalog): puts the title in the user's list with the chosen status, or leaves it as
 * it was if it is there already. Without JavaScript, back to the page the form was on with a
 * message; with htmx, the row again, now showing the status, and the message for the live region.
 */
export function addToList(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const userId = req.user!.id;
    const back = safeNextPath((req.body as Record<string, unknown> | undefined)?.next, '/catalog');
    const fragment = isFragmentRequest(req, res);
    const form = parseForm(addEntrySchema, req.body);
    if (!form.ok) {
      const message = Object.values(form.errors)[0] ?? 'The title could not be added.';
      if (!fragment) return next(createError(422, message));
      // Keep the row as it is and say what went wrong in the page's status region.
      res.status(422).setHeader('HX-Reswap', 'none');
      return res.render('list/message', { layout: false, message });
    }
    const { media_id: mediaId, status } = form.value;
    // A concurrent add can commit between our statement's snapshot and its conflict check: one
    // more read then sees it.
    const entry =
      (await insertEntry(knex, userId, mediaId, status)) ?? (await insertEntry(knex, userId, mediaId, status));
    const row = entry && (await findCatalogRow(knex, mediaId, userId));
    if (!entry || !row) return next(createError(404));
    const label = STATUS_LABELS[entry.status];
    const message = entry.added
      ? `Added “${row.title}” to your list as ${label}.`
      : `“${row.title}” was already in your list, as ${label}.`;
    if (!fragment) {
      setFlash(req, 'status', message);
      return redirectAfterSaving(req, res, next, back);
    }
    // The row is drawn with the columns of the page it sits on.
    const params = new URL(back, 'http://omt.invalid').searchParams;
    const { query } = parseCatalogQuery(params.has('col') ? { col: params.getAll('col') } : {}, {
      types: [],
      classes: [],
      genres: [],
      signedIn: true,
    });
    const saved = await findCatalogColumns(knex, userId);
    res.render('list/added', {
      layout: false,
      rows: [row],
      columns: resolveColumns(query, saved),
      returnUrl: back,
      justAdded: true,
      message,
    });
  };
}
