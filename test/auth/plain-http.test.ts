import * as cheerio from 'cheerio';
import request from 'supertest';
import type { AppConfig } from '../../src/app';
import { visitorCsrfCookie } from '../../src/auth/csrf';
import { capturedLogger } from '../support/logs';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser } from '../support/session';

describe('production served over plain HTTP', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  const production: Partial<AppConfig> = { env: 'production', isProduction: true, trustProxy: false };
  const warnings = (lines: { level: number; msg: string }[]) =>
    lines.filter((line) => line.level === 40 && /TRUST_PROXY/.test(line.msg));

  it('warns once at start when cookies are Secure and no proxy is trusted', () => {
    const { logger, lines } = capturedLogger();
    createTestApp(db.knex, { logger, config: production });
    const found = warnings(lines);
    expect(found).toHaveLength(1);
    expect(found[0]!.msg).not.toContain('\n');
    expect(found[0]!.msg).toMatch(/Secure/);
    expect(found[0]!.msg).toMatch(/HTTPS/);
  });

  it.each<[string, Partial<AppConfig>]>([
    ['a proxy is trusted', { ...production, trustProxy: 1 }],
    ['cookies are not Secure (not production)', { trustProxy: false }],
  ])('says nothing when %s', (_case, config) => {
    const { logger, lines } = capturedLogger();
    createTestApp(db.knex, { logger, config });
    expect(warnings(lines)).toHaveLength(0);
  });

  it('answers a form sent without its cookies over plain HTTP with a page that says HTTPS is needed', async () => {
    const app = createTestApp(db.knex, { config: production });
    const user = await createUser(db.knex);
    // The agent keeps cookies as a browser does, and like one sends no Secure cookie over HTTP.
    const agent = request.agent(app);
    const form = await agent.get('/login');
    expect(form.status).toBe(200);
    const token = cheerio.load(form.text)('input[name="_csrf"]').val() as string;
    const response = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: user.password, _csrf: token });
    expect(response.status).toBe(403);
    const $ = cheerio.load(response.text);
    expect($('body').attr('data-page')).toBe('error');
    expect($('h1').text()).toBe('This site needs HTTPS');
    const text = $('main').text().replace(/\s+/g, ' ');
    expect(text).toContain('served over plain HTTP');
    expect(text).toContain('need HTTPS');
    expect(text).toContain('TRUST_PROXY');
  });

  it('keeps the usual expired-form page for a plain HTTP post that did carry a cookie', async () => {
    const app = createTestApp(db.knex, { config: production });
    const response = await request(app)
      .post('/login')
      .set('Cookie', `${visitorCsrfCookie(true)}=${'A'.repeat(43)}`)
      .type('form')
      .send({ username: 'someone', password: 'something long', _csrf: 'not-the-token' });
    expect(response.status).toBe(403);
    expect(cheerio.load(response.text)('h1').text()).toBe('This form has expired');
  });

  it('signs in over HTTPS through a trusted proxy, with Secure cookies', async () => {
    const app = createTestApp(db.knex, { config: { ...production, trustProxy: true } });
    const user = await createUser(db.knex);
    const form = await request(app).get('/login').set('X-Forwarded-Proto', 'https');
    const setCookie = form.headers['set-cookie'] as unknown as string[];
    expect(setCookie[0]).toMatch(/; Secure/);
    const response = await request(app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', setCookie[0]!.split(';')[0]!)
      .type('form')
      .send({
        username: user.username,
        password: user.password,
        _csrf: cheerio.load(form.text)('input[name="_csrf"]').val(),
      });
    expect(response.status).toBe(303);
    expect(
      (response.headers['set-cookie'] as unknown as string[]).some((line) => /^omt\.sid=.*; Secure/.test(line)),
    ).toBe(true);
  });
});
