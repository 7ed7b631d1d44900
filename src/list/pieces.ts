import { currentUser } from '../auth/guards';
import type { Request } from 'express';
import { entryView } from '../entries/entry-view';
import type { EntryPiece } from '../entries/pieces';
import { scaleView } from '../entries/ratings';
import { columnsAt } from '../tables/definition';
import { LIST_TABLE, type ListColumn } from './table';

/** The list columns the row's page shows (from the page's URL, else the saved ones). */
function rowColumns(req: Request, back: string): ListColumn[] {
  return columnsAt(LIST_TABLE, back, currentUser(req).listColumns);
}

/**
 * A list row (its rows have no id: the last piece, for any target) again after a write: the
 * entry's controls (with the typed values and errors after a refusal), or after a removal a
 * "Removed" row with its own Undo; and the message for the live region.
 */
export const listRowPiece: EntryPiece = {
  claims: () => true,
  answers: ['saved', 'refused', 'removed', 'restored'],
  send(req, res, write, back) {
    if (write.kind === 'added') throw new Error('the list row does not show an Add');
    if (write.kind === 'removed') {
      res.render('list/removed', {
        layout: false,
        removed: write.removed,
        columnCount: 5 + rowColumns(req, back).length,
        returnUrl: back,
        message: write.message,
      });
      return;
    }
    const scale = currentUser(req).ratingScale;
    const shown =
      write.kind === 'refused'
        ? entryView(write.entry, scale, write.typed, write.errors)
        : entryView(write.entry, scale);
    res.render('list/row-saved', {
      layout: false,
      rows: [shown],
      columns: rowColumns(req, back),
      scale: scaleView(scale),
      returnUrl: back,
      message: write.message,
    });
  },
};
