import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import createError from 'http-errors';
import { wantsJson } from '../http/fragments';
import { SESSION_COOKIE } from './session';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/**
 * The cookie of a visitor's random value; the forms carry its HMAC. With Secure cookies it takes
 * the `__Host-` prefix, which browsers accept only from this exact origin over HTTPS with no
 * Domain: a sibling subdomain or a plain-HTTP man in the middle cannot plant one of its own.
 */
export function visitorCsrfCookie(secureCookies: boolean): string {
  return secureCookies ? '__Host-omt.csrf' : 'omt.csrf';
}

const CSRF_ERROR = { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' } as const;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** As long as a visitor's session used to last: a form left open longer is refused, as before. */
const VISITOR_COOKIE_MS = 120 * 60_000;
const NONCE = /^[A-Za-z0-9_-]{43}$/;

export interface CsrfOptions {
  /** The session secrets, newest first: tokens are made with the first and checked with each. */
  secrets: string[];
  secureCookies: boolean;
}

function tokenFromRequest(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  if (typeof fromBody === 'string') return fromBody;
  const fromHeader = req.headers[CSRF_HEADER];
  return typeof fromHeader === 'string' ? fromHeader : undefined;
}

function cookiesOf(req: Request): Record<string, string | undefined> {
  return parseCookies(req.headers.cookie ?? '');
}

/**
 * A key of its own for visitors' tokens, derived from a session secret. Keyed by the secret
 * itself, the token of a nonce would be the session cookie's signature of some string: a visitor
 * could have the app sign session ids of their choosing.
 */
function visitorKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('omt visitor csrf key').digest();
}

function visitorToken(key: Buffer, nonce: string): string {
  return createHmac('sha256', key).update(nonce).digest('base64url');
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Two kinds of token. A signed-in user's are synchroniser tokens kept in their session. A visitor
 * has no session (no row for every form fetched): their token is a signed double-submit, the
 * HMAC (under a key derived from the session secret) of a random value kept in its own HttpOnly
 * cookie. A forged post from another site cannot read that cookie, nor send the token that goes
 * with it; the cookie's `__Host-` name under HTTPS keeps other origins from planting one.
 *
 * Forms carry the token in a hidden field, htmx sends it in a header set once in the layout. Every
 * POST, PUT, PATCH and DELETE must carry it; the error handler turns a missing or wrong token into
 * a 403 page that explains what happened. Views get `csrfToken()`, which makes a token (and for a
 * visitor sets the cookie) only when a form is actually rendered.
 */
export function createCsrf({ secrets, secureCookies }: CsrfOptions): {
  exposeToken: RequestHandler;
  protect: RequestHandler;
} {
  const keys = secrets.map(visitorKey);
  const cookieName = visitorCsrfCookie(secureCookies);
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    // 256 random bits, as hex: csrf-sync's default is four times that, and a list page carries
    // the token in every row's form.
    size: 32,
    getTokenFromRequest: tokenFromRequest,
    errorConfig: CSRF_ERROR,
  });

  // express-session sends no Secure cookie over plain HTTP either: the visitor could sign in to
  // nothing. The form post then gets the page that says why (see protect).
  const cookieCannotBeKept = (req: Request) => secureCookies && !req.secure;

  const visitorTokenFor = (req: Request, res: Response): string => {
    let nonce = res.locals.visitorCsrfNonce as string | undefined;
    if (!nonce) {
      const held = cookiesOf(req)[cookieName];
      // Kept while it lasts, so forms open in several tabs stay valid together.
      nonce = held && NONCE.test(held) ? held : randomBytes(32).toString('base64url');
      res.locals.visitorCsrfNonce = nonce;
      if (!cookieCannotBeKept(req)) {
        res.cookie(cookieName, nonce, {
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookies,
          maxAge: VISITOR_COOKIE_MS,
          path: '/',
        });
      }
    }
    return visitorToken(keys[0]!, nonce);
  };

  const visitorTokenValid = (req: Request): boolean => {
    const nonce = cookiesOf(req)[cookieName];
    const given = tokenFromRequest(req);
    if (!nonce || !NONCE.test(nonce) || !given) return false;
    return keys.some((key) => sameToken(given, visitorToken(key, nonce)));
  };

  return {
    // Before the body is read: even the page for a body that was refused renders its forms.
    exposeToken: (req, res, next) => {
      res.locals.csrfToken = () => (req.user ? generateToken(req) : visitorTokenFor(req, res));
      next();
    },
    protect: (req, res, next) => {
      if (SAFE_METHODS.has(req.method)) return next();
      // An API request with no signed-in user carries no credentials a forged request could
      // borrow: it goes on to its route, which answers 401 (every API write needs a user).
      if (req.path.startsWith('/api/') && !req.user) return next();
      if (req.user) return csrfSynchronisedProtection(req, res, next);
      if (visitorTokenValid(req)) return next();
      const cookies = cookiesOf(req);
      if (cookieCannotBeKept(req) && !cookies[cookieName] && !cookies[SESSION_COOKIE] && !wantsJson(req)) {
        res.status(403);
        res.render('errors/cookies-need-https', { title: 'This site needs HTTPS', page: 'error' }, (error, html) =>
          error ? next(error) : res.send(html),
        );
        return;
      }
      next(createError(CSRF_ERROR.statusCode, CSRF_ERROR.message, { code: CSRF_ERROR.code }));
    },
  };
}
