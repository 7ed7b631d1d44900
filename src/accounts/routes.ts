import { Router } from 'express';
import type { Knex } from 'knex';
import type { PassportInstance } from '../auth/session';
import { register, showRegister, showSignIn, signIn, signOut } from './handlers';

/** Registering, signing in and signing out. */
export function accountRoutes(
  knex: Knex,
  passport: PassportInstance,
  { registrationsPerHour }: { registrationsPerHour: number },
): Router {
  const router = Router();
  router.get('/register', showRegister);
  router.post('/register', register(knex, { registrationsPerHour }));
  router.get('/login', showSignIn);
  router.post('/login', signIn(knex, passport));
  router.post('/logout', signOut);
  return router;
}
