import crypto from 'node:crypto';
import net from 'node:net';
import * as cheerio from 'cheerio';
import request from 'supertest';
import { isDatabaseUnavailable } from '../../src/database/availability';
import { createKnex } from '../../src/database/connection';
import { findFreePort } from '../../src/database/embedded';
import { createOutageLog } from '../../src/database/outages';
import { capturedLogger } from '../support/logs';
import { createTestApp, testConfig } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';

/** A session cookie signed as express-session signs it, so the store has to be asked for it. */
const SESSION_ID = 'abcdefghijklmnopqrstuvwxyz012345';
const signedSession = (() => {
  const mac = crypto.createHmac('sha256', testConfig.sessionSecrets[0]!).update(SESSION_ID).digest('base64');
  return `omt.sid=${encodeURIComponent(`s:${SESSION_ID}.${mac.replace(/=+$/, '')}`)}`;
})();

describe('telling an unreachable database from other errors', () => {
  it('knows the ways pg and knex say the server is not there', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], ''))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    // Knex puts the statement before pg's message.
    expect(isDatabaseUnavailable(new Error('select "id" from "users" - Connection terminated unexpectedly'))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error('Knex: Timeout'), { name: 'KnexTimeoutError' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: refused }))).toBe(true);
    // pg's connect timeout, when a server accepts the connection but never answers it.
    expect(isDatabaseUnavailable(new Error('timeout expired'))).toBe(true);
  });

  it('does not take a bad statement or a bug for an outage', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    // Knex fills the values into the statement before pg's message: what was typed is no outage.
    const cancelled = "select 1 where q = 'x - Connection terminated' - canceling statement due to statement timeout";
    expect(isDatabaseUnavailable(Object.assign(new Error(cancelled), { code: '57014' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("select 'x - Connection terminated unexpectedly, said the note'"))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('a connection cut in the middle of a query', () => {
  let db: TestDatabase;
  let proxy: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    db = await createSeededDatabase();
    // A TCP relay to the test server, so the test can cut the app's connections as a crashed
    // server or a dropped network does: no error message from PostgreSQL, the socket just ends.
    const target = new URL(db.url);
    proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => proxy.close(resolve));
    await db.drop();
  });

  it('is an outage, though Knex puts the statement before pg’s message, and the page is a 503', async () => {
    const url = new URL(db.url);
    url.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const knex = createKnex(url.toString(), { poolMax: 2 });
    try {
      const cutWhileRunning = async <T>(running: Promise<T>) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        for (const socket of sockets) socket.destroy();
        return running;
      };
      // (then() sends it: a Knex query starts only when something waits for it.)
      const running = knex.raw('select pg_sleep(2)').then((result: unknown) => result);
      const error = await cutWhileRunning(running).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/^select pg_sleep\(2\) - Connection terminated unexpectedly$/);
      expect(isDatabaseUnavailable(error)).toBe(true);

      // A page whose statement is cut the same way: the catalog waits on a lock the test holds.
      const app = createTestApp(knex);
      const holder = await db.knex.transaction();
      try {
        await holder.raw('lock table media.media_types in access exclusive mode');
        const page = await cutWhileRunning(
          request(app)
            .get('/catalog')
            .then((response) => response),
        );
        expect(page.status).toBe(503);
        expect(page.headers['retry-after']).toMatch(/^\d+$/);
      } finally {
        await holder.rollback();
      }
    } finally {
      await knex.destroy();
    }
  });
});

describe('the outage log', () => {
  it('logs the first failure with its cause, then one line per interval with the count, then the end', async () => {
    const { logger, lines } = capturedLogger();
    const outages = createOutageLog(logger, 50);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 500; i += 1) outages.note(refused, 'GET /list');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ cause: { code: 'ECONNREFUSED' }, where: 'GET /list' });
    expect(JSON.stringify(lines[0])).not.toContain('    at ');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ failures: 499, where: { 'GET /list': 499 } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(lines).toHaveLength(3);
    expect(lines[2]!.msg).toBe('database outage over: no failures for an interval');
    outages.stop();
  });

  it('keeps pg’s words of a failed statement, not the statement with its values', () => {
    const { logger, lines } = capturedLogger();
    const outages = createOutageLog(logger, 50);
    outages.note(
      new Error(`select "id" from "users" where "email" = 'someone@example.org' - Connection terminated unexpectedly`),
      'POST /login',
    );
    outages.stop();
    expect(lines[0]).toMatchObject({ cause: { message: 'Connection terminated unexpectedly' } });
    expect(JSON.stringify(lines)).not.toContain('someone@example.org');
  });
});

