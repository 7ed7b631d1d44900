import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';

/** "default-src 'self'; object-src 'none'" → { 'default-src': ["'self'"], 'object-src': ["'none'"] }. */
function parseContentSecurityPolicy(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/** Keeps every line a pino logger writes, for assertions on what the request log holds. */
function memoryLog(): { logger: pino.Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), text: () => chunks.join('') };
}

/** pino-http writes its line when the response finishes, which can be a moment after the client has it. */
async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,100}$/;

describe('HTTP security', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  describe('Content-Security-Policy', () => {
    let policy: Map<string, string[]>;
    let header: string;

    beforeAll(async () => {
      const response = await request(app).get('/').expect(200);
      header = String(response.headers['content-security-policy'] ?? '');
      policy = parseContentSecurityPolicy(header);
    });

    it('allows scripts, styles and everything else only from our own origin', () => {
      expect(policy.get('default-src')).toEqual(["'self'"]);
      expect(policy.get('script-src')).toEqual(["'self'"]);
      expect(policy.get('style-src')).toEqual(["'self'"]);
    });

    it('never allows inline code or eval', () => {
      expect(header).not.toBe('');
      expect(header).not.toContain("'unsafe-inline'");
      expect(header).not.toContain("'unsafe-eval'");
      expect(header).not.toContain("'unsafe-hashes'");
    });

    it('forbids framing the site and embedding plugins', () => {
      expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
    });

    it('is sent on error pages too', async () => {
      const response = await request(app).get('/no-such-page').expect(404);
      expect(response.headers['content-security-policy']).toBe(header);
    });
  });

  describe('other security headers', () => {
    it('forbids content sniffing, keeps the referrer on our own origin and does not advertise Express', async () => {
      const response = await request(app).get('/');

      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('compression', () => {
    it('gzips the home page when the client accepts gzip', async () => {
      const response = await request(app).get('/').set('Accept-Encoding', 'gzip');

      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBe('gzip');
      expect(cheerio.load(response.text)('body').attr('data-page')).toBe('home');
    });

    it('sends the home page uncompressed when the client does not ask for compression', async () => {
      const response = await request(app).get('/').set('Accept-Encoding', 'identity');

      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.headers.vary).toMatch(/\bAccept-Encoding\b/);
    });

    it('sends a rendered page gzipped whole: its length known, the same HTML once unzipped', async () => {
      const plain = await request(app).get('/catalog').set('Accept-Encoding', 'identity');
      // The raw bytes, as a browser receives them (supertest would unzip them).
      const server = app.listen(0);
      const zipped = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const { port } = server.address() as AddressInfo;
        http
          .get(
            { host: '127.0.0.1', port, path: '/catalog', headers: { 'accept-encoding': 'gzip, deflate, br' } },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
            },
          )
          .on('error', reject);
      }).finally(() => server.close());

      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(zipped.headers['transfer-encoding']).toBeUndefined();
      const { body } = zipped;
      expect(Number(zipped.headers['content-length'])).toBe(body.length);
      expect(gunzipSync(body).toString('utf8')).toBe(plain.text);
      expect(zipped.headers.vary).toMatch(/\bHX-Request\b/);
      expect(zipped.headers.vary).toMatch(/\bAccept-Encoding\b/);
    });

    it('answers HEAD with the headers of GET, the length of the gzipped page among them', async () => {
      const get = await request(app).get('/catalog').set('Accept-Encoding', 'gzip');
      const head = await request(app).head('/catalog').set('Accept-Encoding', 'gzip');

      expect(head.status).toBe(200);
      expect(head.headers['content-encoding']).toBe('gzip');
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
    });

    it('still gzips what is streamed, such as htmx', async () => {
      const $ = cheerio.load((await request(app).get('/').expect(200)).text);
      const response = await request(app)
        .get($('script[src*="htmx"]').first().attr('src') ?? '')
        .set('Accept-Encoding', 'gzip');

      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBe('gzip');
      expect(response.text).toContain('htmx');
    });
  });

  describe('static assets linked from the home page', () => {
    let stylesheetUrl: string;
    let htmxUrl: string;

    beforeAll(async () => {
      const $ = cheerio.load((await request(app).get('/').expect(200)).text);
      stylesheetUrl = $('link[rel="stylesheet"]').first().attr('href') ?? '';
      htmxUrl = $('script[src*="htmx"]').first().attr('src') ?? '';
    });

    it('serves the stylesheet as CSS, cached for a year and immutable', async () => {
      expect(stylesheetUrl).not.toBe('');
      const response = await request(app).get(stylesheetUrl);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/css/);
      expect(response.headers['cache-control']).toContain('max-age=31536000');
      expect(response.headers['cache-control']).toContain('immutable');
    });

    it('serves htmx as JavaScript, cached for a year and immutable', async () => {
      expect(htmxUrl).not.toBe('');
      const response = await request(app).get(htmxUrl);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['cache-control']).toContain('max-age=31536000');
      expect(response.headers['cache-control']).toContain('immutable');
      expect(response.text).toContain('htmx');
    });
  });

  describe('X-Request-Id', () => {
    it.each(['/', '/healthz', '/no-such-page'])('is set on the response to %s', async (path) => {
      const response = await request(app).get(path);

      expect(response.headers['x-request-id']).toMatch(SAFE_ID);
    });

    it('is set on static asset responses', async () => {
      const $ = cheerio.load((await request(app).get('/').expect(200)).text);
      const response = await request(app).get($('link[rel="stylesheet"]').first().attr('href') ?? '');

      expect(response.status).toBe(200);
      expect(response.headers['x-request-id']).toMatch(SAFE_ID);
    });

    it('is a new id for each request that brings none', async () => {
      const first = await request(app).get('/healthz');
      const second = await request(app).get('/healthz');

      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });

    it('echoes a safe incoming id', async () => {
      const response = await request(app).get('/healthz').set('X-Request-Id', 'abc-123');

      expect(response.headers['x-request-id']).toBe('abc-123');
    });

    it.each([
      ['containing spaces', 'abc 123'],
      ['of 200 characters', 'a'.repeat(200)],
      ['containing markup', '<script>x</script>'],
    ])('replaces an unsafe incoming id (%s) with a generated one', async (_case, unsafe) => {
      const response = await request(app).get('/healthz').set('X-Request-Id', unsafe);

      const id = response.headers['x-request-id'];
      expect(id).not.toBe(unsafe);
      expect(id).toMatch(SAFE_ID);
    });
  });

  describe('request log', () => {
    it('has a line for each request with its method and path, and no cookie, token or query secret', async () => {
      const log = memoryLog();
      const loggedApp = createTestApp(db.knex, { logger: log.logger });

      const response = await request(loggedApp)
        .get('/?password=hunter2')
        .set('Cookie', 'session=SECRET1')
        .set('Authorization', 'Bearer SECRET2');
      expect(response.status).toBe(200);

      const requestId = response.headers['x-request-id'];
      const lineForRequest = () =>
        log
          .text()
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as { req?: { id?: string; method?: string; path?: string } })
          .find((line) => line.req?.id === requestId);
      await waitFor(() => lineForRequest() !== undefined);

      expect(lineForRequest()?.req).toMatchObject({ method: 'GET', path: '/' });
      expect(log.text()).not.toContain('SECRET1');
      expect(log.text()).not.toContain('SECRET2');
      expect(log.text()).not.toContain('hunter2');
    });
  });
});
