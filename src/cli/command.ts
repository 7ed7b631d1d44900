import type { Knex } from 'knex';
import { loadConfig, loadDotEnv, type Config } from '../config';
import { openDatabase } from '../database/connection';
import { createLogger, type Logger } from '../logger';
import { onShutdownSignal, terminate } from '../shutdown';

/**
 * A command of `npm run …` against the database the app itself would use (DATABASE_URL or the
 * embedded server, shared with a running app): the work gets the connection, and the database is
 * closed after it, or when the command is interrupted. A failure prints its message and exits 1.
 */
export function runCommand(
  work: (context: { knex: Knex; logger: Logger; config: Config }) => Promise<void>,
  options: { quiet?: boolean } = {},
): void {
  const run = async () => {
    loadDotEnv();
    const config = loadConfig();
    const logger = createLogger(options.quiet && config.logLevel === 'info' ? 'warn' : config.logLevel);
    const database = await openDatabase(config, logger, { shareRunning: true });
    // Interrupted: close the pool and stop the embedded server rather than leave it running.
    onShutdownSignal(logger, () => {
      void database.close().finally(() => terminate(130));
    });
    try {
      await work({ knex: database.knex, logger, config });
    } finally {
      await database.close();
    }
  };
  run().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

/** A command called wrongly: says how to call it, and exits 1 without touching the database. */
export function usageError(usage: string): void {
  process.stderr.write(`${usage}\n`);
  process.exitCode = 1;
}
