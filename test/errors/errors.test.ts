import { Writable } from 'node:stream';
import * as cheerio from 'cheerio';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createKnex } from '../../src/database/connection';
import { createTestApp } from '../support/app';

const silentLogger = pino({ level: 'silent' });
import { createSeededDatabase, databaseUrl, type TestDatabase } from '../support/database';
import { createUser, csrfTokenFrom, signedInAgent } from '../support/session';

/** The parts every page shares, so an error page is checked to be a real page of the site. */
function expectLayout($: cheerio.CheerioAPI): void {
  expect($('html').attr('lang')).toBe('en');
  expect($('body').attr('data-page')).toBe('error');
  expect($('body').attr('data-theme')).toBe('system');
  const first = $('body').children().first();
  expect(first.is('a.skip-link[href="#main"]')).toBe(true);
  expect($('main#main')).toHaveLength(1);
  expect($('header nav > ul > li').length).toBeGreaterThan(0);
  expect($('footer')).toHaveLength(1);
  expect($('h1')).toHaveLength(1);
}

/** A pino logger whose JSON lines are kept in memory. */
function memoryLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('error pages', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  describe('an address nothing answers', () => {
    it('gets 404 and a "Page not found" page in the site layout', async () => {
      const response = await request(createTestApp(db.knex)).get('/no/such/page');

      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const $ = cheerio.load(response.text);
      expectLayout($);
      expect($('h1').text().trim()).toBe('Page not found');
      expect($('title').text()).toContain('Page not found');
    });

    it('marks no navigation item as current', async () => {
      const response = await request(createTestApp(db.knex)).get('/no/such/page');

      const $ = cheerio.load(response.text);
      expect($('nav li.active')).toHaveLength(0);
      expect($('nav [aria-current]')).toHaveLength(0);
    });
  });

  describe('an internal failure (the database does not exist)', () => {
    let brokenKnex: Knex;

    beforeAll(() => {
      brokenKnex = createKnex(databaseUrl('omt_missing_db_xyz'), { poolMax: 1, logger: silentLogger });
    });

    afterAll(async () => {
      await brokenKnex.destroy();
    });

    it('gets a 500 page in the site layout', async () => {
      const response = await request(createTestApp(brokenKnex)).get('/');

      expect(response.status).toBe(500);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const $ = cheerio.load(response.text);
      expectLayout($);
      expect($('h1').text().trim()).toBe('Something went wrong');
    });

    it('quotes the request id that the X-Request-Id response header carries', async () => {
      const response = await request(createTestApp(brokenKnex)).get('/');

      const requestId = response.headers['x-request-id'];
      expect(typeof requestId).toBe('string');
      expect(requestId).not.toBe('');
      const $ = cheerio.load(response.text);
      expect($('main code').text().trim()).toBe(requestId);
    });

    it('shows no error message and no stack trace', async () => {
      const response = await request(createTestApp(brokenKnex)).get('/');

      const $ = cheerio.load(response.text);
      const text = $('body').text();
      expect(response.text).not.toContain('omt_missing_db_xyz');
      expect(text).not.toMatch(/does not exist/i);
      expect(text).not.toMatch(/\bError\b:/);
      expect(text).not.toMatch(/^\s*at .+:\d+:\d+\)?$/m);
      expect(response.text).not.toContain('node_modules');
      expect(response.text).not.toContain('/src/');
    });

    it('logs the failure at error level under the same request id', async () => {
      const { logger, lines } = memoryLogger();
      const response = await request(createTestApp(brokenKnex, { logger })).get('/');

      const requestId = response.headers['x-request-id'];
      const logged = lines().filter(
        (line) =>
          line.level === pino.levels.values.error && (line.req as { id?: unknown } | undefined)?.id === requestId,
      );
      expect(logged.length).toBeGreaterThan(0);
      expect(JSON.stringify(logged)).toContain('omt_missing_db_xyz');
    });
  });

  describe('a form body the app will not read', () => {
    it("shows the 413 page in a signed-in user's own theme, with their account controls", async () => {
      const user = await createUser(db.knex);
      await db.knex('users.preferences').where({ user_id: user.id }).update({ theme: 'dark' });
      const app = createTestApp(db.knex);
      const agent = await signedInAgent(app, user);
      const _csrf = await csrfTokenFrom(agent, '/settings');
      const response = await agent
        .post('/settings/theme')
        .type('form')
        .send(`_csrf=${encodeURIComponent(_csrf)}&theme=light&padding=${'x'.repeat(100 * 1024)}`);
      expect(response.status).toBe(413);
      const $ = cheerio.load(response.text);
      expect($('body').attr('data-theme')).toBe('dark');
      expect($('form.sign-out input[name="_csrf"]').val()).toBeTruthy();
      expect($('h1').text()).toBe('Request too large');
    });

    it('gets 413, not 500, for a 100 KB urlencoded body, shown as the layout error page', async () => {
      const response = await request(createTestApp(db.knex))
        .post('/')
        .type('form')
        .send(`note=${'x'.repeat(100 * 1024)}`);

      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const $ = cheerio.load(response.text);
      expectLayout($);
      expect($('main').text()).toContain('413');
      expect($('h1').text()).toBe('Request too large');
      expect($('title').text()).toMatch(/^Request too large/);
    });

    it('gets 415, not 500, for a form body in a charset the app does not read', async () => {
      const response = await request(createTestApp(db.knex))
        .post('/')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-7')
        .send('note=hello');

      expect(response.status).toBe(415);
      const $ = cheerio.load(response.text);
      expectLayout($);
    });
  });
});
