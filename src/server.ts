import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv, resolveSessionSecrets, type Config } from './config';
import { openDatabase, type OpenDatabase } from './database/connection';
import { createLogger, type Logger } from './logger';
import { catalogIsEmpty, runCatalogSeed, runDemoSeed } from '../seeds';

/** Brings the database to the current schema, seeds an empty catalog, and the demo account. */
async function prepareDatabase(database: OpenDatabase, config: Config, logger: Logger): Promise<void> {
  const { knex } = database;
  if (config.migrateOnStart) {
    const [, applied] = (await knex.migrate.latest()) as [number, string[]];
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  if (config.seedOnStart && (await catalogIsEmpty(knex))) {
    logger.info('the catalog is empty: loading the seed catalog');
    await runCatalogSeed(knex, logger);
  }
  if (config.demoAccount) await runDemoSeed(knex, logger);
}

/** The only place that connects, migrates, listens and shuts down. */
async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    await prepareDatabase(database, config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'could not prepare the database');
    await database.close();
    process.exit(1);
  }

  const app = createApp({
    knex: database.knex,
    logger,
    config: { ...config, sessionSecrets: resolveSessionSecrets(config) },
  });
  const server = config.host ? app.listen(config.port, config.host) : app.listen(config.port);
  server.on('error', async (error) => {
    logger.fatal({ err: error }, `could not listen on port ${config.port}`);
    await database.close();
    process.exit(1);
  });
  server.on('listening', () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port }, `OmniMediaTrak is running at http://localhost:${port}`);
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('requests still open after the shutdown timeout: closing them');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(async () => {
      clearTimeout(force);
      await database.close();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`OmniMediaTrak could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
