import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, csrfTokenFrom, signedInAgent } from '../support/session';

describe('CSRF protection', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  const FORMS: [string, Record<string, string>][] = [
    [
      '/register',
      {
        username: 'csrfuser',
        email: 'csrf@example.com',
        password: 'tea and toast at dawn',
        confirm: 'tea and toast at dawn',
      },
    ],
    ['/login', { username: 'someone', password: 'something long' }],
    ['/logout', {}],
    ['/settings/theme', { theme: 'dark' }],
    ['/settings/privacy', { profile_visibility: 'private' }],
    ['/settings/password', { current_password: 'x', new_password: 'y', confirm_password: 'y' }],
    ['/settings/delete', { delete_password: 'x' }],
  ];

  it.each(FORMS)('refuses POST %s with no token: 403 and a page that explains', async (path, fields) => {
    const agent = request.agent(app);
    await agent.get('/login');
    const response = await agent.post(path).type('form').send(fields);
    expect(response.status).toBe(403);
    const $ = cheerio.load(response.text);
    expect($('body').attr('data-page')).toBe('error');
    expect($('h1').text()).toBe('This form has expired');
    expect(response.text).not.toMatch(/at [A-Za-z.]+ \(/);
  });

  it.each(FORMS)('refuses POST %s with a wrong token', async (path, fields) => {
    const agent = request.agent(app);
    await csrfTokenFrom(agent, '/login');
    const response = await agent
      .post(path)
      .type('form')
      .send({ ...fields, _csrf: 'not-the-token' });
    expect(response.status).toBe(403);
  });

  it("refuses another visitor's token", async () => {
    const mine = request.agent(app);
    await csrfTokenFrom(mine, '/login');
    const theirs = await csrfTokenFrom(request.agent(app), '/login');
    const response = await mine.post('/settings/theme').type('form').send({ theme: 'dark', _csrf: theirs });
    expect(response.status).toBe(403);
  });

  it('accepts the token from the X-CSRF-Token header, as htmx sends it', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    const home = cheerio.load((await agent.get('/')).text);
    const headers = JSON.parse(home('body').attr('hx-headers') ?? '{}') as Record<string, string>;
    const response = await agent
      .post('/settings/theme')
      .set('X-CSRF-Token', headers['x-csrf-token']!)
      .set('HX-Request', 'true')
      .type('form')
      .send({ theme: 'dark' });
    expect(response.status).toBe(303);
    expect(await db.knex('users.preferences').where({ user_id: user.id }).first()).toMatchObject({ theme: 'dark' });
  });

  it('puts no CSRF token in the page of an anonymous visitor who sees no form', async () => {
    const response = await request(app).get('/');
    expect(cheerio.load(response.text)('body').attr('hx-headers')).toBeUndefined();
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});
