import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createKnex } from '../../src/database/connection';
import { createTestApp } from '../support/app';
import { createSeededDatabase, databaseUrl, type TestDatabase } from '../support/database';
import { sample } from './prometheus-text';

const TOKEN = 'a-metrics-token-for-the-tests-0123';

const scrape = (app: Express) => request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);

describe('metrics at /metrics', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('does not exist without METRICS_TOKEN: a plain 404 page', async () => {
    const app = createTestApp(db.knex);
    const response = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('# HELP');
  });

  it('answers 401 with a Bearer challenge to a missing, wrong or differently-sized token, from any address', async () => {
    const app = createTestApp(db.knex, { config: { metricsToken: TOKEN } });
    for (const header of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const call = request(app).get('/metrics').set('X-Forwarded-For', '127.0.0.1');
      const response = await (header === undefined ? call : call.set('Authorization', header));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.text).not.toContain('# HELP');
      expect(response.text).not.toContain(TOKEN);
    }
  });

  it('counts requests by route template and status, never by raw URL, and times them', async () => {
    const app = createTestApp(db.knex, { config: { metricsToken: TOKEN } });
    const media = await db.knex('media.media').orderBy('id').first<{ id: string }>('id');
    for (let i = 0; i < 3; i += 1) expect((await request(app).get(`/media/${media.id}`)).status).toBe(200);
    expect((await request(app).get('/media/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    for (const junk of ['/no/such/page', '/another/random/url', '/x1', '/x2']) {
      expect((await request(app).get(junk)).status).toBe(404);
    }

    const response = await scrape(app);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = response.text;
    const requests = 'omnimediatrak_http_requests_total';
    expect(sample(body, requests, { method: 'GET', route: '/media/:id', status: '200' })).toBe(3);
    expect(sample(body, requests, { method: 'GET', route: '/media/:id', status: '404' })).toBe(1);
    expect(sample(body, requests, { method: 'GET', route: 'unmatched', status: '404' })).toBe(4);
    expect(body).not.toContain(media.id);
    expect(body).not.toContain('/no/such/page');
    expect(
      sample(body, 'omnimediatrak_http_request_duration_seconds_count', { method: 'GET', route: '/media/:id' }),
    ).toBe(4);
    expect(
      sample(body, 'omnimediatrak_http_request_duration_seconds_bucket', {
        method: 'GET',
        route: '/media/:id',
        le: '+Inf',
      }),
    ).toBe(4);
    // Node's defaults, among them the event loop's lag.
    expect(sample(body, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'omnimediatrak_processes')).toBe(1);
  });

  it("reports the database pool's connections in use, idle and waiting", async () => {
    const app = createTestApp(db.knex, { config: { metricsToken: TOKEN } });
    // Knex types its client as any: its pool's two calls, lending a connection.
    const client = db.knex.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(connection: unknown): Promise<void>;
    };
    const held = await client.acquireConnection();
    try {
      const body = (await scrape(app)).text;
      expect(sample(body, 'omnimediatrak_database_pool_in_use')).toBeGreaterThanOrEqual(1);
      expect(sample(body, 'omnimediatrak_database_pool_idle')).toBeGreaterThanOrEqual(0);
      expect(sample(body, 'omnimediatrak_database_pool_waiting')).toBe(0);
    } finally {
      await client.releaseConnection(held);
    }
  });

  it('counts database errors: a failed statement as "query", a server that cannot be reached as "unavailable"', async () => {
    const app = createTestApp(db.knex, { config: { metricsToken: TOKEN } });
    await expect(db.knex.raw('select * from no_such_table')).rejects.toThrow();
    let body = (await scrape(app)).text;
    expect(sample(body, 'omnimediatrak_database_errors_total', { kind: 'query' })).toBe(1);

    // Nothing listens on port 1: every connection is refused, and the home page cannot be built.
    const url = new URL(databaseUrl('unreachable'));
    url.port = '1';
    const unreachable = createKnex(url.toString(), { poolMax: 1, logger: pino({ level: 'silent' }) });
    try {
      const down = createTestApp(unreachable, { config: { metricsToken: TOKEN } });
      const page = await request(down).get('/');
      expect(page.status).toBe(503);
      body = (await scrape(down)).text;
      expect(sample(body, 'omnimediatrak_database_errors_total', { kind: 'unavailable' })).toBeGreaterThanOrEqual(1);
      expect(sample(body, 'omnimediatrak_http_requests_total', { route: '/', status: '503' })).toBe(1);
    } finally {
      await unreachable.destroy();
    }
  });
});
