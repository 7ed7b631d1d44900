import type { Request, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { tileView } from '../home/handlers';
import { findTileItem, type TileKind } from '../home/queries';
import { isFragmentRequest } from '../http/fragments';
import type { FieldErrors } from '../http/validation';
import type { ListRow } from './queries';
import { rowView } from './row-view';
import { scaleView } from './rules';

/**
 * The list's endpoints serve the forms of other pages too. With htmx, the element a form swaps
 * (HX-Target) says which piece of which page to answer with: a title page's tracking panel or a
 * related title's quick Add, or a home tile (tile-KIND-ID). Anything else (the catalog's and the
 * list's rows, which have no id) gets the row.
 */
export type Piece = { piece: 'tracking-panel' } | { piece: 'quick-add' } | { piece: 'tile'; kind: TileKind };

const TILE_TARGET = /^tile-(continue|up-next|popular|recent|newest)-[0-9a-f-]{36}$/;

export function pieceAsked(req: Request, res: Response): Piece | undefined {
  if (!isFragmentRequest(req, res)) return undefined;
  const target = req.get('HX-Target') ?? '';
  if (target === 'tracking-panel') return { piece: 'tracking-panel' };
  if (target.startsWith('quick-add-')) return { piece: 'quick-add' };
  const tile = TILE_TARGET.exec(target);
  if (tile) return { piece: 'tile', kind: tile[1] as TileKind };
  return undefined;
}

/** A home tile again after an action on it, and the message for the live region. */
export async function sendTile(
  knex: Knex,
  req: Request,
  res: Response,
  answer: { kind: TileKind; mediaId: string; message: string; focus?: 'status' },
): Promise<void> {
  const item = await findTileItem(knex, answer.mediaId, req.user!.id);
  if (!item) throw createError(404, 'There is no such title.');
  res.render('home/tile-saved', {
    layout: false,
    item: tileView(item),
    tile: answer.kind,
    focus: answer.focus,
    message: answer.message,
  });
}

/**
 * The tracking panel again (views/media/tracking-panel.ejs) and the message for the live region:
 * the entry's form (with typed values and errors after a refusal), or after a removal Add with Undo.
 */
export function sendTrackingPanel(
  req: Request,
  res: Response,
  shown: { entry: ListRow } | { removed: { mediaId: string; title: string } },
  answer: {
    message: string;
    back: string;
    typed?: Record<string, string>;
    errors?: FieldErrors;
    focus?: 'status' | 'undo';
  },
): void {
  const scale = req.user!.ratingScale;
  const { typed, errors = {} } = answer;
  const panel =
    'entry' in shown
      ? {
          mediaId: shown.entry.mediaId,
          title: shown.entry.title,
          entry: rowView(shown.entry, scale, typed, errors),
          removed: false,
        }
      : { ...shown.removed, entry: null, removed: true };
  res.render('media/tracking-fragment', {
    layout: false,
    panel,
    scale: scaleView(scale),
    errors,
    returnUrl: answer.back,
    focus: answer.focus,
    message: answer.message,
  });
}

/** A related title's quick Add done: its status in place of the form, and the message. */
export function sendQuickAdded(res: Response, answer: { title: string; statusLabel: string; message: string }): void {
  res.render('media/quick-added', { layout: false, ...answer });
}
