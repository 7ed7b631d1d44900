import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { saveColumns } from '../users/queries';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { fromOwnPages, isFragmentRequest } from '../http/fragments';
import { safeNextPath } from '../http/redirects';
import { parseForm, uuidParam, type FieldErrors } from '../http/validation';
import { formatNumber } from '../http/format';
import { mediaFilterBadges, namesAsked, sameNames } from '../tables/media-filters';
import { decadeLinks, lastPageFor, pageWindow, pastLastPageNote } from '../tables/params';
import { STATUS_LABELS, STATUSES } from '../entries/statuses';
import {
  editEntry,
  findEntry,
  insertEntry,
  removeEntry,
  restoreEntry,
  type EntryRow,
  type RemovedEntry,
} from '../entries/queries';
import { listEntries } from './queries';
import { applyEdit, progressText, readEdit, todayUtc, type EntryFields } from '../entries/rules';
import { RATING_SCALES, scaleView, ratingOnScale, type RatingScale } from '../entries/ratings';
import { entryView } from '../entries/entry-view';
import { pieceFor, type EntryPiece, type EntryWrite } from '../entries/pieces';
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
import { addEntrySchema } from './validation';

/**
 * Answers a list write. Without JavaScript: back to the page the form was on, with the message
 * (and Undo after a removal). With htmx: the piece of the page the form swaps, drawn by the area
 * that owns it (src/entries/pieces.ts), then the list's own row.
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
    setFlash(req, 'status', write.message, undo);
    return redirectAfterSaving(req, res, next, back);
  }
  const piece = pieceFor(pieces, req, write.kind);
  if (!piece) throw new Error(`no piece answers a list write of kind ${write.kind}`);
  await piece.send(req, res, write, back);
}

/**
 * POST /list, Add (from the catalog, a home tile, a title page): puts the title in the user's list
 * with the chosen status, or leaves it as it was if it is there already.
 */
export function addToList(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return async (req, res, next) => {
    const userId = req.user!.id;
    const back = safeNextPath((req.body as Record<string, unknown> | undefined)?.next, '/catalog');
    const form = parseForm(addEntrySchema, req.body);
    if (!form.ok) {
      const message = Object.values(form.errors)[0] ?? 'The title could not be added.';
      if (!isFragmentRequest(req, res)) return next(createError(422, message));
      // Keep the row as it is and say what went wrong in the page's status region.
      res.status(422).setHeader('HX-Reswap', 'none');
      return res.render('list/message', { layout: false, message });
    }
    const { media_id: mediaId, status } = form.value;
    // A concurrent add can commit between our statement's snapshot and its conflict check: one
    // more read then sees it.
    const entry =
      (await insertEntry(knex, userId, mediaId, status)) ?? (await insertEntry(knex, userId, mediaId, status));
    if (!entry) return next(createError(404));
    const label = STATUS_LABELS[entry.status];
    const message = entry.added
      ? `Added “${entry.title}” to your list as ${label}.`
      : `“${entry.title}” was already in your list, as ${label}.`;
    return answerWrite(pieces, req, res, next, back, {
      kind: 'added',
      mediaId,
      title: entry.title,
      status: entry.status,
      message,
    });
  };
}

declare module 'express-session' {
  interface SessionData {
    /** Entries removed lately, newest last, for Undo: kept in the session, so any process can undo. */
    removedEntries?: RemovedEntry[];
  }
}

/** How many removals Undo remembers. */
const UNDO_DEPTH = 20;

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

