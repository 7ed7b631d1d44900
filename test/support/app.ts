import type { Knex } from 'knex';
import pino from 'pino';
import { createApp, type AppConfig } from '../../src/app';

/** The configuration tests run with unless they say otherwise. */
export const testConfig: AppConfig = {
  env: 'test',
  isProduction: false,
  donateUrl: undefined,
  trustProxy: false,
  sessionIdleMinutes: 60,
  sessionAbsoluteHours: 24,
  // Browser journeys create many accounts from one address; the limit has tests of its own.
  registrationsPerHour: 0,
  sessionSecrets: ['a-test-secret-that-is-at-least-32-characters-long'],
  // A test's database is dropped while jest's process goes on: a prune timer would outlive it.
  pruneSessions: false,
};

/** The real app, as src/server.ts builds it, around a test database; logs go nowhere unless asked. */
export function createTestApp(
  knex: Knex,
  options: { logger?: pino.Logger; donateUrl?: string; config?: Partial<AppConfig> } = {},
) {
  return createApp({
    knex,
    logger: options.logger ?? pino({ level: 'silent' }),
    config: { ...testConfig, donateUrl: options.donateUrl, ...options.config },
  });
}
