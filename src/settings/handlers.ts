import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { checked, type Check, type RequestSchemas } from '../http/validate';
import type { FieldErrors } from '../http/validation';
import { currentUser } from '../auth/guards';
import { throttledMessage, type SignIn } from '../auth/sign-in';
import { RATING_SCALES } from '../entries/ratings';
import { hashPassword } from '../users/passwords';
import { DEFAULT_RATING_SCALE, RATING_SCALE_NAMES } from '../entries/ratings';
import {
  deleteUser,
  replacePasswordEndingSessions,
  updateProfileVisibility,
  updateRatingScale,
  updateTheme,
} from '../users/queries';
import { setThemeCookie } from '../themes/theme';
import {
  accountDeletionSchema,
  passwordChangeSchema,
  privacySchema,
  ratingScaleSchema,
  themeSchema,
} from './validation';

function renderSettings(req: Request, res: Response, status = 200, errors: FieldErrors = {}): void {
  res.locals.section = 'settings';
  res.status(status).render('settings/index', {
    title: 'Settings',
    page: 'settings',
    errors,
    profileVisibility: req.user?.profileVisibility ?? 'public',
    ratingScale: req.user?.ratingScale ?? DEFAULT_RATING_SCALE,
    ratingScales: RATING_SCALE_NAMES.map((name) => ({ value: name, label: RATING_SCALES[name].title })),
  });
}

export const showSettings: RequestHandler = (req, res) => renderSettings(req, res);

/** A settings form behind its schema: refused, the page again with 422 and the field's error. */
function settingsForm<Body extends RequestSchemas['body'] & object>(body: Body): Check<{ body: Body }> {
  return { schemas: { body }, refuse: (req, res, { errors }) => renderSettings(req, res, 422, errors) };
}

/** Anyone may pick a theme: kept in a cookie, and in the preferences of a signed-in user. */
export function saveTheme(knex: Knex, secureCookies: boolean): RequestHandler {
  return checked(settingsForm(themeSchema), async (req, res, { body: { theme } }, next) => {
    if (req.user) await updateTheme(knex, req.user.id, theme);
    setThemeCookie(res, theme, secureCookies);
    setFlash(req, 'status', 'Theme saved.');
    redirectAfterSaving(req, res, next, '/settings');
  });
}

/** The rating scale the list shows and reads; ratings stay stored on one scale, so none change. */
export function saveRatingScale(knex: Knex): RequestHandler {
  return checked(settingsForm(ratingScaleSchema), async (req, res, { body: { rating_scale: scale } }, next) => {
    await updateRatingScale(knex, currentUser(req).id, scale);
    setFlash(req, 'status', `Ratings are now shown and typed as ${RATING_SCALES[scale].title}.`);
    redirectAfterSaving(req, res, next, '/settings');
  });
}

export function saveProfileVisibility(knex: Knex): RequestHandler {
  return checked(settingsForm(privacySchema), async (req, res, { body: { profile_visibility: visibility } }, next) => {
    await updateProfileVisibility(knex, currentUser(req).id, visibility);
    setFlash(
      req,
      'status',
      visibility === 'private' ? 'Your profile is now private: only you can see it.' : 'Your profile is now public.',
    );
    redirectAfterSaving(req, res, next, '/settings');
  });
}

/**
 * Confirms the signed-in user's password through the same audit trail and limit as signing in,
 * so a borrowed session cannot guess it without end. Renders the form's error and returns false.
 */
async function confirmPassword(signIn: SignIn, req: Request, res: Response, field: string, password: string) {
  const check = await signIn({
    identifier: currentUser(req).username,
    password,
    ip: req.ip,
    userAgent: req.get('User-Agent'),
  });
  if (check.outcome === 'success') return true;
  if (check.outcome === 'throttled') {
    res.setHeader('Retry-After', String(check.retryAfterSeconds));
    renderSettings(req, res, 429, { [field]: throttledMessage(check.retryAfterSeconds) });
  } else {
    renderSettings(req, res, 422, { [field]: 'Your password is wrong' });
  }
  return false;
}

/**
 * Needs the current password. Ends every session of the user, then signs this browser in again
 * with a new session id, so only the device that changed the password stays signed in.
 */
export function changePassword(knex: Knex, signIn: SignIn): RequestHandler {
  return checked(settingsForm(passwordChangeSchema), async (req, res, { body: form }, next) => {
    const user = currentUser(req);
    if (form.new_password.toLowerCase() === user.username.toLowerCase()) {
      return renderSettings(req, res, 422, { new_password: 'Password must not be your username' });
    }
    if (!(await confirmPassword(signIn, req, res, 'current_password', form.current_password))) return;
    const passwordHash = await hashPassword(form.new_password);
    const ended = (await replacePasswordEndingSessions(knex, user.id, passwordHash)) - 1;
    req.login(user, (error) => {
      if (error) return next(error);
      req.session.signedInAt = Date.now();
      setFlash(
        req,
        'status',
        ended > 0
          ? `Password changed. You were signed out on ${ended} other device${ended === 1 ? '' : 's'}.`
          : 'Password changed.',
      );
      redirectAfterSaving(req, res, next, '/settings');
    });
  });
}

/** Needs the password; removes the account and all of the user's data (the catalog stays). */
export function deleteAccount(knex: Knex, signIn: SignIn): RequestHandler {
  return checked(settingsForm(accountDeletionSchema), async (req, res, { body: form }, next) => {
    if (!(await confirmPassword(signIn, req, res, 'delete_password', form.delete_password))) return;
    await deleteUser(knex, currentUser(req).id);
    req.logout((error) => {
      if (error) return next(error);
      setFlash(req, 'status', 'Your account and everything in it have been deleted.');
      redirectAfterSaving(req, res, next, '/');
    });
  });
}