/** The list: the signed-in user's entries with the catalog's controls bar; htmx gets the results only. */
export function showList(knex: Knex): RequestHandler {
  return async (req, res) => {
    const userId = req.user!.id;
    const scale = req.user!.ratingScale;
    const saved = req.user!.listColumns;
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

/** GET /list/:mediaId/edit: every field of one entry, as a plain form (the no-JS way to edit). */
export function showEditPage(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const mediaId = uuidParam(req.params.mediaId);
    const userId = req.user!.id;
    const row = mediaId && (await findEntry(knex, userId, mediaId));
    if (!row) return next(createError(404, 'That title is not in your list.'));
    renderEditPage(res, row, req.user!.ratingScale, safeNextPath(req.query.next, '/list'));
  };
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
 * POST /list/:mediaId: saves the fields of one entry that the form changed, with the rules of
 * src/entries/rules.ts. Without JavaScript, back to the page the form was on with a message; with
 * htmx, the row again (focus stays on the control by its id) and the message for the live region.
 * Bad values: 422 and the form again with the typed values and errors, nothing written.
 */
export function saveEntry(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return async (req, res, next) => {
    const mediaId = uuidParam(req.params.mediaId);
    const userId = req.user!.id;
    if (!mediaId) return next(createError(404, 'That title is not in your list.'));
    const back = safeNextPath((req.body as Record<string, unknown> | undefined)?.next, '/list');
    const scale = req.user!.ratingScale;
    // One day for the whole edit, so a save at midnight is checked against a single date.
    const today = todayUtc();
    const edit = readEdit(req.body, scale, today);
    let before: EntryRow | undefined;
    const result = await editEntry<FieldErrors>(knex, userId, mediaId, (current) => {
      before = current;
      if (Object.keys(edit.errors).length) return { refused: edit.errors };
      const { next: nextFields, errors } = applyEdit(fieldsOf(current), edit, current.total, today);
      return Object.keys(errors).length ? { refused: errors } : { next: nextFields };
    });
    if (!result || !before) return next(createError(404, 'That title is not in your list.'));
    if ('refused' in result) {
      res.status(422);
      const refused = { typed: edit.typed, errors: result.refused };
      if (!isFragmentRequest(req, res)) return renderEditPage(res, result.row, scale, back, refused);
      const message = refusalMessage(result.refused);
      return answerWrite(pieces, req, res, next, back, { kind: 'refused', entry: result.row, ...refused, message });
    }
    const message = savedMessage(before, result.row, scale);
    return answerWrite(pieces, req, res, next, back, { kind: 'saved', entry: result.row, message });
  };
}

/**
 * POST /list/:mediaId/remove: takes the title out of the list and keeps the entry in the session
 * for Undo; the message offers Undo, and with htmx a "Removed" piece has its own Undo button.
 */
export function removeFromList(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return async (req, res, next) => {
    const mediaId = uuidParam(req.params.mediaId);
    const userId = req.user!.id;
    const removed = mediaId && (await removeEntry(knex, userId, mediaId));
    if (!removed) return next(createError(404, 'That title is not in your list.'));
    const back = safeNextPath((req.body as Record<string, unknown> | undefined)?.next, '/list');
    const kept = (req.session.removedEntries ?? []).filter((entry) => entry.mediaId !== removed.mediaId);
    req.session.removedEntries = [...kept, removed].slice(-UNDO_DEPTH);
    const message = `Removed “${removed.title}” from your list.`;
    return answerWrite(pieces, req, res, next, back, { kind: 'removed', removed, message });
  };
}

/** POST /list/restore: Undo. Puts the removed entry back exactly as it was. */
export function undoRemove(knex: Knex, pieces: readonly EntryPiece[]): RequestHandler {
  return async (req, res, next) => {
    const userId = req.user!.id;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const mediaId = uuidParam(body.media_id);
    const back = safeNextPath(body.next, '/list');
    const entry = mediaId && req.session.removedEntries?.find((removed) => removed.mediaId === mediaId);
    if (!entry) return next(createError(404, 'There is nothing to undo for that title.'));
    const restored = await restoreEntry(knex, userId, entry);
    req.session.removedEntries = req.session.removedEntries?.filter((removed) => removed.mediaId !== mediaId);
    const message = restored
      ? `“${entry.title}” is back in your list.`
      : `“${entry.title}” is in your list again already; it was left as it is.`;
    // What is shown again is the entry as it is now: restored, or as it was added since.
    const row = await findEntry(knex, userId, entry.mediaId);
    if (!row) return next(createError(404, 'That title is not in your list.'));
    return answerWrite(pieces, req, res, next, back, { kind: 'restored', entry: row, message });
  };
}
