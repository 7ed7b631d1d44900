import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { currentUser } from '../auth/guards';
import { entryView } from '../entries/entry-view';
import { pieceFor, type EntryPiece, type EntryWrite } from '../entries/pieces';
import {
  editEntry,
  findEntry,
  insertEntry,
  removeEntry,
  restoreEntry,
  type EntryRow,
  type RemovedEntry,
} from '../entries/queries';
import { ratingOnScale, scaleView, type RatingScale } from '../entries/ratings';
import { applyEdit, progressText, todayUtc, type EntryFields } from '../entries/rules';
import { STATUS_LABELS } from '../entries/statuses';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { isFragmentRequest } from '../http/fragments';
import { checked, notFound } from '../http/validate';
import type { FieldErrors } from '../http/validation';
import {
  addEntrySchema,
  editEntrySchema,
  editPageQuery,
  mediaIdParams,
  removeEntrySchema,
  undoSchema,
} from './validation';

/**
 * The list's writes: Add, save an entry, Remove, Undo, and the edit page (the no-JS way to edit).
 * Each handler runs behind its schemas (./validation.ts), writes through the entries core, and
 * ends in answerWrite: one path, whichever page's form sent it.
 */

declare module 'express-session' {
  interface SessionData {
    /** Entries removed lately, newest last, for Undo: kept in the session, so any process can undo. */
    removedEntries?: RemovedEntry[];
  }
}

/** How many removals Undo remembers. */
const UNDO_DEPTH = 20;

const NOT_IN_LIST = 'That title is not in your list.';

/**
 * Answers a list write. Without JavaScript: back to the page the form was on, with the message
 * (and Undo after a removal). With htmx: the piece of the page the form swaps, drawn by the area
 * that owns it (src/entries/pieces.ts), else the list's own row.
 */
async function answerWrite(
  pieces: readonly EntryPiece[],
  req: Request,
  res: Response,
  next: NextFunction,
  back: string,
  write: EntryWrite,
): Promise<void> {
  if (!isFragmentRequest(req, res)) {
    const undo = write.kind === 'removed' ? { mediaId: write.removed.mediaId, next: back } : undefined;
    return redirectBack(req, res, next, back, write.message, undo);
  }
  const piece = pieceFor(pieces, req, write.kind);
  if (!piece) throw new Error(`no piece answers a list write of kind ${write.kind}`);
  await piece.send(req, res, write, back);
}

/** Without JavaScript: back to the page the form was on, with the message (and an Undo). */
function redirectBack(
  req: Request,
  res: Response,
  next: NextFunction,
  back: string,
  message: string,
  undo?: { mediaId: string; next: string },
): void {
  setFlash(req, 'status', message, undo);
  redirectAfterSaving(req, res, next, back);
}

/** A path that names no title of the list: 404, whatever else the request held. */
const notInList = notFound(NOT_IN_LIST);

/**
 * POST /list, Add (from the catalog, a home tile, a title page): puts the title in the user's list
 * with the chosen status, or leaves it as it was if it is there already.
 */
export function addToList(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return checked(
    {
      schemas: { body: addEntrySchema },
      refuse(req, res, { errors }, next) {
        const message = Object.values(errors)[0] ?? 'The title could not be added.';
        if (!isFragmentRequest(req, res)) return next(createError(422, message));
        // Keep the row as it is and say what went wrong in the page's status region.
        res.setHeader('HX-Reswap', 'none');
        res.render('list/message', { layout: false, message });
      },
    },
    async (req, res, { body }, next) => {
      const { media_id: mediaId, status, next: back } = body;
      const userId = currentUser(req).id;
      // A concurrent add can commit between our statement's snapshot and its conflict check: one
      // more read then sees it.
      const entry =
        (await insertEntry(knex, userId, mediaId, status)) ?? (await insertEntry(knex, userId, mediaId, status));
      if (!entry) return next(createError(404));
      const label = STATUS_LABELS[entry.status];
      const message = entry.added
        ? `Added “${entry.title}” to your list as ${label}.`
        : `“${entry.title}” was already in your list, as ${label}.`;
      const { title } = entry;
      return answerWrite(pieces, req, res, next, back, {
        kind: 'added',
        mediaId,
        title,
        status: entry.status,
        message,
      });
    },
  );
}

