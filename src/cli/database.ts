import { recountEntriesByStatus } from '../entries/queries';
import { ingestAll } from '../ingest/all';
import { runDemoSeed } from '../../seeds';
import { runCommand, usageError } from './command';

const COMMANDS = ['migrate', 'rollback', 'seed', 'recount'];

/**
 * `npm run migrate`, `npm run migrate:rollback [-- --all]`, `npm run seed` (the open datasets
 * and the demo account) and `npm run recount`
 * (the list's counts by status, rebuilt from the entries), against
 * DATABASE_URL or the embedded server, exactly as the app itself would connect.
 */
const [command, ...flags] = process.argv.slice(2);
if (!command || !COMMANDS.includes(command))
  usageError('usage: database (migrate | rollback [--all] | seed | recount)');
else {
  runCommand(async ({ knex, logger, config }) => {
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
      // Every dataset, whatever is loaded already: a source whose files have not changed changes nothing.
      await ingestAll(knex, logger, { dataDir: config.catalogDataDir });
      if (config.demoAccount) await runDemoSeed(knex, logger);
    }
  });
}
