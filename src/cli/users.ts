import { loadConfig, loadDotEnv } from '../config';
import { openDatabase } from '../database/connection';
import { createLogger } from '../logger';
import { onShutdownSignal, terminate } from '../shutdown';
import { setRole } from '../users/queries';

const USAGE = 'usage: users (admin | member) USERNAME';

/**
 * `npm run user:admin -- NAME` makes NAME an administrator (catalog and relationship writes);
 * `npm run user:member -- NAME` takes that away again.
 */
async function main(argv: string[]): Promise<void> {
  const [command, username] = argv;
  if ((command !== 'admin' && command !== 'member') || !username) throw new Error(USAGE);
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger, { shareRunning: true });
  // Interrupted: close the pool and stop the embedded server rather than leave it running.
  onShutdownSignal(logger, () => {
    void database.close().finally(() => terminate(130));
  });
  try {
    if (!(await setRole(database.knex, username, command))) throw new Error(`No user named "${username}"`);
    process.stdout.write(`${username} is now ${command === 'admin' ? 'an administrator' : 'a member'}\n`);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
