import type { Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../src/app';

/** The real app, as src/server.ts builds it, around a test database; logs go nowhere unless asked. */
export function createTestApp(knex: Knex, options: { logger?: pino.Logger; donateUrl?: string } = {}) {
  return createApp({
    knex,
    logger: options.logger ?? pino({ level: 'silent' }),
    config: { env: 'test', isProduction: false, donateUrl: options.donateUrl },
  });
}
