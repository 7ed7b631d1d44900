import { setRole } from '../users/queries';
import { runCommand, usageError } from './command';

/**
 * `npm run user:admin -- NAME` makes NAME an administrator (catalog and relationship writes);
 * `npm run user:member -- NAME` takes that away again.
 */
const [command, username] = process.argv.slice(2);
if ((command !== 'admin' && command !== 'member') || !username) usageError('usage: users (admin | member) USERNAME');
else {
  runCommand(
    async ({ knex }) => {
      if (!(await setRole(knex, username, command))) throw new Error(`No user named "${username}"`);
      process.stdout.write(`${username} is now ${command === 'admin' ? 'an administrator' : 'a member'}\n`);
    },
    { quiet: true },
  );
}
