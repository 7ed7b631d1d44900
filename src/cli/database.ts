import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { openDatabase } from '../database/connection';
import { createLogger } from '../logger';
import { onShutdownSignal, terminate } from '../shutdown';
import { recountEntriesByStatus } from '../entries/queries';
import { runCatalogSeed, runDemoSeed } from '../../seeds';

const USAGE = 'usage: database (migrate | rollback [--all] | seed | recount)';

/**
 * `npm run migrate`, `npm run migrate:rollback [-- --all]`, `npm run seed` and `npm run recount`
 * (the list's counts by status, rebuilt from the entries), against
 * DATABASE_URL or the embedded server, exactly as the app itself would connect.
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...flags] = argv;
  if (!command || !['migrate', 'rollback', 'seed', 'recount'].includes(command)) throw new Error(USAGE);
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger, { shareRunning: true });
  // Interrupted: close the pool and stop the embedded server rather than leave it running.
  onShutdownSignal(logger, () => {
    void database.close().finally(() => terminate(130));
  });
  try {
    const { knex } = database;
    if (command === 'migrate') {
      const [batch, files] = (await knex.migrate.latest()) as [number, string[]];
      logger.info({ batch, applied: files }, files.length ? 'migrations applied' : 'already up to date');
    } else if (command === 'rollback') {
      const [batch, files] = (await knex.migrate.rollback(undefined, flags.includes('--all'))) as [number, string[]];
      logger.info({ batch, rolledBack: files }, files.length ? 'migrations rolled back' : 'nothing to roll back');
    } else if (command === 'recount') {
      await recountEntriesByStatus(knex);
      logger.info('list counts by status rebuilt from the entries');
    } else {
      await runCatalogSeed(knex, logger);
      if (config.demoAccount) await runDemoSeed(knex, logger);
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
});
