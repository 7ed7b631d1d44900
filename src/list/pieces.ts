import type { Request, Response } from 'express';
import { isFragmentRequest } from '../http/fragments';
import type { FieldErrors } from '../http/validation';
import type { ListRow } from './queries';
import { rowView } from './row-view';
import { scaleView } from './rules';

/**
 * The list's endpoints serve the forms of a title's page too. With htmx, the element a form
 * swaps (HX-Target) says which piece of that page to answer with: the tracking panel, or a
 * related title's quick Add. Anything else (the catalog's and the list's rows) gets the row.
 */
export type MediaPagePiece = 'tracking-panel' | 'quick-add';

export function mediaPagePiece(req: Request, res: Response): MediaPagePiece | undefined {
  if (!isFragmentRequest(req, res)) return undefined;
  const target = req.get('HX-Target') ?? '';
  if (target === 'tracking-panel') return 'tracking-panel';
  if (target.startsWith('quick-add-')) return 'quick-add';
  return undefined;
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
