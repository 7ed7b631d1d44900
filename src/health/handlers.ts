import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { RETRY_AFTER_SECONDS } from '../database/availability';
import type { OutageLog } from '../database/outages';
import { pingDatabase } from './queries';

const PING_TIMEOUT_MS = 2000;

/** For load balancers and uptime checks: 200 when the database answers, 503 when it does not. */
export function showHealth(knex: Knex, outages: OutageLog): RequestHandler {
  return async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pingDatabase(knex, PING_TIMEOUT_MS);
      res.json({ status: 'ok', database: 'up' });
    } catch (error) {
      outages.note(error, 'health check');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  };
}
