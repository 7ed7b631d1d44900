import { Router } from 'express';
import type { Knex } from 'knex';
import { requireUser } from '../auth/guards';
import {
  changePassword,
  deleteAccount,
  saveProfileVisibility,
  saveRatingScale,
  saveTheme,
  showSettings,
} from './handlers';

/** /settings: theme for anyone; privacy, password and account deletion for the signed-in user. */
export function settingsRoutes(knex: Knex, { secureCookies }: { secureCookies: boolean }): Router {
  const router = Router();
  router.get('/settings', showSettings);
  router.post('/settings/theme', saveTheme(knex, secureCookies));
  router.post('/settings/privacy', requireUser, saveProfileVisibility(knex));
  router.post('/settings/rating-scale', requireUser, saveRatingScale(knex));
  router.post('/settings/password', requireUser, changePassword(knex));
  router.post('/settings/delete', requireUser, deleteAccount(knex));
  return router;
}
