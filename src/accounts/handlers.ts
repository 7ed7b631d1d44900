import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import type { PassportInstance } from '../auth/session';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { safeNextPath } from '../http/redirects';
import { checked, neverRefused, type Check } from '../http/validate';
import type { FieldErrors } from '../http/validation';
import { hashPassword } from '../users/passwords';
import { findTakenIdentity, insertUser, recordSignIn, type SessionUser } from '../users/queries';
import { insertLoginEvent } from './queries';
import { throttledMessage, type SignInResult } from '../auth/sign-in';
import { registrationWait } from './service';
import { accountPageQuery, registrationSchema, signInSchema } from './validation';
import { themeFromCookie } from '../themes/theme';
import { DEFAULT_RATING_SCALE } from '../entries/ratings';

const WRONG_CREDENTIALS = 'The username or password is wrong';

/** A text field as typed, as the form draws it back (at most 500 characters). */
const shown = (typed: Record<string, string>, field: string) => (typed[field] ?? '').slice(0, 500);

function renderRegister(res: Response, status: number, typed: Record<string, string>, errors: FieldErrors): void {
  res.status(status).render('accounts/register', {
    title: 'Create an account',
    page: 'register',
    errors,
    values: { username: shown(typed, 'username'), email: shown(typed, 'email') },
    next: safeNextPath(shown(typed, 'next'), ''),
  });
}

function renderSignIn(res: Response, status: number, typed: Record<string, string>, errors: FieldErrors): void {
  res.status(status).render('accounts/login', {
    title: 'Sign in',
    page: 'login',
    errors,
    values: { username: shown(typed, 'username') },
    next: safeNextPath(shown(typed, 'next'), ''),
  });
}

/**
 * Starts a signed-in session: a new session id (no fixation) and the sign-in time. A sign-in through the form has its audit row already; registering
 * writes one here.
 */
function startSession(
  knex: Knex,
  req: Request,
  res: Response,
  next: NextFunction,
  user: SessionUser,
  { target, greeting, audit }: { target: string; greeting?: string; audit: boolean },
) {
  req.login(user, (error) => {
    if (error) return next(error);
    req.session.signedInAt = Date.now();
    // After login: the session (and anything in it) was just replaced.
    if (greeting) setFlash(req, 'status', greeting);
    const event = audit
      ? insertLoginEvent(knex, {
          userId: user.id,
          usernameAttempted: user.username,
          ip: req.ip,
          userAgent: req.get('User-Agent'),
          outcome: 'success',
        })
      : undefined;
    Promise.all([recordSignIn(knex, user.id), event])
      .then(() => redirectAfterSaving(req, res, next, target))
      .catch(next);
  });
}

export const showRegister = checked(
  { schemas: { query: accountPageQuery }, refuse: neverRefused },
  (req, res, { query }) => {
    if (req.user) return res.redirect(303, '/');
    res.render('accounts/register', {
      title: 'Create an account',
      page: 'register',
      errors: {},
      values: {},
      next: query.next,
    });
  },
);

const DUPLICATE_ERRORS = {
  username: 'That username is taken: choose another',
  email: 'An account with this email address already exists: sign in instead',
};

/**
 * Creates the account and signs it in; a taken username or email is a field error, even in a race.
 * An address that made `registrationsPerHour` attempts within the hour waits (429), before it is
 * told whether anything is taken and before any password is hashed.
 */
export function register(knex: Knex, { registrationsPerHour }: { registrationsPerHour: number }): RequestHandler {
  const check: Check<{ body: typeof registrationSchema }> = {
    schemas: { body: registrationSchema },
    refuse: (_req, res, { typed, errors }) => renderRegister(res, 422, typed, errors),
  };
  return checked(check, async (req, res, { body: registration, typed }, next) => {
    // The limit comes before the taken check: each answer about taken-ness spends an attempt, so
    // the form cannot be used to find out freely which emails have an account.
    const wait = await registrationWait(knex, req.ip, registrationsPerHour);
    if (wait !== null) {
      res.setHeader('Retry-After', String(wait));
      return renderRegister(res, 429, typed, {
        username: throttledMessage(wait, 'Too many accounts were created from your network.'),
      });
    }
    const taken = await findTakenIdentity(knex, registration.username, registration.email);
    if (taken.username || taken.email) {
      const errors: FieldErrors = {};
      if (taken.username) errors.username = DUPLICATE_ERRORS.username;
      if (taken.email) errors.email = DUPLICATE_ERRORS.email;
      return renderRegister(res, 422, typed, errors);
    }
    const passwordHash = await hashPassword(registration.password);
    let userId: string;
    try {
      userId = await insertUser(
        knex,
        { username: registration.username, email: registration.email, passwordHash },
        { theme: themeFromCookie(req) ?? 'system' },
      );
    } catch (error) {
      // Two identical submissions at once: the second loses at the unique index, not with a 500.
      const constraint =
        (error as { code?: string; constraint?: string }).code === '23505'
          ? (error as { constraint?: string }).constraint
          : undefined;
      if (constraint === 'users_username_key')
        return renderRegister(res, 422, typed, { username: DUPLICATE_ERRORS.username });
      if (constraint === 'users_email_key') return renderRegister(res, 422, typed, { email: DUPLICATE_ERRORS.email });
      throw error;
    }
    const user: SessionUser = {
      id: userId,
      username: registration.username,
      role: 'member',
      theme: themeFromCookie(req) ?? 'system',
      profileVisibility: 'public',
      ratingScale: DEFAULT_RATING_SCALE,
      listColumns: null,
    };
    const greeting = `Welcome, ${registration.username}! Your account is ready.`;
    startSession(knex, req, res, next, user, { target: registration.next || '/', greeting, audit: true });
  });
}

export const showSignIn = checked(
  { schemas: { query: accountPageQuery }, refuse: neverRefused },
  (req, res, { query }) => {
    if (req.user) return res.redirect(303, query.next || '/');
    res.render('accounts/login', {
      title: 'Sign in',
      page: 'login',
      errors: {},
      values: {},
      next: query.next,
    });
  },
);

/**
 * Checks the form, then the credentials through passport-local (attemptSignIn: throttle, audit
 * row, password). A wrong username and a wrong password get the same message.
 */
export function signIn(knex: Knex, passport: PassportInstance): RequestHandler {
  const check: Check<{ body: typeof signInSchema }> = {
    schemas: { body: signInSchema },
    refuse: (_req, res, { typed, errors }) => renderSignIn(res, 422, typed, errors),
    // passport-local reads the request's body: the checked form, the name trimmed.
    passCheckedBody: true,
  };
  return checked(check, (req, res, { body: form, typed }, next) => {
    const verify = (error: unknown, user: SessionUser | false, info?: { result?: SignInResult }) => {
      if (error) return next(error);
      if (user) return startSession(knex, req, res, next, user, { target: form.next || '/', audit: false });
      const result = info?.result;
      if (result?.outcome === 'throttled') {
        res.setHeader('Retry-After', String(result.retryAfterSeconds));
        return renderSignIn(res, 429, typed, { username: throttledMessage(result.retryAfterSeconds) });
      }
      renderSignIn(res, 401, typed, { username: WRONG_CREDENTIALS });
    };
    const authenticate = passport.authenticate('local', { session: false }, verify) as RequestHandler;
    authenticate(req, res, next);
  });
}

/** Ends the session on the server (its row is deleted) and starts a fresh anonymous one. */
export const signOut: RequestHandler = (req, res, next) => {
  req.logout((error) => {
    if (error) return next(error);
    setFlash(req, 'status', 'You have signed out.');
    redirectAfterSaving(req, res, next, '/');
  });
};
