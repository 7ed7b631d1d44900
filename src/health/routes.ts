import { Router } from 'express';
import type { Knex } from 'knex';
import { showHealth } from './handlers';

/** GET /healthz : for load balancers and uptime checks. */
export function healthRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/healthz', showHealth(knex));
  return router;
}
