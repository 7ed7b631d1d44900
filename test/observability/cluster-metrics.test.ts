import http from 'node:http';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { runServer, type ServerRun } from '../support/server-process';
import { sample } from './prometheus-text';

const TOKEN = 'a-metrics-token-for-the-cluster-test';

/** One GET on a connection of its own, so that node:cluster hands each to the next worker. */
function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('metrics with WEB_CONCURRENCY=2', () => {
  let db: TestDatabase;
  let server: ServerRun | undefined;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await db.drop();
  });

  it('answers every scrape, on whichever worker it lands, with the figures of both workers summed', async () => {
    server = await runServer(
      { PORT: '0', DATABASE_URL: db.url, WEB_CONCURRENCY: '2', METRICS_TOKEN: TOKEN, DEMO_ACCOUNT: 'false' },
      { until: 'listening' },
    );
    if (server.port === undefined) throw new Error(`The server did not start:\n${server.stdout}\n${server.stderr}`);
    const port = server.port;
    const workers = new Set([...server.stdout.matchAll(/"pid":(\d+)[^\n]*worker process listening/g)].map((m) => m[1]));
    expect(workers.size).toBe(2);

    const requests = 20;
    const answers = await Promise.all(Array.from({ length: requests }, () => get(port, '/healthz')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(requests).fill(200));

    expect((await get(port, '/metrics')).status).toBe(401);
    // Several scrapes, each on a fresh connection: they land on both workers, and each sees it all.
    for (let scrape = 0; scrape < 4; scrape += 1) {
      const metrics = await get(port, '/metrics', { Authorization: `Bearer ${TOKEN}` });
      expect(metrics.status).toBe(200);
      expect(sample(metrics.body, 'omnimediatrak_processes')).toBe(2);
      const healthChecks = sample(metrics.body, 'omnimediatrak_http_requests_total', {
        method: 'GET',
        route: '/healthz',
        status: '200',
      });
      expect(healthChecks).toBe(requests);
      expect(
        sample(metrics.body, 'omnimediatrak_http_request_duration_seconds_count', { method: 'GET', route: '/healthz' }),
      ).toBe(requests);
      // The scrapes before this one are counted too: by then each has finished.
      expect(
        sample(metrics.body, 'omnimediatrak_http_requests_total', { method: 'GET', route: '/metrics', status: '200' }),
      ).toBe(scrape === 0 ? undefined : scrape);
    }

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
