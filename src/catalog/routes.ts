import { Router } from 'express';
import type { Knex } from 'knex';
import { showCatalog } from './handlers';

/** GET /catalog : search, filter, sort and page through the catalog. */
export function catalogRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/catalog', showCatalog(knex));
  return router;
}
