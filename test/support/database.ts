import knexFactory, { type Knex } from 'knex';
import { createKnex } from '../../src/database/connection';
import { ingestAll } from '../../src/ingest/all';
import { createLogger } from '../../src/logger';
import { rawDataDir } from '../../src/paths';

/**
 * Each test file works in a database of its own on the test server: a copy of the template
 * that global-setup migrated and seeded, or an empty one for migration and seed tests.
 */

let counter = 0;

function setting(name: 'OMT_TEST_ADMIN_URL' | 'OMT_TEST_TEMPLATE'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest, whose global setup sets it`);
  return value;
}

/** The same server as the admin URL, another database. */
export function databaseUrl(database: string): string {
  const url = new URL(setting('OMT_TEST_ADMIN_URL'));
  url.pathname = `/${database}`;
  return url.toString();
}

export function adminKnex(): Knex {
  return knexFactory({ client: 'pg', connection: setting('OMT_TEST_ADMIN_URL'), pool: { min: 0, max: 1 } });
}

export interface TestDatabase {
  name: string;
  url: string;
  knex: Knex;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function makeDatabase(template: string | undefined): Promise<TestDatabase> {
  counter += 1;
  const name = `${setting('OMT_TEST_TEMPLATE')}_${process.pid}_${counter}`;
  const admin = adminKnex();
  try {
    await admin.raw(
      template ? 'create database ?? template ??' : 'create database ??',
      template ? [name, template] : [name],
    );
  } finally {
    await admin.destroy();
  }
  const url = databaseUrl(name);
  const knex = createKnex(url, { poolMax: 5 });
  return {
    name,
    url,
    knex,
    async drop() {
      await knex.destroy();
      const cleanup = adminKnex();
      try {
        await cleanup.raw('drop database if exists ?? with (force)', [name]);
      } finally {
        await cleanup.destroy();
      }
    },
  };
}

/** A migrated database holding the whole seed catalog. */
export function createSeededDatabase(): Promise<TestDatabase> {
  return makeDatabase(setting('OMT_TEST_TEMPLATE'));
}

/** A database with nothing in it, not even the migrations. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return makeDatabase(undefined);
}

/**
 * A database holding the full catalog: every shipped dataset ingested (src/ingest/all.ts). It is
 * built once per run, by the first test file that asks, into a second template beside the seeded
 * one (global-teardown drops it with the rest); the others wait on an advisory lock and copy it.
 * It takes a minute or more to build: call it from a beforeAll with a long timeout.
 */
export async function createFullCatalogDatabase(): Promise<TestDatabase> {
  const template = `${setting('OMT_TEST_TEMPLATE')}_full`;
  const admin = knexFactory({ client: 'pg', connection: setting('OMT_TEST_ADMIN_URL'), pool: { min: 1, max: 1 } });
  try {
    await admin.raw('select pg_advisory_lock(hashtext(?))', [template]);
    const { rows } = await admin.raw<{ rows: unknown[] }>('select 1 from pg_database where datname = ?', [template]);
    if (rows.length === 0) await buildFullCatalog(admin, template);
    await admin.raw('select pg_advisory_unlock(hashtext(?))', [template]);
  } finally {
    await admin.destroy();
  }
  return makeDatabase(template);
}

async function buildFullCatalog(admin: Knex, template: string): Promise<void> {
  await admin.raw('create database ??', [template]);
  const knex = createKnex(databaseUrl(template), { poolMax: 2 });
  try {
    await knex.migrate.latest();
    await ingestAll(knex, createLogger('warn'), { dataDir: rawDataDir });
    await knex.raw('analyze');
  } catch (error) {
    await knex.destroy();
    await admin.raw('drop database if exists ?? with (force)', [template]);
    throw error;
  }
  await knex.destroy();
}
