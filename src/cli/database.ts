import { recountEntriesByStatus } from '../entries/queries';
import { runCatalogSeed, runDemoSeed } from '../../seeds';
import { runCommand, usageError } from './command';

const COMMANDS = ['migrate', 'rollback', 'seed', 'recount'];

/**
 * `npm run migrate`, `npm run migrate:rollback [-- --all]`, `npm run seed` and `npm run recount`
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
      await runCatalogSeed(knex, logger);
      if (config.demoAccount) await runDemoSeed(knex, logger);
    }
  });
}
