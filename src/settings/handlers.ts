import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { setFlash } from '../http/flash';
import { parseForm, type FieldErrors } from '../http/validation';
import { hashPassword, verifyPassword } from '../users/passwords';
import {
  deleteSessionsOfUser,
  deleteUser,
  findPasswordHash,
  updatePasswordHash,
  updateProfileVisibility,
  updateTheme,
} from '../users/queries';
import { setThemeCookie } from './theme';
import { accountDeletionSchema, passwordChangeSchema, privacySchema, themeSchema } from './validation';

function renderSettings(req: Request, res: Response, status = 200, errors: FieldErrors = {}): void {
  res.locals.section = 'settings';
  res.status(status).render('settings/index', {
    title: 'Settings',
    page: 'settings',
    errors,
    profileVisibility: req.user?.profileVisibility ?? 'public',
  });
}

export const showSettings: RequestHandler = (req, res) => renderSettings(req, res);

/** Anyone may pick a theme: kept in a cookie, and in the preferences of a signed-in user. */
export function saveTheme(knex: Knex, secureCookies: boolean): RequestHandler {
  return async (req, res) => {
    const form = parseForm(themeSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    if (req.user) await updateTheme(knex, req.user.id, form.value.theme);
    setThemeCookie(res, form.value.theme, secureCookies);
    setFlash(req, 'status', 'Theme saved.');
    res.redirect(303, '/settings');
  };
}

export function saveProfileVisibility(knex: Knex): RequestHandler {
  return async (req, res) => {
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
    res.redirect(303, '/settings');
  };
}

/** Needs the current password; ends every other session of the user. */
export function changePassword(knex: Knex): RequestHandler {
  return async (req, res) => {
    const form = parseForm(passwordChangeSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    const user = req.user!;
    const storedHash = await findPasswordHash(knex, user.id);
    if (!storedHash || !(await verifyPassword(storedHash, form.value.current_password))) {
      return renderSettings(req, res, 422, { current_password: 'Your current password is wrong' });
    }
    await updatePasswordHash(knex, user.id, await hashPassword(form.value.new_password));
    const ended = await deleteSessionsOfUser(knex, user.id, req.sessionID);
    setFlash(
      req,
      'status',
      ended > 0
        ? `Password changed. You were signed out on ${ended} other device${ended === 1 ? '' : 's'}.`
        : 'Password changed.',
    );
    res.redirect(303, '/settings');
  };
}

/** Needs the password; removes the account and all of the user's data (the catalog stays). */
export function deleteAccount(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const form = parseForm(accountDeletionSchema, req.body);
    if (!form.ok) return renderSettings(req, res, 422, form.errors);
    const user = req.user!;
    const storedHash = await findPasswordHash(knex, user.id);
    if (!storedHash || !(await verifyPassword(storedHash, form.value.delete_password))) {
      return renderSettings(req, res, 422, { delete_password: 'Your password is wrong' });
    }
    await deleteUser(knex, user.id);
    req.logout((error) => {
      if (error) return next(error);
      setFlash(req, 'status', 'Your account and everything in it have been deleted.');
      res.redirect(303, '/');
    });
  };
}
