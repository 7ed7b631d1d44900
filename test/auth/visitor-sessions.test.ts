import type { AddressInfo } from 'node:net';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { visitorCsrfCookie } from '../../src/auth/csrf';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { appRoutes, fillPath } from '../support/routes';
import { createWorld, paramsFor } from '../support/security-world';
import { createUser, csrfTokenFrom, sessionCookie, signedInAgent, submitForm } from '../support/session';

/**
 * Every page a visitor can ask for, read from the app's router (a new page is covered without
 * editing this file), is fetched this many times without a cookie.
 */
const GETS_PER_PAGE = 1_000;
const IN_PARALLEL = 4;

describe('visitors cost no session rows', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  const sessionCount = async () => Number((await db.knex('auth.sessions').count<{ count: number }[]>('*'))[0]!.count);

  it('leaves auth.sessions as it was after 1,000 cookieless GETs of every page', async () => {
    // Members with lists, a removal to undo, a private profile: their sessions exist beside the
    // visitors', and the count must not move either way.
    const world = await createWorld(app, db.knex);
    const pages = appRoutes(app)
      .filter((route) => route.method === 'get')
      .map((route) =>
        fillPath(
          route,
          Object.fromEntries(Object.entries(paramsFor(route, world)).map(([name, param]) => [name, param.value])),
        ),
      );
    // The owner's profile is private (a 404 to visitors): a public one too, and a page no route has.
    pages.push(`/users/${world.other.username}`, '/no-such-page');
    expect(pages).toEqual(expect.arrayContaining(['/login', '/register', '/settings', '/list', '/catalog', '/']));
    const before = await sessionCount();
    // One server for every request: supertest would otherwise start one per request.
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const figures: string[] = [];
    try {
      for (const page of pages) {
        const started = performance.now();
        const statuses = new Map<number, number>();
        for (let sent = 0; sent < GETS_PER_PAGE; sent += IN_PARALLEL) {
          const size = Math.min(IN_PARALLEL, GETS_PER_PAGE - sent);
          const batch = await Promise.all(Array.from({ length: size }, () => request(base).get(page)));
          for (const response of batch) {
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            expect(sessionCookie(response)).toBeUndefined();
          }
        }
        figures.push(
          `${page.padEnd(48)} ${[...statuses].map(([status, count]) => `${count}×${status}`).join(' ')} in ${Math.round(performance.now() - started)} ms`,
        );
        expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await sessionCount()).toBe(before);
    process.stdout.write(
      `${pages.length * GETS_PER_PAGE} cookieless GETs of ${pages.length} pages, auth.sessions ${before} rows before and after:\n${figures.join('\n')}\n`,
    );
  }, 600_000);

  it('gives a visitor who opens a form a signed cookie of its own, not a session', async () => {
    const before = await sessionCount();
    const response = await request(app).get('/login');
    const cookies = (response.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(new RegExp(`^${visitorCsrfCookie(false).replace('.', '\\.')}=[A-Za-z0-9_-]{43};`));
    expect(cookies[0]).toMatch(/; HttpOnly/);
    expect(cookies[0]).toMatch(/; SameSite=Lax/);
    expect(cookies[0]).not.toMatch(/; Secure/);
    expect(await sessionCount()).toBe(before);
  });

  it('keeps the same cookie for forms in several tabs, so each of them can be sent', async () => {
    const agent = request.agent(app);
    const first = await csrfTokenFrom(agent, '/login');
    const second = await csrfTokenFrom(agent, '/register');
    expect(second).toBe(first);
    const user = await createUser(db.knex);
    const response = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: user.password, _csrf: first });
    expect(response.status).toBe(303);
  });

  it('writes no session for a failed sign-in or a refused registration', async () => {
    const before = await sessionCount();
    const agent = request.agent(app);
    const wrong = await submitForm(agent, '/login', '/login', {
      username: 'nobody-here',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    const invalid = await submitForm(agent, '/register', '/register', { username: '', email: 'x', password: 'y' });
    expect(invalid.status).toBe(422);
    expect(cheerio.load(invalid.text)('input[name="_csrf"]').val()).toBeTruthy();
    expect(await sessionCount()).toBe(before);
  });

  it('keeps a row for a message to a visitor only until it is read', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    const before = await sessionCount();
    const signedOut = await submitForm(agent, '/', '/logout', {});
    expect(signedOut.status).toBe(303);
    // The signed-in row went, and one holds the message.
    expect(await sessionCount()).toBe(before);
    const home = await agent.get('/');
    expect(cheerio.load(home.text)('.flash').text()).toContain('You have signed out.');
    expect(await sessionCount()).toBe(before - 1);
    const again = await agent.get('/');
    expect(cheerio.load(again.text)('.flash')).toHaveLength(0);
    expect(await sessionCount()).toBe(before - 1);
  });

  it('gives a new session id at sign-in even to a browser that held a session', async () => {
    const user = await createUser(db.knex);
    const agent = request.agent(app);
    const token = await csrfTokenFrom(agent, '/login');
    const signIn = () =>
      agent.post('/login').type('form').send({ username: user.username, password: user.password, _csrf: token });
    expect((await signIn()).status).toBe(303);
    const signedOut = await submitForm(agent, '/', '/logout', {});
    const visitorCookie = sessionCookie(signedOut)!;
    expect(visitorCookie).toBeDefined();
    const visitorSid = decodeURIComponent(visitorCookie.split('=')[1]!).slice(2).split('.')[0]!;
    expect(await db.knex('auth.sessions').where({ sid: visitorSid }).first()).toBeDefined();

    // The form's token is not tied to a session: the one fetched before serves again, and posting
    // it at once keeps the session (opening a page would read its message and so delete it).
    const signedIn = await signIn();
    expect(signedIn.status).toBe(303);
    const signedInCookie = sessionCookie(signedIn);
    expect(signedInCookie).toBeDefined();
    expect(signedInCookie).not.toBe(visitorCookie);
    expect(await db.knex('auth.sessions').where({ sid: visitorSid }).first()).toBeUndefined();
  });
});

