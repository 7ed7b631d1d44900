import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { parseForm, type FieldErrors } from '../http/validation';
import { attemptSignIn, throttledMessage } from '../accounts/service';
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

/** Anyone may pick a theme: kept in a cookie, and in the preferences of a signed-in user. */
export function saveTheme(knex: Knex, secureCookies: boolean): RequestHandler {
  return async (req, res, next) => {
    const form = parseForm(themeSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    if (req.user) await updateTheme(knex, req.user.id, form.value.theme);
    setThemeCookie(res, form.value.theme, secureCookies);
    setFlash(req, 'status', 'Theme saved.');
    redirectAfterSaving(req, res, next, '/settings');
  };
}

/** The rating scale the list shows and reads; ratings stay stored on one scale, so none change. */
export function saveRatingScale(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const form = parseForm(ratingScaleSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    await updateRatingScale(knex, req.user!.id, form.value.rating_scale);
    setFlash(req, 'status', `Ratings are now shown and typed as ${RATING_SCALES[form.value.rating_scale].title}.`);
    redirectAfterSaving(req, res, next, '/settings');
  };
}

export function saveProfileVisibility(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const form = parseForm(privacySchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    await updateProfileVisibility(knex, req.user!.id, form.value.profile_visibility);
    setFlash(
      req,
      'status',
      form.value.profile_visibility === 'private'
        ? 'Your profile is now private: only you can see it.'
        : 'Your profile is now public.',
    );
    redirectAfterSaving(req, res, next, '/settings');
  };
}

/**
 * Confirms the signed-in user's password through the same audit trail and limit as signing in,
 * so a borrowed session cannot guess it without end. Renders the form's error and returns false.
 */
async function confirmPassword(knex: Knex, req: Request, res: Response, field: string, password: string) {
  const check = await attemptSignIn(knex, {
    identifier: req.user!.username,
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
export function changePassword(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const form = parseForm(passwordChangeSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    const user = req.user!;
    if (form.value.new_password.toLowerCase() === user.username.toLowerCase()) {
      return renderSettings(req, res, 422, { new_password: 'Password must not be your username' });
    }
    if (!(await confirmPassword(knex, req, res, 'current_password', form.value.current_password))) return;
    const passwordHash = await hashPassword(form.value.new_password);
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
  };
}

/** Needs the password; removes the account and all of the user's data (the catalog stays). */
export function deleteAccount(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const form = parseForm(accountDeletionSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    if (!(await confirmPassword(knex, req, res, 'delete_password', form.value.delete_password))) return;
    await deleteUser(knex, req.user!.id);
    req.logout((error) => {
      if (error) return next(error);
      setFlash(req, 'status', 'Your account and everything in it have been deleted.');
      redirectAfterSaving(req, res, next, '/');
    });
  };
}
