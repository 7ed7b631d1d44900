import { Router } from 'express';
import type { Knex } from 'knex';
import { requireUser } from '../auth/guards';
import { addToList } from './handlers';

/** /list: the signed-in user's own list. */
export function listRoutes(knex: Knex): Router {
  const router = Router();
  router.post('/list', requireUser, addToList(knex));
  return router;
}
