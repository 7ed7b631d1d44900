import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { pingDatabase } from './queries';

const PING_TIMEOUT_MS = 2000;

/** For load balancers and uptime checks: 200 when the database answers, 503 when it does not. */
export function showHealth(knex: Knex): RequestHandler {
  return async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pingDatabase(knex, PING_TIMEOUT_MS);
      res.json({ status: 'ok', database: 'up' });
    } catch (error) {
      req.log.warn({ err: error }, 'health check: database unavailable');
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  };
}
