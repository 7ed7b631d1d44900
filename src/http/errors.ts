import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import createError, { isHttpError } from 'http-errors';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../database/availability';
import type { OutageLog } from '../database/outages';
import { errorForLog } from '../observability/scrub';
import { RequestDeadlineError } from './deadline';
import { wantsJson } from './fragments';

/** The code of a JSON error, by status, for API clients to branch on. */
const ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  422: 'invalid',
};

const CLIENT_ERROR_TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Not allowed',
  405: 'Method not allowed',
  413: 'Request too large',
  415: 'Unsupported request',
};

/** Anything no route answered is a 404, rendered by the error handler like any other error. */
export const notFound: RequestHandler = (_req, _res, next) => next(createError(404));

/** Where "Try again" leads: the page asked for, or for a form post the page it came from. */
function retryUrl(req: Request): string {
  const sameSite = (url: string | undefined) => (url && /^\/(?![/\\])/.test(url) ? url : undefined);
  if (req.method === 'GET') return sameSite(req.originalUrl) ?? '/';
  const referer = req.get('Referer');
  if (!referer) return '/';
  try {
    const url = new URL(referer);
    return url.host === req.get('Host') ? (sameSite(url.pathname + url.search) ?? '/') : '/';
  } catch {
    return '/';
  }
}

/**
 * While the database cannot be reached: 503 with Retry-After, so clients and proxies wait and
 * try again. The page needs no query: the layout draws the visitor's header when the session
 * could not be read, the user's when the outage came later.
 */
function answerUnavailable(req: Request, res: Response): void {
  res.status(503);
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.setHeader('Cache-Control', 'no-store');
  if (wantsJson(req)) {
    const detail = 'The service is briefly unavailable. Try again in a few seconds.';
    // A problem document (RFC 9457). `error` is the shape the API's other errors have today, kept
    // as an extension member so a client that reads it keeps working.
    res.type('application/problem+json').send(
      JSON.stringify({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail,
        error: { code: 'unavailable', message: detail },
      }),
    );
    return;
  }
  const locals = { title: 'Back in a moment', page: 'error', retryUrl: retryUrl(req) };
  res.render('errors/unavailable', locals, (renderError, html) => {
    // The handler may have answered after all while the page was drawn.
    if (res.headersSent) return;
    if (renderError) req.log.error({ err: renderError }, 'unavailable page could not be rendered');
    res.type('html').send(html ?? '<!DOCTYPE html><title>Back in a moment</title><p>Try again in a few seconds.</p>');
  });
}

/**
 * Registered last. A database that cannot be reached is a 503 (counted in the outage log, not
 * logged request by request). Client errors (4xx, including bodies that are malformed or too
 * large) get their status and a page that says what went wrong; anything else is logged with the
 * request id and the visitor sees a 500 page quoting that id, never a stack trace.
 */
export function createErrorHandler({ outages }: { outages: OutageLog }): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // The answer was sent whole (a handler that answered and then failed, or one that the
      // request deadline answered for): nothing to tell the client, and handing on would make
      // Express destroy a socket the client may reuse.
      if (res.writableEnded) {
        if (isDatabaseUnavailable(error)) outages.note(error, 'after response');
        else req.log.warn({ err: errorForLog(error, req) }, 'error after the response was sent');
        return;
      }
      return next(error);
    }
    // A request past its deadline is most likely waiting on a database that stopped answering.
    if (isDatabaseUnavailable(error) || error instanceof RequestDeadlineError) {
      outages.note(error, req.route ? `${req.method} ${String((req.route as { path?: unknown }).path)}` : req.method);
      answerUnavailable(req, res);
      return;
    }
    renderError(error, req, res);
  };
}

function renderError(error: unknown, req: Request, res: Response): void {
  // Errors from Express itself (a malformed %-escape in the path, say) carry a status without
  // being http-errors instances.
  const given =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  const status = typeof given === 'number' && given >= 400 && given < 600 ? given : 500;
  if (status >= 500) req.log.error({ err: errorForLog(error, req) }, 'request failed');
  res.status(status);
  // If the error page itself cannot be rendered, say so in plain text rather than leak a trace.
  const render = (view: string, locals: Record<string, unknown>) =>
    res.render(view, locals, (renderError: Error | null, html?: string) => {
      if (renderError) {
        req.log.error({ err: renderError }, 'error page could not be rendered');
        res.type('text/plain').send(status >= 500 ? 'Something went wrong.' : 'The request could not be handled.');
      } else {
        res.send(html);
      }
    });
  if (wantsJson(req)) {
    // API errors are JSON: { error: { code, message, field? } }.
    const exposed = status < 500 && isHttpError(error) && error.expose;
    const field = exposed ? (error as { field?: unknown }).field : undefined;
    res.json({
      error: {
        code: isCsrfError(error) ? 'csrf' : (ERROR_CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request')),
        message: exposed ? error.message : status === 404 ? 'Not found.' : 'The request could not be handled.',
        ...(typeof field === 'string' ? { field } : {}),
      },
    });
    return;
  }
  if (isCsrfError(error)) {
    render('errors/csrf', { title: 'This form has expired', page: 'error' });
  } else if (status === 404) {
    render('errors/not-found', { title: 'Page not found', page: 'error' });
  } else if (status < 500) {
    render('errors/client-error', {
      title: CLIENT_ERROR_TITLES[status] ?? 'Request not understood',
      page: 'error',
      status,
      message: isHttpError(error) && error.expose ? error.message : 'The request could not be handled.',
    });
  } else {
    render('errors/server-error', { title: 'Something went wrong', page: 'error' });
  }
}

/** True for the error csrf-sync raises on a missing or wrong token (src/auth/csrf.ts). */
export function isCsrfError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EBADCSRFTOKEN';
}
