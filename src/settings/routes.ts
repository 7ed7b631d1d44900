import { Router } from 'express';
import type { Knex } from 'knex';
import { requireUser } from '../auth/guards';
import type { SignIn } from '../auth/sign-in';
import {
  changePassword,
  deleteAccount,
  saveProfileVisibility,
  saveRatingScale,
  saveTheme,
  showSettings,
} from './handlers';

/**
 * /settings: theme for anyone; privacy, password and account deletion for the signed-in user. The
 * password and deletion forms confirm the password with `signIn` (the sign-in check and its limits).
 */
export function settingsRoutes(
  knex: Knex,
  { secureCookies, signIn }: { secureCookies: boolean; signIn: SignIn },
): Router {
  const router = Router();
  router.get('/settings', showSettings);
  router.post('/settings/theme', saveTheme(knex, secureCookies));
  router.post('/settings/privacy', requireUser, saveProfileVisibility(knex));
  router.post('/settings/rating-scale', requireUser, saveRatingScale(knex));
  router.post('/settings/password', requireUser, changePassword(knex, signIn));
  router.post('/settings/delete', requireUser, deleteAccount(knex, signIn));
  return router;
}
