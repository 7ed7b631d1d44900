import { Router } from 'express';
import type { Knex } from 'knex';
import { DATA_SOURCES_PATH } from '../attribution/sources';
import { showDataSources } from './handlers';

/** GET /about/data : the datasets of the catalog, their licences and the credit they are owed. */
export function aboutRoutes(knex: Knex): Router {
  const router = Router();
  router.get(DATA_SOURCES_PATH, showDataSources(knex));
  return router;
}
