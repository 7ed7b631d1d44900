import { currentUser } from '../auth/guards';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { entryView } from '../entries/entry-view';
import type { EntryPiece, EntryWrite } from '../entries/pieces';
import { findEntry } from '../entries/queries';
import { scaleView } from '../entries/ratings';
import { STATUS_LABELS } from '../entries/statuses';

/** Where focus goes in the panel after each write: the status, or Undo after a removal. */
const PANEL_FOCUS: Partial<Record<EntryWrite['kind'], 'status' | 'undo'>> = {
  added: 'status',
  removed: 'undo',
  restored: 'status',
};

/**
 * A title page's tracking panel (views/media/tracking-panel.ejs) again after any list write from
 * it, and the message for the live region: the entry's form (with the typed values and errors
 * after a refusal), or after a removal Add with Undo.
 */
export function trackingPanelPiece(knex: Knex): EntryPiece {
  return {
    claims: (target) => target === 'tracking-panel',
    answers: ['added', 'saved', 'refused', 'removed', 'restored'],
    async send(req, res, write, back) {
      const scale = currentUser(req).ratingScale;
      const typed = write.kind === 'refused' ? write.typed : undefined;
      const errors = write.kind === 'refused' ? write.errors : {};
      let panel;
      if (write.kind === 'removed') {
        const { mediaId, title } = write.removed;
        panel = { mediaId, title, entry: null, removed: true };
      } else {
        const entry = write.kind === 'added' ? await findEntry(knex, currentUser(req).id, write.mediaId) : write.entry;
        if (!entry) throw createError(404);
        panel = {
          mediaId: entry.mediaId,
          title: entry.title,
          entry: entryView(entry, scale, typed, errors),
          removed: false,
        };
      }
      res.render('media/tracking-fragment', {
        layout: false,
        panel,
        scale: scaleView(scale),
        errors,
        returnUrl: back,
        focus: PANEL_FOCUS[write.kind],
        message: write.message,
      });
    },
  };
}

/** A related title's quick Add (quick-add-ID) done: its status in place of the form, and the message. */
export const quickAddPiece: EntryPiece = {
  claims: (target) => target.startsWith('quick-add-'),
  answers: ['added'],
  send(req, res, write) {
    if (write.kind !== 'added') throw new Error(`a quick Add does not show a write of kind ${write.kind}`);
    res.render('media/quick-added', {
      layout: false,
      title: write.title,
      statusLabel: STATUS_LABELS[write.status],
      message: write.message,
    });
  },
};