function fieldsOf(row: EntryRow): EntryFields {
  return {
    status: row.status,
    rating: row.rating,
    progress: row.progress,
    notes: row.notes,
    startedOn: row.startedOn,
    completedOn: row.completedOn,
  };
}

const refusalMessage = (errors: FieldErrors) => `Not saved: ${Object.values(errors)[0] ?? 'check the values.'}`;

/** The edit page (the no-JS way to edit), with the typed values and errors after a refusal. */
function renderEditPage(
  res: Response,
  row: EntryRow,
  scale: RatingScale,
  back: string,
  refused: { typed: Record<string, string>; errors: FieldErrors } = { typed: {}, errors: {} },
): void {
  res.locals.section = 'list';
  res.render('list/edit', {
    title: `Edit “${row.title}”`,
    page: 'list-edit',
    row: entryView(row, scale, refused.typed, refused.errors),
    scale: scaleView(scale),
    errors: refused.errors,
    returnUrl: back,
  });
}

/** GET /list/:mediaId/edit: every field of one entry, as a plain form. */
export function showEditPage(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: mediaIdParams, query: editPageQuery }, refuse: notInList },
    async (req, res, input, next) => {
      const user = currentUser(req);
      const row = await findEntry(knex, user.id, input.params.mediaId);
      if (!row) return next(createError(404, NOT_IN_LIST));
      renderEditPage(res, row, user.ratingScale, input.query.next);
    },
  );
}

/** Says what a save did, in a sentence for the flash or the live region. */
function savedMessage(before: EntryRow, after: EntryRow, scale: RatingScale): string {
  const parts: string[] = [];
  if (after.status !== before.status) parts.push(`status ${STATUS_LABELS[after.status]}`);
  if (after.rating !== before.rating) {
    const shown = ratingOnScale(after.rating, scale);
    parts.push(shown === null ? 'no rating' : `rating ${shown}`);
  }
  if (after.progress !== before.progress)
    parts.push(`progress ${progressText(after.progress, after.total, after.unit)}`);
  if (after.notes !== before.notes) parts.push(after.notes ? 'notes' : 'no notes');
  if (after.startedOn !== before.startedOn) parts.push(`started ${after.startedOn ?? 'not set'}`);
  if (after.completedOn !== before.completedOn) parts.push(`completed ${after.completedOn ?? 'not set'}`);
  return parts.length ? `Saved “${after.title}”: ${parts.join(', ')}.` : `“${after.title}” is unchanged.`;
}

/**
 * A refused save (422): the entry as stored, drawn again with the values as typed and the errors;
 * the edit page without JavaScript, the piece that sent the form with htmx.
 */
async function refuseSave(
  pieces: readonly EntryPiece[],
  req: Request,
  res: Response,
  next: NextFunction,
  row: EntryRow,
  refused: { typed: Record<string, string>; errors: FieldErrors; back: string },
): Promise<void> {
  const { typed, errors, back } = refused;
  if (!isFragmentRequest(req, res)) return renderEditPage(res, row, currentUser(req).ratingScale, back, refused);
  const message = refusalMessage(errors);
  return answerWrite(pieces, req, res, next, back, { kind: 'refused', entry: row, typed, errors, message });
}

/**
 * POST /list/:mediaId: saves the fields of one entry that the form changed, with the rules of
 * src/entries/rules.ts. With htmx the piece comes back with focus kept on the control by its id.
 * Bad values: 422 and the form again with the typed values and errors, nothing written.
 */
