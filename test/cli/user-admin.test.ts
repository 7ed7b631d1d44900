import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/paths';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser } from '../support/session';

function runUsersCommand(
  databaseUrl: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['src/cli/users.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

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
