import { currentUser } from '../auth/guards';
import createError from 'http-errors';
import type { Knex } from 'knex';
import type { EntryPiece } from '../entries/pieces';
import { findSavedColumns } from '../users/queries';
import { findCatalogRow } from './queries';
import { columnsAt } from '../tables/definition';
import { CATALOG_TABLE } from './validation';

/**
 * A catalog row (its rows have no id: any target no other piece claims) again after its Add,
 * now showing the status, drawn with the columns of the page it sits on; and the message.
 */
export function catalogRowPiece(knex: Knex): EntryPiece {
  return {
    claims: () => true,
    answers: ['added'],
    async send(req, res, write, back) {
      if (write.kind !== 'added') throw new Error(`a catalog row does not show a write of kind ${write.kind}`);
      const userId = currentUser(req).id;
      const row = await findCatalogRow(knex, write.mediaId, userId);
      if (!row) throw createError(404);
      const saved = await findSavedColumns(knex, userId, 'catalog_columns');
      res.render('catalog/added', {
        layout: false,
        rows: [row],
        columns: columnsAt(CATALOG_TABLE, back, saved),
        returnUrl: back,
        justAdded: true,
        message: write.message,
      });
    },
  };
}
