import path from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from '../src/logger';
import { seedDataDir } from '../src/paths';
import { readCatalog, seedCatalog, type CatalogSeedReport } from './catalog';
import { DEMO_ACCOUNT, ensureDemoAccount } from './demo';

export const catalogFile = path.join(seedDataDir, 'catalog.jsonl');

/** Loads the catalog (idempotent) and logs what it did. */
export async function runCatalogSeed(knex: Knex, logger: Logger): Promise<CatalogSeedReport> {
  const started = Date.now();
  const report = await seedCatalog(knex, readCatalog(catalogFile));
  logger.info({ ...report, ms: Date.now() - started }, 'catalog seed finished');
  return report;
}

/** True when the catalog has no media yet: `npm start` seeds only then. */
export async function catalogIsEmpty(knex: Knex): Promise<boolean> {
  const row = await knex('media.media').select(knex.raw('1')).first<Record<string, unknown> | undefined>();
  return row === undefined;
}

/** Makes the demo account if missing and prints how to sign in with it. */
export async function runDemoSeed(knex: Knex, logger: Logger): Promise<void> {
  const { created } = await ensureDemoAccount(knex);
  logger.info(
    { username: DEMO_ACCOUNT.username, created },
    `demo account: sign in as "${DEMO_ACCOUNT.username}" with password "${DEMO_ACCOUNT.password}" (never created in production)`,
  );
}
