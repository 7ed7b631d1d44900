import { Router } from 'express';
import type { Knex } from 'knex';
import { showProfile } from './handlers';

/** GET /users/:username : a profile, hidden when private. */
export function profileRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/users/:username', showProfile(knex));
  return router;
}
