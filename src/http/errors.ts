import type { ErrorRequestHandler, RequestHandler } from 'express';
import createError, { isHttpError } from 'http-errors';
import { isCsrfError } from '../auth/csrf';
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

/**
 * Registered last. Client errors (4xx, including bodies that are malformed or too large) get
 * their status and a page that says what went wrong; anything else is logged with the request
 * id and the visitor sees a 500 page quoting that id, never a stack trace.
 */
export const handleErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) return next(error);
  // Errors from Express itself (a malformed %-escape in the path, say) carry a status without
  // being http-errors instances.
  const given =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  const status = typeof given === 'number' && given >= 400 && given < 600 ? given : 500;
  if (status >= 500) req.log.error({ err: error }, 'request failed');
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
};
