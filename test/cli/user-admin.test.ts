import { createSeededDatabase, type TestDatabase } from '../support/database';
import { runCliCommand } from '../support/cli';
import { createUser } from '../support/session';

const runUsersCommand = (databaseUrl: string, args: string[]) => runCliCommand('users.ts', databaseUrl, args);

describe('npm run user:admin', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('makes a user an administrator and back, and says so when the user does not exist', async () => {
    const user = await createUser(db.knex);
    const promoted = await runUsersCommand(db.url, ['admin', user.username]);
    expect(promoted).toMatchObject({ code: 0, stdout: `${user.username} is now an administrator\n` });
    expect(await db.knex('users.users').where({ id: user.id }).first()).toMatchObject({ role: 'admin' });

    expect((await runUsersCommand(db.url, ['member', user.username])).code).toBe(0);
    expect(await db.knex('users.users').where({ id: user.id }).first()).toMatchObject({ role: 'member' });

    const missing = await runUsersCommand(db.url, ['admin', 'no-such-user']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('No user named "no-such-user"');
  });
});
