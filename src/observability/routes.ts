import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { RETRY_AFTER_SECONDS } from '../database/availability';
import type { Logger } from '../logger';
import type { MetricsSource } from './cluster';

const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/**
 * Lets through only `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time (of
 * digests, so the token's length does not show either). The client's address is not looked at:
 * behind a proxy every request comes from the proxy. A missing or wrong token is a 401 naming
 * the scheme, so a scraper set up wrong says why rather than that the page is gone.
 */
export function requireMetricsToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.get('Authorization') ?? '');
    if (match && crypto.timingSafeEqual(digest(match[1]!), expected)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="metrics"')
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send('GET /metrics needs the header Authorization: Bearer followed by METRICS_TOKEN.\n');
  };
}

/** The figures in Prometheus's text format; 503 if the workers could not be asked for theirs. */
export function showMetrics(source: MetricsSource, logger: Logger): RequestHandler {
  return async (_req, res) => {
    try {
      const body = await source.read();
      res.set('Cache-Control', 'no-store').type(source.contentType).send(body);
    } catch (error) {
      logger.warn({ err: error }, 'metrics could not be read');
      res
        .status(503)
        .set('Retry-After', String(RETRY_AFTER_SECONDS))
        .type('text/plain')
        .send('The metrics could not be gathered.\n');
    }
  };
}

/** GET /metrics, for Prometheus, behind the token. */
export function metricsRoutes(source: MetricsSource, token: string, logger: Logger): Router {
  const router = Router();
  router.get('/metrics', requireMetricsToken(token), showMetrics(source, logger));
  return router;
}