describe('visitor CSRF tokens', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  const OLD_SECRET = 'an-older-secret-that-is-also-32-characters-long';
  const NEW_SECRET = 'the-newest-secret-that-is-at-least-32-characters';

  it('accepts a form made before the secret was rotated, while the old secret is still listed', async () => {
    const before = createTestApp(db.knex, { config: { sessionSecrets: [OLD_SECRET] } });
    const after = createTestApp(db.knex, { config: { sessionSecrets: [NEW_SECRET, OLD_SECRET] } });
    const user = await createUser(db.knex);
    const form = await request(before).get('/login');
    const cookie = (form.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const token = cheerio.load(form.text)('input[name="_csrf"]').val() as string;
    const response = await request(after)
      .post('/login')
      .set('Cookie', cookie)
      .type('form')
      .send({ username: user.username, password: user.password, _csrf: token });
    expect(response.status).toBe(303);
  });

  it('refuses a token made with a secret the app does not hold, and a cookie the token was not made for', async () => {
    const app = createTestApp(db.knex, { config: { sessionSecrets: [NEW_SECRET] } });
    const stranger = createTestApp(db.knex, { config: { sessionSecrets: [OLD_SECRET] } });
    const user = await createUser(db.knex);
    const form = await request(stranger).get('/login');
    const cookie = (form.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const token = cheerio.load(form.text)('input[name="_csrf"]').val() as string;
    const signIn = (withCookie: string, withToken: string) =>
      request(app)
        .post('/login')
        .set('Cookie', withCookie)
        .type('form')
        .send({ username: user.username, password: user.password, _csrf: withToken });

    const forged = await signIn(cookie, token);
    expect(forged.status).toBe(403);
    expect(cheerio.load(forged.text)('h1').text()).toBe('This form has expired');

    const mine = await request(app).get('/login');
    const myCookie = (mine.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const myToken = cheerio.load(mine.text)('input[name="_csrf"]').val() as string;
    expect((await signIn(cookie, myToken)).status).toBe(403);
    const otherNonce = `${myCookie.slice(0, -1)}${myCookie.endsWith('A') ? 'B' : 'A'}`;
    expect((await signIn(otherNonce, myToken)).status).toBe(403);
    expect((await signIn(myCookie, myToken)).status).toBe(303);
  });
});
