import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../src/database/embedded';
import { runServer, type ServerRun } from '../support/server-process';
import { makeClient, postmasterPid, sleep, tally, tempDir } from './support';

/**
 * On the embedded default the app owns its PostgreSQL: when that process dies the app must start
 * it again by itself, and answer in the meantime, rather than serve 503 until someone restarts it.
 */
describe('the embedded PostgreSQL killed while the app runs', () => {
  let dataDir: string;
  let server: ServerRun | undefined;

  beforeAll(() => {
    dataDir = tempDir('omt-embedded-');
  });

  afterAll(async () => {
    if (server?.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is restarted by the app, which answers throughout and serves again', async () => {
    server = await runServer(
      { PORT: '0', DATA_DIR: dataDir, SEED_ON_START: 'false', DEMO_ACCOUNT: 'false' },
      { until: 'listening' },
    );
    if (server.port === undefined) throw new Error(`the server did not start:\n${server.stdout}\n${server.stderr}`);
    const client = makeClient(server.port, { sockets: 1 });
    expect((await client.get('/healthz')).answer?.status).toBe(200);

    const clusterDir = path.join(dataDir, 'postgres');
    const killed = postmasterPid(clusterDir)!;
    process.kill(killed, 'SIGKILL');
    const killedAt = Date.now();

    const statuses: string[] = [];
    let recoveredAt: number | undefined;
    while (!recoveredAt && Date.now() - killedAt < 30_000) {
      await sleep(100);
      const outcome = await client.get('/healthz');
      statuses.push(outcome.answer?.status.toString() ?? `no answer: ${outcome.error}`);
      // The first 503 proves the outage was seen; a 200 after it, that the server is back.
      if (outcome.answer?.status === 200 && statuses.includes('503')) recoveredAt = Date.now();
      if (outcome.answer?.status === 200 && !statuses.includes('503') && Date.now() - killedAt > 5_000) break;
    }
    process.stdout.write(
      `embedded restart test: ${JSON.stringify({ polls: tally(statuses), recoveryMs: recoveredAt && recoveredAt - killedAt })}\n`,
    );
    client.close();

    expect(statuses.every((status) => status === '200' || status === '503')).toBe(true);
    expect(recoveredAt).toBeDefined();
    const restarted = postmasterPid(clusterDir)!;
    expect(restarted).not.toBe(killed);
    expect(isAlive(restarted)).toBe(true);
    expect(server.stdout).toContain('the embedded PostgreSQL stopped unexpectedly: restarting it');
    // The app's own readiness check may notice a moment after the first query got through.
    for (let waited = 0; !server.stdout.includes('is running again') && waited < 5_000; waited += 100) await sleep(100);
    expect(server.stdout).toContain('the embedded PostgreSQL is running again');
    expect(server.stdout).not.toContain('Acquire connection error');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(isAlive(restarted)).toBe(false);
  });
});
