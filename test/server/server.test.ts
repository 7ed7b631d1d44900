import http from 'node:http';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { runServer, type ServerRun } from '../support/server-process';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('the server process', () => {
  let db: TestDatabase;
  let server: ServerRun | undefined;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    if (server && server.exitCode === null) server.child.kill('SIGKILL');
    await db.drop();
  });

  it('migrates and seeds an empty database by itself, serves the home page, and stops cleanly on SIGTERM', async () => {
    server = await runServer({ DATABASE_URL: db.url, PORT: '0', DEMO_ACCOUNT: 'true' }, { until: 'listening' });
    expect(server.port).toBeDefined();
    const port = server.port!;

    const log = server.stdout;
    expect(log).toContain('migrations applied');
    expect(log).toContain('catalog seed finished');
    expect(log).toContain('using the PostgreSQL server from DATABASE_URL');
    expect(log).toContain('demo account: sign in as \\"demo\\"');
    // The connection string's password never reaches the log; the database is named without it.
    expect(log).not.toContain(db.url);

    const home = await get(port, '/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('data-page="home"');
    expect((await get(port, '/healthz')).status).toBe(200);
    const media = await db.knex('media.media').count({ n: '*' });
    expect(media[0]!.n).toBeGreaterThan(16_000);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout).toContain('"signal":"SIGTERM"');
    expect(server.stdout).toContain('"msg":"stopped"');
  });
});
