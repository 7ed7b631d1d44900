import cluster from 'node:cluster';
import type { ErrorRequestHandler, Express } from 'express';
import type { Knex } from 'knex';
import { isDatabaseUnavailable } from '../database/availability';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { clusterMetrics, localMetrics } from './cluster';
import { createErrorReporter } from './error-reports';
import { createMetrics } from './metrics';
import { trackRouteTemplates } from './route-template';
import { metricsRoutes } from './routes';

export { serveClusterMetrics } from './cluster';

/** What the app's configuration says of error reports and metrics. */
export type ObservabilitySettings = Pick<
  Config,
  'env' | 'sentryDsn' | 'sentryRelease' | 'sentryEnvironment' | 'metricsToken'
>;

export interface Observability {
  /** An error handler to register just before the app's own: it reports, then hands the error on. */
  recordErrors: ErrorRequestHandler;
}

/** The status the error handler will give: its own, or 500 for anything unexpected. */
function statusOf(error: unknown): number {
  const given =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof given === 'number' && given >= 400 && given < 600 ? given : 500;
}

/**
 * Error reports and metrics, each only when configured: without SENTRY_DSN Sentry is never
 * loaded, and without METRICS_TOKEN nothing is counted and there is no /metrics. Registered
 * first, so that every request is timed and /metrics is answered before sessions are read.
 */
export function setUpObservability(
  app: Express,
  { knex, logger, config }: { knex: Knex; logger: Logger; config: ObservabilitySettings },
): Observability {
  // Only metrics and reports read route templates: with both off, requests are not touched.
  if (config.metricsToken || config.sentryDsn) app.use(trackRouteTemplates);
  const metrics = config.metricsToken ? createMetrics(knex) : undefined;
  if (metrics && config.metricsToken) {
    app.use(metrics.countRequests);
    const source = cluster.isWorker ? clusterMetrics(metrics.registry) : localMetrics(metrics.registry);
    app.use(metricsRoutes(source, config.metricsToken, logger));
  }
  const reporter = config.sentryDsn
    ? createErrorReporter({
        dsn: config.sentryDsn,
        release: config.sentryRelease,
        environment: config.sentryEnvironment ?? config.env,
        logger,
      })
    : undefined;

  return {
    recordErrors(error: unknown, req, _res, next) {
      metrics?.noteError(error);
      // An outage is answered with 503 and summarised in the log and the metrics; an event per
      // failed request would bury everything else in the error tracker.
      const status = statusOf(error);
      if (reporter && status >= 500 && !isDatabaseUnavailable(error)) reporter.report(error, req, status);
      next(error);
    },
  };
}
