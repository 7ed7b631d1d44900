import crypto from 'node:crypto';
import type { Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * One JSON log line per request with a request id (taken from a proxy's X-Request-Id when it is
 * safe, otherwise made here) that is echoed in the response and shown on the error page. Only
 * method, path and status are logged: no headers, so no cookie or token can leak.
 */
export function setUpRequestLogging(app: Express, logger: Logger): void {
  app.use(
    pinoHttp({
      logger,
      genReqId(req, res) {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => (req.url ?? '').split('?')[0] === '/healthz' },
      customLogLevel(_req, res, error) {
        // 503 is the answer while the database is away: the outage log says why, once.
        if (res.statusCode === 503 && !error) return 'warn';
        if (error || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        return 'info';
      },
      // For a 5xx without an error of its own pino-http makes one up, stack and all, on every such
      // request; the error handler has logged the real one (or the outage log counted it).
      customErrorObject: (_req, _res, error, value: Record<string, unknown>) =>
        error instanceof Error && error.message.startsWith('failed with status code ')
          ? { ...value, err: undefined }
          : value,
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use((req, res, next) => {
    res.locals.requestId = req.id;
    next();
  });
}
