import { Router, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { requireUser } from '../auth/guards';
import { exportCsv, exportJson } from './export';
import type { EntryPiece } from '../entries/pieces';
import { showList } from './handlers';
import { listRowPiece } from './pieces';
import { addToList, removeFromList, saveEntry, showEditPage, undoRemove } from './writes';

/**
 * /list: the signed-in user's own list; every route is theirs alone. Its writes serve other pages'
 * forms too: `pieces` are those pages' pieces (src/entries/pieces.ts), tried before the list's row.
 */
export function listRoutes(knex: Knex, otherPieces: readonly EntryPiece[]): Router {
  const pieces = [...otherPieces, listRowPiece];
  const router = Router();
  // What a write answers depends on HX-Request (a piece or a redirect), a 404 included: say so once.
  const variesWithHtmx: RequestHandler = (_req, res, next) => {
    res.vary('HX-Request');
    next();
  };
  router.get('/list', requireUser, showList(knex));
  router.get('/list/export.csv', requireUser, exportCsv(knex));
  router.get('/list/export.json', requireUser, exportJson(knex));
  router.post('/list', requireUser, variesWithHtmx, addToList(knex, pieces));
  // Before /list/:mediaId, which would otherwise take "restore" for an id.
  router.post('/list/restore', requireUser, variesWithHtmx, undoRemove(knex, pieces));
  router.get('/list/:mediaId/edit', requireUser, showEditPage(knex));
  router.post('/list/:mediaId', requireUser, variesWithHtmx, saveEntry(knex, pieces));
  router.post('/list/:mediaId/remove', requireUser, variesWithHtmx, removeFromList(knex, pieces));
  return router;
}
