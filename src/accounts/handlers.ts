import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import type { PassportInstance } from '../auth/session';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { safeNextPath } from '../http/redirects';
import { parseForm, submitted, type FieldErrors } from '../http/validation';
import { hashPassword } from '../users/passwords';
import { findTakenIdentity, insertUser, recordSignIn, type SessionUser } from '../users/queries';
import { insertLoginEvent } from './queries';
import { registrationWait, throttledMessage, type SignInResult } from './service';
import { registrationSchema, signInSchema, type Registration } from './validation';
import { themeFromCookie } from '../themes/theme';
import { DEFAULT_RATING_SCALE } from '../entries/ratings';

const WRONG_CREDENTIALS = 'The username or password is wrong';

function renderRegister(res: Response, status: number, body: unknown, errors: FieldErrors): void {
  res.status(status).render('accounts/register', {
    title: 'Create an account',
    page: 'register',
    errors,
    values: { username: submitted(body, 'username'), email: submitted(body, 'email') },
    next: safeNextPath(submitted(body, 'next'), ''),
  });
}

function renderSignIn(res: Response, status: number, body: unknown, errors: FieldErrors): void {
  res.status(status).render('accounts/login', {
    title: 'Sign in',
    page: 'login',
    errors,
    values: { username: submitted(body, 'username') },
    next: safeNextPath(submitted(body, 'next'), ''),
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

export const showRegister: RequestHandler = (req, res) => {
  if (req.user) return res.redirect(303, '/');
  res.render('accounts/register', {
    title: 'Create an account',
    page: 'register',
    errors: {},
    values: {},
    next: safeNextPath(req.query.next, ''),
  });
};

/** Re-renders the form with 422 and field errors unless the registration is valid. */
export const validateRegistration: RequestHandler = (req, res, next) => {
  const form = parseForm(registrationSchema, req.body);
  if (!form.ok) return renderRegister(res, 422, req.body, form.errors);
  res.locals.registration = form.value;
  next();
};

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
  return async (req, res, next) => {
    const registration = res.locals.registration as Registration;
    // The limit comes before the taken check: each answer about taken-ness spends an attempt, so
    // the form cannot be used to find out freely which emails have an account.
    const wait = await registrationWait(knex, req.ip, registrationsPerHour);
    if (wait !== null) {
      res.setHeader('Retry-After', String(wait));
      return renderRegister(res, 429, req.body, {
        username: throttledMessage(wait, 'Too many accounts were created from your network.'),
      });
    }
    const taken = await findTakenIdentity(knex, registration.username, registration.email);
    if (taken.username || taken.email) {
      const errors: FieldErrors = {};
      if (taken.username) errors.username = DUPLICATE_ERRORS.username;
      if (taken.email) errors.email = DUPLICATE_ERRORS.email;
      return renderRegister(res, 422, req.body, errors);
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
        return renderRegister(res, 422, req.body, { username: DUPLICATE_ERRORS.username });
      if (constraint === 'users_email_key')
        return renderRegister(res, 422, req.body, { email: DUPLICATE_ERRORS.email });
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
    startSession(knex, req, res, next, user, { target: safeNextPath(req.body?.next), greeting, audit: true });
  };
}

export const showSignIn: RequestHandler = (req, res) => {
  if (req.user) return res.redirect(303, safeNextPath(req.query.next));
  res.render('accounts/login', {
    title: 'Sign in',
    page: 'login',
    errors: {},
    values: {},
    next: safeNextPath(req.query.next, ''),
  });
};

/**
 * Checks the form, then the credentials through passport-local (attemptSignIn: throttle, audit
 * row, password). A wrong username and a wrong password get the same message.
 */
export function signIn(knex: Knex, passport: PassportInstance): RequestHandler {
  return (req, res, next) => {
    const form = parseForm(signInSchema, req.body);
    if (!form.ok) return renderSignIn(res, 422, req.body, form.errors);
    // passport-local reads the body: give it the trimmed name the form check accepted.
    req.body.username = form.value.username;
    const verify = (error: unknown, user: SessionUser | false, info?: { result?: SignInResult }) => {
      if (error) return next(error);
      if (user) return startSession(knex, req, res, next, user, { target: safeNextPath(req.body?.next), audit: false });
      const result = info?.result;
      if (result?.outcome === 'throttled') {
        res.setHeader('Retry-After', String(result.retryAfterSeconds));
        return renderSignIn(res, 429, req.body, { username: throttledMessage(result.retryAfterSeconds) });
      }
      renderSignIn(res, 401, req.body, { username: WRONG_CREDENTIALS });
    };
    passport.authenticate('local', { session: false }, verify)(req, res, next);
  };
}

/** Ends the session on the server (its row is deleted) and starts a fresh anonymous one. */
export const signOut: RequestHandler = (req, res, next) => {
  req.logout((error) => {
    if (error) return next(error);
    setFlash(req, 'status', 'You have signed out.');
    redirectAfterSaving(req, res, next, '/');
  });
};