describe('the app with its database unreachable', () => {
  let knex: ReturnType<typeof createKnex>;
  let app: ReturnType<typeof createTestApp>;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    // A port nobody listens on: every connection is refused, as when the server is down.
    knex = createKnex(`postgres://postgres@127.0.0.1:${await findFreePort()}/none`, { poolMax: 2 });
    const captured = capturedLogger();
    lines = captured.lines;
    app = createTestApp(knex, { logger: captured.logger });
  });

  afterAll(async () => {
    await knex.destroy();
  });

  it('answers a signed-in page with a short 503 page and Retry-After: neither a 500 nor a sign-out', async () => {
    const response = await request(app).get('/catalog?q=akira').set('Cookie', signedSession);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(response.headers['cache-control']).toBe('no-store');
    const $ = cheerio.load(response.text);
    expect($('h1').text()).toBe('Back in a moment');
    expect($('main a').attr('href')).toBe('/catalog?q=akira');
  });

  it('answers the API with JSON, a form post with the page it came from to try again', async () => {
    const api = await request(app).get('/api/media/00000000-0000-4000-8000-000000000000/relationships');
    expect(api.status).toBe(503);
    expect(api.headers['retry-after']).toMatch(/^\d+$/);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json; charset=utf-8$/);
    expect(JSON.parse(api.text)).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: expect.stringContaining('Try again') as jest.AsymmetricMatcher,
      error: { code: 'unavailable', message: expect.stringContaining('Try again') as jest.AsymmetricMatcher },
    });

    const post = await request(app)
      .post('/list')
      .set('Cookie', signedSession)
      .set('Host', 'example.test')
      .set('Referer', 'http://example.test/list?page=2')
      .type('form')
      .send({ media_id: '00000000-0000-4000-8000-000000000000' });
    expect(post.status).toBe(503);
    expect(cheerio.load(post.text)('main a').attr('href')).toBe('/list?page=2');
  });

  it('answers /healthz with 503 and logs the outage once, not a stack per request', async () => {
    // An app of its own, so that the outage starts with these requests.
    const fresh = capturedLogger();
    const healthApp = createTestApp(knex, { logger: fresh.logger });
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(healthApp).get('/healthz')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(503));
    expect(answers[0]!.headers['retry-after']).toMatch(/^\d+$/);
    const logged = fresh.lines.filter((line) => String(line.msg).startsWith('database unavailable'));
    expect(logged).toHaveLength(1);
    expect(JSON.stringify([...lines, ...fresh.lines])).not.toContain('    at ');
  });
});

describe('a request the database leaves waiting', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('is answered 503 at its deadline, and what its handler sends later is dropped', async () => {
    const { logger, lines } = capturedLogger();
    const app = createTestApp(db.knex, { logger, config: { requestDeadlineMs: 400 } });
    // A lock no query of the page can get past stands in for a server that stopped answering.
    const holder = await db.knex.transaction();
    await holder.raw('lock table media.media_types in access exclusive mode');
    try {
      const started = Date.now();
      const late = await request(app).get('/catalog');
      expect(late.status).toBe(503);
      expect(late.headers['retry-after']).toMatch(/^\d+$/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(cheerio.load(late.text)('h1').text()).toBe('Back in a moment');
    } finally {
      await holder.rollback();
    }
    // The handler finishes once the lock goes; its answer must neither crash nor reach anyone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await request(app).get('/catalog');
    expect(after.status).toBe(200);
    expect(lines.filter((line) => line.level === 50 && line.msg === 'request failed')).toEqual([]);
  });
});
