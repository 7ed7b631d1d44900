import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Synchroniser tokens kept in the session: forms carry the token in a hidden field, htmx sends
 * it in a header set once in the layout. Every POST, PUT, PATCH and DELETE must carry it; the
 * error handler turns a missing or wrong token into a 403 page that explains what happened.
 * Views get `csrfToken()`, which makes a token only when a form is actually rendered.
 */
export function createCsrf(): { exposeToken: RequestHandler; protect: RequestHandler } {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    // 256 random bits, as hex: csrf-sync's default is four times that, and a list page carries
    // the token in every row's form.
    size: 32,
    getTokenFromRequest: (req: Request) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      if (typeof fromBody === 'string') return fromBody;
      const fromHeader = req.headers[CSRF_HEADER];
      return typeof fromHeader === 'string' ? fromHeader : undefined;
    },
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
  });
  return {
    // Before the body is read: even the page for a body that was refused renders its forms.
    exposeToken: (req, res, next) => {
      res.locals.csrfToken = () => generateToken(req);
      next();
    },
    // An API request with no signed-in user carries no credentials a forged request could borrow:
    // it goes on to its route, which answers 401 (every API write needs a user).
    protect: (req, res, next) => {
      if (req.path.startsWith('/api/') && !req.user) return next();
      csrfSynchronisedProtection(req, res, next);
    },
  };
}

/** True for the error csrf-sync raises on a missing or wrong token. */
export function isCsrfError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EBADCSRFTOKEN';
}
