import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { THROTTLE } from '../../src/accounts/service';
import { visitorCsrfCookie } from '../../src/auth/csrf';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, csrfTokenFrom, sessionCookie, signedInAgent, submitForm } from '../support/session';

describe('signing in and out', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  const events = (username: string) =>
    db
      .knex('auth.login_events')
      .where({ username_attempted: username })
      .orderBy('id')
      .select<{ outcome: string; user_id: string | null; ip: string | null }[]>('outcome', 'user_id', 'ip');

  it('signs in by username or email, records the event, and shows who is signed in', async () => {
    const user = await createUser(db.knex);
    for (const identifier of [user.username, user.email.toUpperCase()]) {
      const agent = request.agent(app);
      const response = await submitForm(agent, '/login', '/login', { username: identifier, password: user.password });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/');
      const home = cheerio.load((await agent.get('/')).text);
      expect(home('.signed-in-as').text()).toContain(user.username);
      expect(home('body').attr('hx-headers')).toMatch(/"x-csrf-token": "[^"]+"/);
    }
    const recorded = await events(user.username);
    expect(recorded[0]).toMatchObject({ outcome: 'success', user_id: user.id });
    expect(recorded[0]!.ip).toBeTruthy();
    expect(
      (await db.knex('users.users').where({ id: user.id }).first<{ last_sign_in_at: Date | null }>()).last_sign_in_at,
    ).not.toBeNull();
  });

  it('gives one message for a wrong password and for an unknown user, and records both', async () => {
    const user = await createUser(db.knex);
    const wrongPassword = await submitForm(request.agent(app), '/login', '/login', {
      username: user.username,
      password: 'not the password',
    });
    const unknownUser = await submitForm(request.agent(app), '/login', '/login', {
      username: 'nobody-here',
      password: 'whatever it is',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    const messageOf = (text: string) => cheerio.load(text)('.error-summary').text().trim();
    expect(messageOf(wrongPassword.text)).toBe(messageOf(unknownUser.text));
    expect(messageOf(wrongPassword.text)).toContain('The username or password is wrong');
    expect(cheerio.load(wrongPassword.text)('#username').val()).toBe(user.username);
    expect(cheerio.load(wrongPassword.text)('#password').val()).toBeUndefined();
    expect(await events(user.username)).toEqual([
      expect.objectContaining({ outcome: 'bad_credentials', user_id: user.id }),
    ]);
    expect(await events('nobody-here')).toEqual([
      expect.objectContaining({ outcome: 'bad_credentials', user_id: null }),
    ]);
  });

  it('asks for both fields when they are empty (422)', async () => {
    const response = await submitForm(request.agent(app), '/login', '/login', { username: '', password: '' });
    expect(response.status).toBe(422);
    const $ = cheerio.load(response.text);
    expect($('#username-error').text()).toContain('Enter your username or email');
    expect($('#password-error').text()).toContain('Enter your password');
  });

  it('gives the signed-in user a new session id (no fixation)', async () => {
    const user = await createUser(db.knex);
    const agent = request.agent(app);
    const _csrf = await csrfTokenFrom(agent, '/login');
    // A visitor has a session only once it holds something, such as the message after signing out.
    const signedIn = await signedInAgent(app, await createUser(db.knex));
    const signedOut = await submitForm(signedIn, '/', '/logout', {});
    const before = sessionCookie(signedOut);
    expect(before).toBeDefined();
    agent.jar.setCookie(before!);
    const response = await agent
      .post('/login')
      .type('form')
      .send({ username: user.username, password: user.password, _csrf });
    const after = sessionCookie(response);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // The pre-sign-in session no longer exists on the server.
    const oldSid = decodeURIComponent(before!.split('=')[1]!).slice(2).split('.')[0];
    expect(await db.knex('auth.sessions').where({ sid: oldSid }).first()).toBeUndefined();
  });

  it('sets a session cookie that is HttpOnly and SameSite=Lax (and Secure in production)', async () => {
    const user = await createUser(db.knex);
    const agent = request.agent(app);
    const response = await submitForm(agent, '/login', '/login', { username: user.username, password: user.password });
    const cookie = (response.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('omt.sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);

    const production = createTestApp(db.knex, { config: { isProduction: true, trustProxy: 1 } });
    const page = await request(production).get('/login').set('X-Forwarded-Proto', 'https');
    // A visitor's form cookie (test/auth/plain-http.test.ts signs in and checks omt.sid), which
    // in production takes the __Host- prefix: Secure, Path=/ and no Domain, or browsers refuse it.
    const secureCookie = (page.headers['set-cookie'] as unknown as string[]).find((line) =>
      line.startsWith(`${visitorCsrfCookie(true)}=`),
    )!;
    expect(secureCookie).toMatch(/^__Host-/);
    expect(secureCookie).toMatch(/; Secure/i);
    expect(secureCookie).toMatch(/; Path=\/(;|$)/i);
    expect(secureCookie).not.toMatch(/Domain=/i);
  });

  it('ends the session on the server at sign-out', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    const page = await agent.get('/');
    const cookie = sessionCookie(page) ?? '';
    const token = cheerio.load(page.text)('form.sign-out input[name="_csrf"]').val() as string;
    const signOut = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(signOut.status).toBe(303);
    const home = cheerio.load((await agent.get('/')).text);
    expect(home('.signed-in-as')).toHaveLength(0);
    expect(home('[role="status"]').text()).toContain('You have signed out');
    // Replaying the old cookie does not bring the session back.
    expect(cookie).toMatch(/^omt\.sid=/);
    const replay = await request(app).get('/').set('Cookie', cookie);
    expect(cheerio.load(replay.text)('.signed-in-as')).toHaveLength(0);
    const sessions = await db.knex('auth.sessions').whereRaw("sess -> 'passport' ->> 'user' = ?", [user.id]);
    expect(sessions).toHaveLength(0);
  });

  it.each([
    ['/settings', '/settings'],
    ['/users/someone?tab=list', '/users/someone?tab=list'],
    ['https://evil.example/', '/'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
    ['/login', '/'],
    ['/.//evil.example/phish', '/'],
    ['/..//evil.example', '/'],
    ['/%2e//evil.example', '/'],
    ['/./\\evil.example', '/'],
  ])('after sign-in follows next=%p only within the site (to %p)', async (next, expected) => {
    const user = await createUser(db.knex);
    const agent = request.agent(app);
    const response = await submitForm(agent, `/login?next=${encodeURIComponent(next)}`, '/login', {
      username: user.username,
      password: user.password,
      next,
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(expected);
  });

  it('accepts the right password when the username has spaces around it', async () => {
    const user = await createUser(db.knex);
    const response = await submitForm(request.agent(app), '/login', '/login', {
      username: `  ${user.username} `,
      password: user.password,
    });
    expect(response.status).toBe(303);
  });

  it('answers a NUL byte in the username with a form error, not a 500', async () => {
    const agent = request.agent(app);
    const _csrf = await csrfTokenFrom(agent, '/login');
    const response = await agent
      .post('/login')
      .type('form')
      .send(`_csrf=${encodeURIComponent(_csrf)}&username=al%00ice&password=whatever`);
    expect(response.status).toBe(422);
    expect(cheerio.load(response.text)('#username-error').text()).toContain('control characters');
  });

  it('tells a signed-in browser not to keep its pages in any cache', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    expect((await agent.get('/settings')).headers['cache-control']).toBe('private, no-store');
    expect((await request(app).get('/')).headers['cache-control']).toBe('no-cache');
  });

  it('gives a visitor who only fetched a form no session but a two-hour form cookie, and a signed-in user the idle lifetime', async () => {
    const agent = request.agent(app);
    const form = await agent.get('/login');
    // No session for a visitor: the form's own cookie lasts as long as a visitor's session did.
    expect(sessionCookie(form)).toBeUndefined();
    const anonymousCookie = (form.headers['set-cookie'] as unknown as string[]).find((line) =>
      line.startsWith(`${visitorCsrfCookie(false)}=`),
    )!;
    const anonymousExpiry = new Date(/Expires=([^;]+)/i.exec(anonymousCookie)![1]!).getTime();
    expect(anonymousExpiry - Date.now()).toBeLessThanOrEqual(2 * 3_600_000 + 5_000);

    const user = await createUser(db.knex);
    const signedIn = await signedInAgent(app, user);
    const page = await signedIn.get('/');
    const cookie = (page.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('omt.sid='))!;
    const expiry = new Date(/Expires=([^;]+)/i.exec(cookie)![1]!).getTime();
    expect(expiry - Date.now()).toBeGreaterThan(50 * 60_000);
  });

  describe('throttling', () => {
    // One app that trusts X-Forwarded-For stands for visitors at many addresses.
    let proxiedApp: Express;
    beforeAll(() => {
      proxiedApp = createTestApp(db.knex, { config: { trustProxy: true } });
    });
    async function signInFrom(address: string, username: string, password: string) {
      const agent = request.agent(proxiedApp);
      const _csrf = await csrfTokenFrom(agent, '/login');
      return agent.post('/login').set('X-Forwarded-For', address).type('form').send({ username, password, _csrf });
    }

    it('refuses an address that guessed wrong, but lets the owner in from another address', async () => {
      const owner = await createUser(db.knex);
      const attacker = '198.51.100.70';
      for (let i = 0; i < THROTTLE.perAccountAtAddress; i += 1) {
        expect((await signInFrom(attacker, owner.username, `wrong guess ${i}`)).status).toBe(401);
      }
      const refused = await signInFrom(attacker, owner.username, owner.password);
      expect(refused.status).toBe(429);
      expect(cheerio.load(refused.text)('.error-summary').text()).toContain('Too many failed attempts');

      // The owner's first sign-in from this address: never seen before, and still let in.
      expect((await signInFrom('198.51.100.71', owner.email, owner.password)).status).toBe(303);
      // Nor does that success lift the limit for the attacker's address.
      expect((await signInFrom(attacker, owner.username, owner.password)).status).toBe(429);
      expect(await db.knex('auth.login_events').where({ user_id: owner.id }).orderBy('id').pluck('outcome')).toEqual([
        ...Array.from({ length: THROTTLE.perAccountAtAddress }, () => 'bad_credentials'),
        'throttled',
        'success',
        'throttled',
      ]);
    });

    it('clears the count for an account at an address when the account signs in there', async () => {
      const owner = await createUser(db.knex);
      const address = '198.51.100.72';
      for (let i = 0; i < THROTTLE.perAccountAtAddress - 1; i += 1) {
        expect((await signInFrom(address, owner.username, 'typo')).status).toBe(401);
      }
      expect((await signInFrom(address, owner.username, owner.password)).status).toBe(303);
      for (let i = 0; i < THROTTLE.perAccountAtAddress; i += 1) {
        expect((await signInFrom(address, owner.username, 'typo again')).status).toBe(401);
      }
      expect((await signInFrom(address, owner.username, owner.password)).status).toBe(429);
    });

    it(`stops guesses spread over many addresses at ${THROTTLE.perAccount} on the account, except where the owner signed in before`, async () => {
      const owner = await createUser(db.knex);
      const home = '192.0.2.200';
      expect((await signInFrom(home, owner.username, owner.password)).status).toBe(303);
      // Each address stays under its own limits: only the account-wide count can stop them.
      const perAddress = THROTTLE.perAccountAtAddress;
      const addresses = Array.from({ length: THROTTLE.perAccount / perAddress }, (_, i) => `192.0.2.${i + 1}`);
      for (const address of addresses) {
        for (let i = 0; i < perAddress; i += 1) {
          expect((await signInFrom(address, owner.username, `guess ${address} ${i}`)).status).toBe(401);
        }
      }
      const elsewhere = await signInFrom('192.0.2.150', owner.username, 'one more guess');
      expect(elsewhere.status).toBe(429);
      expect(Number(elsewhere.headers['retry-after'])).toBeGreaterThan(0);
      // Not even the right password gets through from an address the account never used...
      expect((await signInFrom('192.0.2.151', owner.username, owner.password)).status).toBe(429);
      // ...but from the owner's usual address it does.
      expect((await signInFrom(home, owner.username, owner.password)).status).toBe(303);

      // An account that does not exist answers the same way, so the limits tell nothing about who has one.
      const nobody = 'nobody-spread';
      for (const address of addresses) {
        for (let i = 0; i < perAddress; i += 1) {
          expect((await signInFrom(address.replace('192.0.2.', '198.18.0.'), nobody, `guess ${i}`)).status).toBe(401);
        }
      }
      expect((await signInFrom('198.18.0.150', nobody, 'one more guess')).status).toBe(429);
    });

    it('keeps the per-address count when a guesser signs in to an account of their own from it', async () => {
      const own = await createUser(db.knex);
      const address = '198.51.100.73';
      for (let i = 0; i < THROTTLE.perAddress; i += 1) {
        expect((await signInFrom(address, `sprayed-${i}`, 'wrong guess')).status).toBe(401);
        if (i === THROTTLE.perAddress / 2) {
          expect((await signInFrom(address, own.username, own.password)).status).toBe(303);
        }
      }
      expect((await signInFrom(address, 'sprayed-last', 'wrong guess')).status).toBe(429);
      expect((await signInFrom('198.51.100.74', 'sprayed-last', 'wrong guess')).status).toBe(401);
    });

    it('counts IPv4 visitors of a dual-stack socket (::ffff:a.b.c.d) each as their own address', async () => {
      for (let i = 0; i < THROTTLE.perAddress; i += 1) {
        expect((await signInFrom(`::ffff:203.0.113.${100 + i}`, `mapped-${i}`, 'wrong guess')).status).toBe(401);
      }
      expect((await signInFrom('::ffff:203.0.113.200', 'mapped-other', 'wrong guess')).status).toBe(401);
      const [event] = await events('mapped-other');
      expect(event!.ip).toBe('203.0.113.200');
      // The mapped and the plain spelling of one address are one address.
      for (let i = 0; i < THROTTLE.perAddress - 1; i += 1) {
        expect((await signInFrom('203.0.113.200', `mapped-again-${i}`, 'wrong guess')).status).toBe(401);
      }
      expect((await signInFrom('::ffff:203.0.113.200', 'mapped-last', 'wrong guess')).status).toBe(429);
    });

    it('answers a forwarded address that is no address without a 500', async () => {
      const response = await signInFrom('not-an-address', 'whoever', 'wrong guess');
      expect(response.status).toBe(401);
    });

    it('lets no more than the limit of parallel wrong guesses through', async () => {
      const user = await createUser(db.knex);
      const agents = Array.from({ length: 15 }, () => request.agent(app));
      const tokens = await Promise.all(agents.map((agent) => csrfTokenFrom(agent, '/login')));
      const responses = await Promise.all(
        agents.map((agent, i) =>
          agent
            .post('/login')
            .type('form')
            .send({ username: user.username, password: `guess number ${i}`, _csrf: tokens[i] }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(THROTTLE.perAccountAtAddress);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(
        15 - THROTTLE.perAccountAtAddress,
      );
    });

    it('counts failures by account, whether the username or the email was typed', async () => {
      const user = await createUser(db.knex);
      for (let i = 0; i < THROTTLE.perAccountAtAddress; i += 1) {
        const identifier = i % 2 ? user.username.toUpperCase() : user.email;
        const failed = await submitForm(request.agent(app), '/login', '/login', {
          username: identifier,
          password: 'wrong guess',
        });
        expect(failed.status).toBe(401);
      }
      const blocked = await submitForm(request.agent(app), '/login', '/login', {
        username: user.email.toUpperCase(),
        password: 'wrong guess',
      });
      expect(blocked.status).toBe(429);
    });

    it('ignores X-Forwarded-For unless the app is told to trust a proxy', async () => {
      const user = await createUser(db.knex);
      const agent = request.agent(app);
      const _csrf = await csrfTokenFrom(agent, '/login');
      await agent
        .post('/login')
        .set('X-Forwarded-For', '198.51.100.23')
        .type('form')
        .send({ username: user.username, password: 'wrong guess', _csrf });
      const [event] = await events(user.username);
      expect(event!.ip).not.toBe('198.51.100.23');
    });

    it('counts an IPv6 address with the rest of its /64 network', async () => {
      const proxiedApp = createTestApp(db.knex, { config: { trustProxy: true } });
      for (let i = 0; i < THROTTLE.perAddress; i += 1) {
        const agent = request.agent(proxiedApp);
        const _csrf = await csrfTokenFrom(agent, '/login');
        const failed = await agent
          .post('/login')
          .set('X-Forwarded-For', `2001:db8:aa:bb::${(i + 1).toString(16)}`)
          .type('form')
          .send({ username: `v6-someone${i}`, password: 'wrong guess', _csrf });
        expect(failed.status).toBe(401);
      }
      const agent = request.agent(proxiedApp);
      const _csrf = await csrfTokenFrom(agent, '/login');
      const blocked = await agent
        .post('/login')
        .set('X-Forwarded-For', '2001:db8:aa:bb:ffff::1')
        .type('form')
        .send({ username: 'v6-another', password: 'wrong guess', _csrf });
      expect(blocked.status).toBe(429);
      await db.knex('auth.login_events').whereRaw("ip <<= '2001:db8:aa:bb::/64'::inet").delete();
    });

    it(`refuses with 429 after ${THROTTLE.perAccountAtAddress} failures on one account, even with the right password, and lifts after the window`, async () => {
      const user = await createUser(db.knex);
      for (let i = 0; i < THROTTLE.perAccountAtAddress; i += 1) {
        const failed = await submitForm(request.agent(app), '/login', '/login', {
          username: user.username,
          password: 'wrong guess',
        });
        expect(failed.status).toBe(401);
      }
      const blocked = await submitForm(request.agent(app), '/login', '/login', {
        username: user.username,
        password: user.password,
      });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(cheerio.load(blocked.text)('.error-summary').text()).toContain('Too many failed attempts');
      expect((await events(user.username)).at(-1)).toMatchObject({ outcome: 'throttled' });

      // The window passes (the failures age past it): the right password works again.
      await db
        .knex('auth.login_events')
        .where({ username_attempted: user.username })
        .update({ occurred_at: db.knex.raw(`occurred_at - interval '${THROTTLE.windowMinutes + 1} minutes'`) });
      const allowed = await submitForm(request.agent(app), '/login', '/login', {
        username: user.username,
        password: user.password,
      });
      expect(allowed.status).toBe(303);
    });

    it('counts failures per address across accounts, and the limit holds in another app process', async () => {
      const address = '203.0.113.7';
      const proxied = (appInstance: Express) => {
        const agent = request.agent(appInstance);
        return { agent, send: (fields: Record<string, string>) => submitForm(agent, '/login', '/login', fields) };
      };
      // Two apps over one database stand for two processes: the count lives in Postgres.
      const first = createTestApp(db.knex, { config: { trustProxy: true } });
      const second = createTestApp(db.knex, { config: { trustProxy: true } });
      for (let i = 0; i < THROTTLE.perAddress; i += 1) {
        const { agent } = proxied(i % 2 ? first : second);
        const _csrf = await csrfTokenFrom(agent, '/login');
        const failed = await agent
          .post('/login')
          .set('X-Forwarded-For', address)
          .type('form')
          .send({ username: `someone${i}`, password: 'wrong guess', _csrf });
        expect(failed.status).toBe(401);
      }
      const { agent } = proxied(second);
      const _csrf = await csrfTokenFrom(agent, '/login');
      const blocked = await agent
        .post('/login')
        .set('X-Forwarded-For', address)
        .type('form')
        .send({ username: 'yet-another', password: 'wrong guess', _csrf });
      expect(blocked.status).toBe(429);
      await db.knex('auth.login_events').where({ ip: address }).delete();
    });
  });
});
