import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type * as PromClient from 'prom-client';
import { isDatabaseUnavailable } from '../database/availability';
import { routeTemplate } from './route-template';

/** Every metric of the app's own starts with this, so they are easy to find among the defaults. */
const PREFIX = 'omnimediatrak_';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Pages take a few milliseconds; the top buckets catch a pool that is waiting for connections. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** tarn's pool, as Knex keeps it; undefined once the pool is destroyed. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

/**
 * prom-client, required only when metrics are on: loading it takes a tenth of a second at start,
 * which an app without METRICS_TOKEN need not pay.
 */
export function loadPromClient(): typeof PromClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('prom-client') as typeof PromClient;
}

export interface AppMetrics {
  /** A registry of this app's own (not prom-client's global one), so tests can build several apps. */
  registry: PromClient.Registry;
  /** Counts each request and times it, by method, route template and status. */
  countRequests: RequestHandler;
  /** Counts an error that reached the error handler when it says the database is unavailable. */
  noteError(error: unknown): void;
}

/** The app's metrics: requests, latency, the database pool and its errors, and Node's defaults. */
export function createMetrics(knex: Knex): AppMetrics {
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = loadPromClient();
  const registry = new Registry();
  // Node's defaults: event-loop lag (nodejs_eventloop_lag_*), CPU, memory, GC, handles.
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'Requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time from the request arriving to the response being sent, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const databaseErrors = new Counter({
    name: `${PREFIX}database_errors_total`,
    help: 'Database errors: "unavailable" when the server could not be reached, "query" for a failed statement.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  new Gauge({
    name: `${PREFIX}processes`,
    help: 'Processes serving requests that reported these figures (summed across workers).',
    registers: [registry],
    collect() {
      this.set(1);
    },
  });

  const pool = () => (knex.client as { pool?: Pool }).pool;
  const poolGauge = (name: string, help: string, read: (pool: Pool) => number) =>
    new Gauge({
      name: `${PREFIX}database_pool_${name}`,
      help,
      registers: [registry],
      collect() {
        const current = pool();
        this.set(current ? read(current) : 0);
      },
    });
  poolGauge('in_use', 'Pooled database connections lent to a query now.', (p) => p.numUsed());
  poolGauge('idle', 'Pooled database connections open and free.', (p) => p.numFree());
  poolGauge('waiting', 'Queries waiting for a pooled connection.', (p) => p.numPendingAcquires());
  poolGauge('connecting', 'Pooled connections being opened.', (p) => p.numPendingCreates());

  // Errors counted as they happen, so the error handler does not count the same one again.
  const counted = new WeakSet<object>();
  const countDatabaseError = (error: unknown) => {
    if (typeof error === 'object' && error !== null) {
      if (counted.has(error)) return;
      counted.add(error);
    }
    databaseErrors.inc({ kind: isDatabaseUnavailable(error) ? 'unavailable' : 'query' });
  };
  knex.on('query-error', countDatabaseError);

  const countRequests: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
      const route = routeTemplate(req);
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      requests.inc({ method, route, status });
      durations.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  return {
    registry,
    countRequests,
    noteError(error) {
      // A failed query was counted by the query-error event already; this catches the rest (a
      // pool that timed out, a session store that could not connect).
      if (isDatabaseUnavailable(error)) countDatabaseError(error);
    },
  };
}
