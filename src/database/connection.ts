import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { projectRoot } from '../paths';
import { EmbeddedPostgres } from './embedded';

export type { Knex };

// Postgres `date` columns come back as 'YYYY-MM-DD' strings: a date has no time zone to shift.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// bigint counts fit in a JS number for any catalog we will hold; parse them so views get numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number.parseInt(value, 10));

const compiled = __filename.endsWith('.js');

/**
 * Migrations are recorded by their name without extension, so a database migrated from the
 * TypeScript sources (`npm run migrate`, `npm run dev`, the tests) and one migrated by the
 * compiled build (`npm start`, the Procfile) agree on what has run.
 */
export class MigrationFiles implements Knex.MigrationSource<string> {
  constructor(
    private readonly directory: string,
    private readonly extension: '.ts' | '.js',
  ) {}

  getMigrations(): Promise<string[]> {
    return Promise.resolve(
      fs
        .readdirSync(this.directory)
        .filter((file) => file.endsWith(this.extension) && !file.endsWith('.d.ts'))
        .sort(),
    );
  }

  getMigrationName(file: string): string {
    return path.basename(file, path.extname(file));
  }

  getMigration(file: string): Promise<Knex.Migration> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return Promise.resolve(require(path.join(this.directory, file)) as Knex.Migration);
  }
}

/** Where Knex finds migrations: TypeScript sources, or their compiled copies when running from dist/. */
export const migrationsConfig: Knex.MigratorConfig = {
  migrationSource: new MigrationFiles(
    path.join(projectRoot, compiled ? 'dist/migrations' : 'migrations'),
    compiled ? '.js' : '.ts',
  ),
  tableName: 'knex_migrations',
};

/**
 * One Knex instance (one pool) per process; handlers get it passed in, never import it. Knex's
 * own warnings go through the app's logger, so they are JSON lines like everything else.
 */
export function createKnex(connectionString: string, options: { poolMax?: number; logger?: Logger } = {}): Knex {
  const { poolMax = 10, logger } = options;
  return knexFactory({
    client: 'pg',
    // A server that does not answer a connect within 5 s is as good as down: fail (503) rather than
    // hold the request until the pool's own timeout. Keep-alive probes notice a peer that vanished.
    connection: {
      connectionString,
      application_name: 'omnimediatrak',
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    },
    pool: {
      min: 0,
      max: poolMax,
      // No parallel workers for the app's queries: they are short and many run at once, and
      // starting workers cost 20-30 ms where the query itself took 4 (docs/benchmarks.md). A SET
      // on each new connection, not a startup option, which poolers such as PgBouncer refuse.
      afterCreate: (connection: pg.Client, done: (error: Error | null, connection: pg.Client) => void) => {
        connection.query('set max_parallel_workers_per_gather = 0').then(
          () => done(null, connection),
          (error: Error) => done(error, connection),
        );
      },
    },
    acquireConnectionTimeout: 10_000,
    migrations: migrationsConfig,
    ...(logger && {
      log: {
        // A failed connect also fails the query that wanted it, which the outage log counts; a
        // warning with a stack for each attempt would flood the log while the database is away.
        warn: (message: unknown) =>
          typeof message === 'string' && message.startsWith('Acquire connection error')
            ? logger.debug({ knex: message.split('\n')[0] }, 'knex could not connect')
            : logger.warn({ knex: message }, 'knex warning'),
        error: (message: unknown) => logger.error({ knex: message }, 'knex error'),
        deprecate: (method: string, alternative: string) => logger.warn({ method, alternative }, 'knex deprecation'),
        debug: (message: unknown) => logger.debug({ knex: message }, 'knex debug'),
      },
    }),
  });
}

/** Describes a connection string for the log: host, port, database and user, never the password. */
export function describeDatabase(connectionString: string): string {
  const url = new URL(connectionString);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default)';
  return `${url.hostname}:${url.port || '5432'}/${database} as ${decodeURIComponent(url.username) || '(default user)'}`;
}

/** How long closing the pool may wait for connections still lent out (see closePool). */
const POOL_CLOSE_TIMEOUT_MS = 5_000;

/**
 * Closes the pool, waiting at most a few seconds: Knex waits for every connection lent out to come
 * back, and one held by a query a frozen database never answers would hold the shutdown forever.
 */
export async function closePool(knex: Knex, logger: Logger, timeoutMs = POOL_CLOSE_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([knex.destroy().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') logger.warn({ timeoutMs }, 'database connections still in use at shutdown: leaving them');
}

export interface OpenDatabase {
  knex: Knex;
  /** Where the pool connects (the embedded server's URL when it is embedded): for other processes. */
  connectionString: string;
  /** Closes the pool, then stops the embedded server if one was started. */
  close(): Promise<void>;
}

/** The embedded server's cluster folder under DATA_DIR. */
export function embeddedClusterDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'postgres');
}

/**
 * Connects to DATABASE_URL, or starts the embedded server when it is unset, and logs which
 * database is in use. With `shareRunning` (the command-line tools) an embedded server that the
 * app is already running is used as it is.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  { shareRunning = false }: { shareRunning?: boolean } = {},
): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let connectionString = config.databaseUrl;
  if (!connectionString) {
    const options = { clusterDir: embeddedClusterDir(config), logger };
    embedded =
      (shareRunning ? EmbeddedPostgres.running(options) : undefined) ?? (await EmbeddedPostgres.start(options));
    await embedded.ensureDatabase('omnimediatrak');
    connectionString = embedded.connectionString('omnimediatrak');
  }
  logger.info(
    { database: describeDatabase(connectionString), embedded: Boolean(embedded) },
    embedded
      ? `using the embedded PostgreSQL (data in ${path.relative(projectRoot, embeddedClusterDir(config)) || '.'})`
      : 'using the PostgreSQL server from DATABASE_URL',
  );
  const knex = createKnex(connectionString, { poolMax: config.databasePoolMax, logger });
  return {
    knex,
    connectionString,
    async close() {
      await closePool(knex, logger);
      await embedded?.stop();
    },
  };
}
