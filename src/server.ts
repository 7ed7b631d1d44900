import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, startBackgroundWork } from './app';
import { ConfigError, loadConfig, loadDotEnv, resolveSessionSecrets, type Config } from './config';
import { closePool, createKnex, openDatabase, type Knex, type OpenDatabase } from './database/connection';
import { createLogger, type Logger } from './logger';
import { serveClusterMetrics } from './observability';
import { trackForDrain, type Drain } from './http/drain';
import { onShutdownSignal, terminate } from './shutdown';
import { ingestAll, sourcesToLoad } from './ingest/all';
import { runDemoSeed } from '../seeds';

/** Brings the database to the current schema, loads the datasets into an empty catalog, and the demo account. */
async function prepareDatabase(database: OpenDatabase, config: Config, logger: Logger): Promise<void> {
  const { knex } = database;
  if (config.migrateOnStart) {
    const [, applied] = (await knex.migrate.latest()) as [number, string[]];
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  if (config.seedOnStart) {
    const adapters = await sourcesToLoad(knex);
    if (adapters.length) {
      logger.info(
        { sources: adapters.map((adapter) => adapter.name) },
        'loading the catalog from the open datasets (a first start takes a minute or two)',
      );
      await ingestAll(knex, logger, { dataDir: config.catalogDataDir, adapters });
    }
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

/** The app, listening as configured; logs where once it listens when `announce` is set. */
function listen(knex: Knex, config: Config, logger: Logger, announce: boolean): { server: Server; drain: Drain } {
  const app = createApp({ knex, logger, config: { ...config, sessionSecrets: resolveSessionSecrets(config) } });
  const listening = config.host ? app.listen(config.port, config.host) : app.listen(config.port);
  if (announce) {
    listening.on('listening', () => {
      const { port } = listening.address() as AddressInfo;
      logger.info({ port }, `OmniMediaTrak is running at http://localhost:${port}`);
    });
  }
  return { server: listening, drain: trackForDrain(listening) };
}

/**
 * Stops accepting, closes idle keep-alive sockets, finishes the requests in flight (each answered
 * with `Connection: close`), closing what is left after the shutdown timeout; then calls `done`.
 */
function closeServer(drain: Drain, config: Config, logger: Logger, done: () => void): void {
  void drain
    .close(config.shutdownTimeoutMs, () => logger.warn('requests still open after the shutdown timeout: closing them'))
    .then(done);
}

/**
 * One of WEB_CONCURRENCY processes that serve requests. The primary has connected, migrated and
 * seeded already, and passes the database's URL (the embedded server's too) in DATABASE_URL; the
 * workers share the listening port (node:cluster). The app keeps no state in memory, so any
 * worker may answer any request.
 */
function runWorker(config: Config, logger: Logger): void {
  if (!config.databaseUrl) throw new Error('a worker needs the DATABASE_URL its primary passes');
  const knex = createKnex(config.databaseUrl, { poolMax: config.databasePoolMax, logger });
  const { server, drain } = listen(knex, config, logger, false);
  const imports = startBackgroundWork(knex, logger, config);
  server.on('error', (error) => {
    logger.fatal({ err: error }, `could not listen on port ${config.port}`);
    void knex.destroy().finally(() => terminate(1));
  });
  onShutdownSignal(logger, () => {
    closeServer(drain, config, logger, () => {
      // A step in hand is finished first; one cut short would be rolled back and run again.
      void imports
        .stop()
        .then(() => closePool(knex, logger))
        .finally(() => terminate(0));
    });
  });
}

/**
 * Forks the workers and keeps their number up: a worker that dies while the app runs is
 * replaced, but one that dies before it ever listened stops the app (its error would repeat).
 * Logs where once all listen; `stop` signals them and resolves when every one has exited.
 */
function startWorkers(
  config: Config,
  logger: Logger,
  connectionString: string,
  onFailed: () => void,
): { stop(): Promise<void> } {
  let stopping = false;
  let announced = false;
  const listened = new Set<number>();
  const fork = () => cluster.fork({ DATABASE_URL: connectionString });
  serveClusterMetrics(config, logger);
  cluster.on('listening', (worker, address) => {
    listened.add(worker.id);
    logger.info({ pid: worker.process.pid }, 'worker process listening');
    if (!announced && listened.size === config.webConcurrency) {
      announced = true;
      logger.info(
        { port: address.port, processes: config.webConcurrency },
        `OmniMediaTrak is running at http://localhost:${address.port}`,
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'a worker process stopped');
    if (listened.has(worker.id)) fork();
    else onFailed();
  });
  for (let i = 0; i < config.webConcurrency; i += 1) fork();
  return {
    stop: () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => Boolean(worker));
      const exits = workers.map(
        (worker) =>
          new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))),
      );
      for (const worker of workers) worker.process.kill('SIGTERM');
      return Promise.all(exits).then(() => undefined);
    },
  };
}

/**
 * The only place that connects, migrates, listens and shuts down. A stop signal at any point is
 * honoured: during start-up once the current step is done, afterwards by finishing the requests
 * in flight; either way the pool is closed and the embedded database stopped. With
 * WEB_CONCURRENCY above 1 this process prepares the database, then worker processes serve.
 */
async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  if (cluster.isWorker) return runWorker(config, logger);
  if (config.trustProxy === true) {
    logger.warn(
      'TRUST_PROXY=true believes any X-Forwarded-For: set the number of proxies or their addresses instead, or client addresses (and the sign-in limit per address) can be forged',
    );
  }
  let database: OpenDatabase | undefined;
  // Set once serving starts; the signal handler reads it to tell start-up from running.
  const running: { stop?: (done: () => void) => void } = {};
  let stopRequested = false;

  const finish = async (code: number) => {
    await database?.close();
    logger.info('stopped');
    terminate(code);
  };

  onShutdownSignal(logger, (signal) => {
    stopRequested = true;
    if (!running.stop) {
      logger.info({ signal }, 'stopping: start-up will end after its current step');
      return;
    }
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    running.stop(() => void finish(0));
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

  if (config.webConcurrency > 1) {
    // Made once here (when not configured), so the workers all read the same secret.
    resolveSessionSecrets(config);
    const workers = startWorkers(config, logger, database.connectionString, () => {
      logger.fatal('a worker process could not start: stopping');
      void workers.stop().then(() => finish(1));
    });
    running.stop = (done) => void workers.stop().then(done);
    return;
  }

  const { server, drain } = listen(database.knex, config, logger, true);
  const imports = startBackgroundWork(database.knex, logger, config);
  running.stop = (done) => closeServer(drain, config, logger, () => void imports.stop().then(done));
  server.on('error', (error) => {
    logger.fatal({ err: error }, `could not listen on port ${config.port}`);
    void finish(1);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`OmniMediaTrak could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  terminate(1);
});
