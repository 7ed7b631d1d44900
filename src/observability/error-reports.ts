import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import type * as SentryModule from '@sentry/node';
import type { Logger } from '../logger';
import { projectRoot } from '../paths';
import { routeTemplate } from './route-template';
import { scrubDeep, scrubString, secretsOf } from './scrub';

type Sentry = typeof SentryModule;
type SentryEvent = SentryModule.ErrorEvent;

export interface ErrorReporterOptions {
  dsn: string;
  /** Unset: the platform's commit (SOURCE_VERSION and the like), else package version and git commit. */
  release: string | undefined;
  environment: string;
  logger: Logger;
}

export interface ErrorReporter {
  /** Sends an unexpected (5xx) error with the request's id and route template, and nothing it carried. */
  report(error: unknown, req: Request, status: number): void;
}

/** The commit checked out, read from .git without running git; undefined outside a checkout. */
function gitCommit(): string | undefined {
  try {
    const gitDir = path.join(projectRoot, '.git');
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    const ref = head.slice(5);
    const loose = path.join(gitDir, ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    const packed = fs.readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
    return packed
      .split('\n')
      .find((line) => line.endsWith(` ${ref}`))
      ?.split(' ')[0];
  } catch {
    return undefined;
  }
}

/** `omnimediatrak@0.1.0+<commit>`: what a report is filed under unless SENTRY_RELEASE says. */
export function resolveRelease(configured: string | undefined, platformCommit: string | undefined): string {
  if (configured) return configured;
  const { name, version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const commit = platformCommit ?? gitCommit();
  return `${name}@${version}${commit ? `+${commit.slice(0, 12)}` : ''}`;
}

/**
 * Only what the app puts there itself survives: the exception (its messages scrubbed), tags and
 * the `request_info` context of ids and templates. Request data, the user, breadcrumbs and extra
 * context could hold cookies, form fields or addresses, so they never leave the process.
 */
function keepOnlyWhatIsSafe(event: SentryEvent, secrets: readonly string[]): SentryEvent {
  delete event.request;
  delete event.user;
  delete event.breadcrumbs;
  delete event.extra;
  const { trace, runtime, request_info } = event.contexts ?? {};
  event.contexts = { ...(trace && { trace }), ...(runtime && { runtime }), ...(request_info && { request_info }) };
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubString(exception.value, secrets);
  }
  if (event.message) event.message = scrubString(event.message, secrets);
  if (event.logentry) event.logentry = scrubDeep(event.logentry, secrets);
  return event;
}

function startClient(Sentry: Sentry, options: ErrorReporterOptions): SentryModule.NodeClient {
  const client = new Sentry.NodeClient({
    dsn: options.dsn,
    release: resolveRelease(options.release, Sentry.getSentryRelease()),
    environment: options.environment,
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    // No default integrations: they would record HTTP requests (with headers), console output
    // and breadcrumbs, and instrument modules at load time. Errors are captured by hand below.
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.contextLinesIntegration()],
    enableRuntimeChannelInjection: false,
    // Even were an integration added later, it would collect none of the request's data.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      stackFrameVariables: false,
    },
    maxBreadcrumbs: 0,
    tracesSampleRate: 0,
    sendClientReports: false,
    beforeBreadcrumb: () => null,
    beforeSend: (event) => keepOnlyWhatIsSafe(event, []),
  });
  client.init();
  return client;
}

/** @sentry/node, required only when called: see createErrorReporter. */
function loadSentry(logger: Logger): Sentry | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@sentry/node') as Sentry;
  } catch (error) {
    logger.error({ err: error }, 'error reports are off: @sentry/node could not be loaded');
    return undefined;
  }
}

/**
 * Reports unexpected errors to Sentry. @sentry/node is required only here, when a DSN is set,
 * so an app without one never loads it (it is large, and start-up and memory are measured).
 * It is required, not imported, so it loads once at start and a report never waits for it.
 */
export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  const Sentry = loadSentry(options.logger);
  const client = Sentry && startClient(Sentry, options);
  return {
    report(error, req, status) {
      if (!Sentry || !client) return;
      const route = routeTemplate(req);
      const requestId = typeof req.id === 'object' ? JSON.stringify(req.id) : String(req.id);
      const scope = new Sentry.Scope();
      scope.setTags({ route, request_id: requestId, method: req.method, status: String(status) });
      scope.setContext('request_info', { id: requestId, route, method: req.method, status });
      scope.setTransactionName(`${req.method} ${route}`);
      // Runs before beforeSend, with this request's values to hunt for in the messages.
      const secrets = secretsOf(req);
      scope.addEventProcessor((event) => keepOnlyWhatIsSafe(event as SentryEvent, secrets));
      client.captureException(error, { mechanism: { type: 'express', handled: false } }, scope);
    },
  };
}
