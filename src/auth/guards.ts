import type { Request, RequestHandler } from 'express';
import createError from 'http-errors';
import { isFragmentRequest, wantsJson } from '../http/fragments';

/**
 * Where a signed-out visitor is sent to sign in, with `next` bringing them back: the page they
 * asked for (GET), or for a form post the page the form was on (htmx says which).
 */
export function signInUrl(req: Request): string {
  let back = req.method === 'GET' ? req.originalUrl : '/';
  const current = req.get('HX-Current-URL');
  if (current) {
    try {
      const url = new URL(current);
      back = url.pathname + url.search;
    } catch {
      // A malformed header: fall back to the request's own path.
    }
  }
  return `/login?next=${encodeURIComponent(back)}`;
}

/**
 * For every route that needs a signed-in user. A page request is redirected to sign in and comes
 * back afterwards; htmx and API requests get 401 (htmx is told where to go in HX-Redirect).
 */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (wantsJson(req)) {
    res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in to do this.' } });
    return;
  }
  if (isFragmentRequest(req, res)) {
    res.setHeader('HX-Redirect', signInUrl(req));
    res.status(401).send('Sign in to do this.');
    return;
  }
  res.redirect(303, signInUrl(req));
};

/** For catalog and relationship writes: administrators only (403 for other signed-in users). */
export const requireAdmin: RequestHandler = (req, res, next) => {
  requireUser(req, res, (error?: unknown) => {
    if (error) return next(error);
    if (req.user?.role !== 'admin') return next(createError(403, 'Only administrators can do this.'));
    next();
  });
};

/**
 * The signed-in user, for a handler behind requireUser (or requireAdmin). Throws 401 if there is
 * none, so a route that forgot its guard fails closed instead of reading an undefined user.
 */
export function currentUser(req: Request): Express.User {
  if (!req.user) throw createError(401, 'Sign in to do this.');
  return req.user;
}
