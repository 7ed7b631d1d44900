import crypto from 'node:crypto';
import path from 'node:path';
import knexFactory from 'knex';
import { createKnex } from '../../src/database/connection';
import { EmbeddedPostgres } from '../../src/database/embedded';
import { createLogger } from '../../src/logger';
import { projectRoot } from '../../src/paths';
import { runCatalogSeed } from '../../seeds';

declare global {
  var omtEmbeddedPostgres: EmbeddedPostgres | undefined;
}

/**
 * Real Postgres for every test: DATABASE_URL's server when it is set, otherwise the embedded
 * server (its own cluster in .data/test-postgres). A fresh template database is migrated and
 * seeded once per run; test files copy it, and global-teardown drops them all.
 */
export default async function globalSetup(): Promise<void> {
  const logger = createLogger('warn');
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const embedded = await EmbeddedPostgres.start({
      clusterDir: path.join(projectRoot, '.data', 'test-postgres'),
      logger,
      // Every test file copies the seeded template and drops its copies: nothing here needs to
      // survive a crash of the machine, so no write waits for the disk.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    globalThis.omtEmbeddedPostgres = embedded;
    adminUrl = embedded.connectionString('postgres');
  }
  const template = `omt_test_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('create database ??', [template]);
  } finally {
    await admin.destroy();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const knex = createKnex(url.toString(), { poolMax: 2, logger });
  try {
    await knex.migrate.latest();
    await runCatalogSeed(knex, logger);
  } catch (error) {
    // Jest skips the teardown when the setup fails: clean up here.
    await knex.destroy();
    const cleanup = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      await cleanup.raw('drop database if exists ?? with (force)', [template]);
    } finally {
      await cleanup.destroy();
    }
    await globalThis.omtEmbeddedPostgres?.stop();
    throw error;
  }
  await knex.destroy();
  process.env.OMT_TEST_ADMIN_URL = adminUrl;
  process.env.OMT_TEST_TEMPLATE = template;
}
