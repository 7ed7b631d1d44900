import { Router } from 'express';
import type { Knex } from 'knex';
import type { OutageLog } from '../database/outages';
import { showHealth } from './handlers';

/** GET /healthz : for load balancers and uptime checks. */
export function healthRoutes(knex: Knex, outages: OutageLog): Router {
  const router = Router();
  router.get('/healthz', showHealth(knex, outages));
  return router;
}
