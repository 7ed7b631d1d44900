import { Router } from 'express';
import type { Knex } from 'knex';
import { requireUser } from '../auth/guards';
import { exportCsv, exportJson } from './export';
import { addToList, removeFromList, saveEntry, showEditPage, showList, undoRemove } from './handlers';

/** /list: the signed-in user's own list; every route is theirs alone. */
export function listRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/list', requireUser, showList(knex));
  router.get('/list/export.csv', requireUser, exportCsv(knex));
  router.get('/list/export.json', requireUser, exportJson(knex));
  router.post('/list', requireUser, addToList(knex));
  // Before /list/:mediaId, which would otherwise take "restore" for an id.
  router.post('/list/restore', requireUser, undoRemove(knex));
  router.get('/list/:mediaId/edit', requireUser, showEditPage(knex));
  router.post('/list/:mediaId', requireUser, saveEntry(knex));
  router.post('/list/:mediaId/remove', requireUser, removeFromList(knex));
  return router;
}
