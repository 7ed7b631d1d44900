import { Router } from 'express';
import type { Knex } from 'knex';
import { showHome } from './handlers';

/** GET / : the home page. */
export function homeRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/', showHome(knex));
  return router;
}
