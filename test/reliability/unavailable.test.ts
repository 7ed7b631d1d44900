import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import * as cheerio from 'cheerio';
import pino from 'pino';
import request from 'supertest';
import { isDatabaseUnavailable } from '../../src/database/availability';
import { createKnex } from '../../src/database/connection';
import { findFreePort } from '../../src/database/embedded';
import { createOutageLog } from '../../src/database/outages';
import { createTestApp, testConfig } from '../support/app';

/** A session cookie signed as express-session signs it, so the store has to be asked for it. */
const signedSession = (() => {
  const mac = crypto.createHmac('sha256', testConfig.sessionSecrets[0]!).update('a-session-id').digest('base64');
  return `omt.sid=${encodeURIComponent(`s:a-session-id.${mac.replace(/=+$/, '')}`)}`;
})();

/** A logger whose JSON lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('telling an unreachable database from other errors', () => {
  it('knows the ways pg and knex say the server is not there', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], ''))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('Knex: Timeout'), { name: 'KnexTimeoutError' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: refused }))).toBe(true);
  });

  it('does not take a bad statement or a bug for an outage', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
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
    expect(lines[2]!.msg).toBe('database available again');
    outages.stop();
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
    expect(api.body).toEqual({ error: { code: 'unavailable', message: expect.stringContaining('Try again') } });

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
    const before = lines.length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(app).get('/healthz')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(503));
    expect(answers[0]!.headers['retry-after']).toMatch(/^\d+$/);
    const logged = lines.slice(before).filter((line) => String(line.msg).startsWith('database unavailable'));
    expect(logged.length).toBeLessThanOrEqual(1);
    expect(JSON.stringify(lines)).not.toContain('    at ');
  });
});
