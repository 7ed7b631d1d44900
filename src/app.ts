import express, { type Express, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { aboutRoutes } from './about/routes';
import { accountRoutes } from './accounts/routes';
import { adminRoutes } from './admin/routes';
import { attemptSignIn } from './accounts/service';
import { catalogRowPiece } from './catalog/pieces';
import { catalogRoutes } from './catalog/routes';
import { createCsrf } from './auth/csrf';
import { DEFAULT_UPLOAD_LIMITS } from './imports/files';
import { importRoutes } from './imports/routes';
import { readMultipartForm } from './http/multipart';
import { startImportWorker, type ImportWorker } from './imports/worker';
import { setUpSessions } from './auth/session';
import type { SignIn } from './auth/sign-in';
import type { Config } from './config';
import { healthRoutes } from './health/routes';
import { homeTilePiece } from './home/pieces';
import { homeRoutes } from './home/routes';
import { listRoutes } from './list/routes';
import { createAssetUrls, setUpStaticResources } from './http/assets';
import { setUpCompression } from './http/compression';
import { answerLateRequests } from './http/deadline';
import { createOutageLog } from './database/outages';
import { STATUS_LABELS, STATUSES } from './entries/statuses';
import { createErrorHandler, notFound } from './http/errors';
import { takeFlash } from './http/flash';
import { setUpRequestLogging } from './http/request-logging';
import { setUpSecurityHeaders } from './http/security';
import { setUpNavigation, setUpViews } from './http/views';
import type { Logger } from './logger';
import { quickAddPiece, trackingPanelPiece } from './media/pieces';
import { mediaRoutes } from './media/routes';
import { setUpObservability } from './observability';
import { profileRoutes } from './profiles/routes';
import { settingsRoutes } from './settings/routes';
import { resolveTheme } from './themes/theme';

export type AppConfig = Pick<
  Config,
  | 'env'
  | 'isProduction'
  | 'donateUrl'
  | 'trustProxy'
  | 'sessionIdleMinutes'
  | 'sessionAbsoluteHours'
  | 'registrationsPerHour'
  | 'sentryDsn'
  | 'sentryRelease'
  | 'sentryEnvironment'
  | 'metricsToken'
> & {
  /** The largest file a list import takes (default 50 MB, IMPORT_MAX_MB). */
  importMaxBytes?: number;
  /** Resolved secrets (see resolveSessionSecrets): never empty here. */
  sessionSecrets: string[];
  /** How long a request may go unanswered before it gets 503 (default REQUEST_DEADLINE_MS). */
  requestDeadlineMs?: number;
  /**
   * Whether this app prunes expired sessions on a timer (default true). Tests that destroy their
   * database before the process ends turn it off, so no prune runs against a closed pool.
   */
  pruneSessions?: boolean;
};

export interface AppDependencies {
  knex: Knex;
  logger: Logger;
  config: AppConfig;
}

/**
 * Pages can hold a user's own data: never store them in a cache (the Back button after signing
 * out must not show them); anonymous pages are revalidated.
 */
const preventCachingOfPersonalPages: RequestHandler = (req, res, next) => {
  res.setHeader('Cache-Control', req.user ? 'private, no-store' : 'no-cache');
  next();
};

/** The list importer's limits, with the upload's size as configured (IMPORT_MAX_MB). */
const listImportLimits = (maxUploadBytes: number | undefined) => ({
  ...DEFAULT_UPLOAD_LIMITS,
  maxUploadBytes: maxUploadBytes ?? DEFAULT_UPLOAD_LIMITS.maxUploadBytes,
});

/**
 * The work a serving process does beside its requests: the list import queue's worker (reading
 * and applying uploaded lists). src/server.ts starts it in every process that listens, and stops
 * it before closing the pool.
 */
export function startBackgroundWork(knex: Knex, logger: Logger, config: { importMaxBytes?: number }): ImportWorker {
  return startImportWorker(knex, logger, { limits: listImportLimits(config.importMaxBytes) });
}

/** The composition root: every middleware and route, in order. Only src/server.ts listens. */
export function createApp({ knex, logger, config }: AppDependencies): Express {
  const app = express();
  app.set('query parser', 'simple');
  app.set('trust proxy', config.trustProxy);
  if (config.isProduction) app.set('view cache', true);
  // No ETag on rendered pages: Express would hash every page (185 kB for a list page) to spare a
  // transfer only when a page comes out byte for byte the same. Static files keep theirs.
  app.set('etag', false);

  const observability = setUpObservability(app, { knex, logger, config });
  setUpRequestLogging(app, logger);
  app.use(answerLateRequests(config.requestDeadlineMs));
  setUpSecurityHeaders(app);
  setUpCompression(app);
  setUpStaticResources(app, { cacheForever: config.env !== 'development' });
  setUpViews(app, {
    asset: createAssetUrls(),
    donateUrl: config.donateUrl,
    statusLabels: STATUS_LABELS,
    statuses: STATUSES,
  });
  // One per app: it summarises database outages in the log instead of a line per failed request.
  const outages = createOutageLog(logger);
  app.use(healthRoutes(knex, outages));

  // The sign-in check (limits, audit rows, the hash): signing in and the settings' confirmations.
  const signIn: SignIn = (attempt) => attemptSignIn(knex, attempt);
  const passport = setUpSessions(app, knex, {
    secrets: config.sessionSecrets,
    secureCookies: config.isProduction,
    idleMinutes: config.sessionIdleMinutes,
    absoluteHours: config.sessionAbsoluteHours,
    prune: config.pruneSessions ?? true,
    proxyTrusted: config.trustProxy !== false && config.trustProxy !== 0,
    logger,
    outages,
    signIn,
  });
  const csrf = createCsrf({ secrets: config.sessionSecrets, secureCookies: config.isProduction });
  app.use(takeFlash, resolveTheme, setUpNavigation, preventCachingOfPersonalPages, csrf.exposeToken);
  // After the session, so an error about the body (too large, say) is shown in the visitor's theme.
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 }));
  app.use('/api', express.json({ limit: '16kb' }));
  // The import form's file and fields, so that its CSRF token is read like any form's.
  const importLimits = listImportLimits(config.importMaxBytes);
  app.use(readMultipartForm('/import', importLimits.maxUploadBytes));
  app.use(csrf.protect);

  app.use(homeRoutes(knex));
  app.use(catalogRoutes(knex));
  // The pieces of other pages that the list's writes draw again (src/entries/pieces.ts), in order.
  app.use(listRoutes(knex, [homeTilePiece(knex), trackingPanelPiece(knex), quickAddPiece, catalogRowPiece(knex)]));
  app.use(accountRoutes(knex, passport, { registrationsPerHour: config.registrationsPerHour }));
  app.use(settingsRoutes(knex, { secureCookies: config.isProduction, signIn }));
  app.use(profileRoutes(knex));
  app.use(mediaRoutes(knex));
  app.use(adminRoutes(knex));
  app.use(aboutRoutes(knex));
  app.use(importRoutes(knex, importLimits));

  app.use(notFound);
  app.use(observability.recordErrors);
  app.use(createErrorHandler({ outages }));
  return app;
}
