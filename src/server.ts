import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv, resolveSessionSecrets, type Config } from './config';
import { openDatabase, type OpenDatabase } from './database/connection';
import { createLogger, type Logger } from './logger';
import { onShutdownSignal, terminate } from './shutdown';
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
  if (config.demoAccount) {
    await runDemoSeed(knex, logger);
    if (config.host !== undefined && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
      logger.warn({ host: config.host }, 'the demo account, whose password is public, is reachable from the network');
    }
  }
}

function readConfig(): Config {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    terminate(1);
  }
}

/**
 * The only place that connects, migrates, listens and shuts down. A stop signal at any point is
 * honoured: during start-up once the current step is done, afterwards by finishing the requests
 * in flight; either way the pool is closed and the embedded database stopped.
 */
async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  if (config.trustProxy === true) {
    logger.warn(
      'TRUST_PROXY=true believes any X-Forwarded-For: set the number of proxies or their addresses instead, or client addresses (and the sign-in limit per address) can be forged',
    );
  }
  let database: OpenDatabase | undefined;
  // Set once listening starts; the signal handler reads it to tell start-up from running.
  const running: { server?: Server } = {};
  let stopRequested = false;

  const finish = async (code: number) => {
    await database?.close();
    logger.info('stopped');
    terminate(code);
  };

  onShutdownSignal(logger, (signal) => {
    stopRequested = true;
    const server = running.server;
    if (!server) {
      logger.info({ signal }, 'stopping: start-up will end after its current step');
      return;
    }
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('requests still open after the shutdown timeout: closing them');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      void finish(0);
    });
    server.closeIdleConnections();
  });

  try {
    database = await openDatabase(config, logger);
    if (stopRequested) return await finish(0);
    await prepareDatabase(database, config, logger);
    if (stopRequested) return await finish(0);
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    await database?.close().catch(() => undefined);
    terminate(1);
  }

  const app = createApp({
    knex: database.knex,
    logger,
    config: { ...config, sessionSecrets: resolveSessionSecrets(config) },
  });
  const listening = config.host ? app.listen(config.port, config.host) : app.listen(config.port);
  running.server = listening;
  listening.on('error', (error) => {
    logger.fatal({ err: error }, `could not listen on port ${config.port}`);
    void finish(1);
  });
  listening.on('listening', () => {
    const { port } = listening.address() as AddressInfo;
    logger.info({ port }, `OmniMediaTrak is running at http://localhost:${port}`);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`OmniMediaTrak could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  terminate(1);
});