export function saveEntry(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return checked(
    {
      // One day for the whole edit, so a save at midnight is checked against a single date.
      schemas: (req) => ({ params: mediaIdParams, body: editEntrySchema(currentUser(req).ratingScale, todayUtc()) }),
      // As readEdit draws a repeated field: by its first value, with the error that it was repeated.
      repeated: 'first',
      async refuse(req, res, refusal, next) {
        // The path is checked before the body: a refused body comes with the title's id.
        const mediaId = refusal.passed.params?.mediaId;
        if (refusal.part === 'params' || !mediaId) return notInList(req, res, refusal, next);
        const row = await findEntry(knex, currentUser(req).id, mediaId);
        if (!row) return next(createError(404, NOT_IN_LIST));
        const { typed, errors } = refusal;
        return refuseSave(pieces, req, res, next, row, { typed, errors, back: refusal.back('/list') });
      },
    },
    async (req, res, { params, body: edit }, next) => {
      const user = currentUser(req);
      let before: EntryRow | undefined;
      const result = await editEntry<FieldErrors>(knex, user.id, params.mediaId, (current) => {
        before = current;
        const { next: nextFields, errors } = applyEdit(fieldsOf(current), edit, current.total, edit.today);
        return Object.keys(errors).length ? { refused: errors } : { next: nextFields };
      });
      if (!result || !before) return next(createError(404, NOT_IN_LIST));
      if ('refused' in result) {
        res.status(422);
        return refuseSave(pieces, req, res, next, result.row, {
          typed: edit.typed,
          errors: result.refused,
          back: edit.next,
        });
      }
      const message = savedMessage(before, result.row, user.ratingScale);
      return answerWrite(pieces, req, res, next, edit.next, { kind: 'saved', entry: result.row, message });
    },
  );
}

/**
 * POST /list/:mediaId/remove: takes the title out of the list and keeps the entry in the session
 * for Undo; the message offers Undo, and with htmx a "Removed" piece has its own Undo button.
 */
export function removeFromList(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return checked(
    { schemas: { params: mediaIdParams, body: removeEntrySchema }, refuse: notInList },
    async (req, res, { params, body }, next) => {
      const removed = await removeEntry(knex, currentUser(req).id, params.mediaId);
      if (!removed) return next(createError(404, NOT_IN_LIST));
      const kept = (req.session.removedEntries ?? []).filter((entry) => entry.mediaId !== removed.mediaId);
      req.session.removedEntries = [...kept, removed].slice(-UNDO_DEPTH);
      const message = `Removed “${removed.title}” from your list.`;
      return answerWrite(pieces, req, res, next, body.next, { kind: 'removed', removed, message });
    },
  );
}

/** POST /list/restore: Undo. Puts the removed entry back exactly as it was. */
export function undoRemove(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return checked({ schemas: { body: undoSchema }, refuse: notInList }, async (req, res, { body }, next) => {
    const userId = currentUser(req).id;
    const { media_id: mediaId, next: back } = body;
    const entry = mediaId && req.session.removedEntries?.find((removed) => removed.mediaId === mediaId);
    if (!entry) return next(createError(404, 'There is nothing to undo for that title.'));
    const restored = await restoreEntry(knex, userId, entry);
    req.session.removedEntries = req.session.removedEntries?.filter((removed) => removed.mediaId !== mediaId);
    const message = restored
      ? `“${entry.title}” is back in your list.`
      : `“${entry.title}” is in your list again already; it was left as it is.`;
    if (!isFragmentRequest(req, res)) return redirectBack(req, res, next, back, message);
    // With htmx the entry is drawn as it is now: restored, or as it was added since.
    const row = await findEntry(knex, userId, entry.mediaId);
    if (!row) return next(createError(404, NOT_IN_LIST));
    return answerWrite(pieces, req, res, next, back, { kind: 'restored', entry: row, message });
  });
}
