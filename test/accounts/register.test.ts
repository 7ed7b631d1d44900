import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { verifyPassword } from '../../src/users/passwords';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, csrfTokenFrom, submitForm } from '../support/session';

const GOOD = {
  username: 'newreader',
  email: 'newreader@example.com',
  password: 'tea and toast at dawn',
  confirm: 'tea and toast at dawn',
};

describe('registering', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  async function registerWith(fields: Record<string, string>) {
    return submitForm(request.agent(app), '/register', '/register', fields);
  }

  it('shows the form with a labelled row per field', async () => {
    const response = await request.agent(app).get('/register');
    expect(response.status).toBe(200);
    const $ = cheerio.load(response.text);
    expect($('body').attr('data-page')).toBe('register');
    const rows = $('form.register-form .form-row');
    expect(rows).toHaveLength(4);
    rows.each((_, row) => {
      const input = $(row).find('input');
      expect($(row).find(`label[for="${input.attr('id')}"]`)).toHaveLength(1);
      expect($(row).find('p.field-error')).toHaveLength(1);
    });
    expect($('form.register-form input[name="_csrf"]').val()).toBeTruthy();
  });

  it('creates the account, hashes the password with argon2id, signs the user in and greets them', async () => {
    const agent = request.agent(app);
    const response = await submitForm(agent, '/register', '/register', GOOD);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');

    const user = await db
      .knex('users.users')
      .where({ username: 'newreader' })
      .first<{ id: string; email: string; password_hash: string }>();
    expect(user.email).toBe('newreader@example.com');
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.password_hash, GOOD.password)).toBe(true);
    expect(await db.knex('users.preferences').where({ user_id: user.id }).first()).toMatchObject({ theme: 'system' });

    const home = cheerio.load((await agent.get('/')).text);
    expect(home('[role="status"]').text()).toContain('Welcome, newreader!');
    expect(home('.signed-in-as').text()).toContain('newreader');
  });

  it.each([
    ['everything empty', {}, ['username', 'email', 'password', 'confirm']],
    ['a username too short', { ...GOOD, username: 'ab' }, ['username']],
    ['a username too long', { ...GOOD, username: 'a'.repeat(33) }, ['username']],
    ['a username with spaces', { ...GOOD, username: 'two words' }, ['username']],
    ['an invalid email', { ...GOOD, email: 'not-an-email' }, ['email']],
    ['an email too long', { ...GOOD, email: `${'a'.repeat(250)}@example.com` }, ['email']],
    ['a password too short', { ...GOOD, password: 'short', confirm: 'short' }, ['password']],
    ['a password too long', { ...GOOD, password: 'x'.repeat(257), confirm: 'x'.repeat(257) }, ['password']],
    ['a common password', { ...GOOD, password: 'password123', confirm: 'password123' }, ['password']],
    ['a common password in capitals', { ...GOOD, password: 'QWERTYUIOP', confirm: 'QWERTYUIOP' }, ['password']],
    ['a mismatched confirmation', { ...GOOD, confirm: 'something else entirely' }, ['confirm']],
  ])(
    'rejects %s with 422 and a message next to each bad field, keeping the values',
    async (_case, fields, badFields) => {
      const response = await registerWith(fields);
      expect(response.status).toBe(422);
      const $ = cheerio.load(response.text);
      expect($('title').text()).toMatch(/^Error: /);
      expect($('.error-summary[role="alert"] li')).toHaveLength(badFields.length);
      for (const field of badFields) {
        const input = $(`#${field}`);
        expect(input.attr('aria-invalid')).toBe('true');
        expect(input.attr('aria-describedby')).toContain(`${field}-error`);
        expect($(`#${field}-error`).text().trim()).not.toBe('');
        expect($(`.error-summary a[href="#${field}"]`)).toHaveLength(1);
      }
      const typed = fields as Record<string, string>;
      if (typed.username) expect($('#username').val()).toBe(typed.username.slice(0, 500));
      expect($('#password').val()).toBeUndefined();
      expect($('#confirm').val()).toBeUndefined();
    },
  );

  it('accepts a 128-character password', async () => {
    const long = 'p'.repeat(64) + 'q'.repeat(64);
    const response = await registerWith({
      username: 'longpass',
      email: 'longpass@example.com',
      password: long,
      confirm: long,
    });
    expect(response.status).toBe(303);
  });

  it('rejects a username or email that exists in any case as a field error', async () => {
    const existing = await createUser(db.knex, { username: 'TakenName' });
    const response = await registerWith({ ...GOOD, username: 'takenname', email: existing.email.toUpperCase() });
    expect(response.status).toBe(422);
    const $ = cheerio.load(response.text);
    expect($('#username-error').text()).toContain('taken');
    expect($('#email-error').text()).toContain('already exists');
  });

  it('gives a field error, not a 500, to the loser of two identical submissions at once', async () => {
    const fields = { ...GOOD, username: 'racer', email: 'racer@example.com' };
    const agents = [request.agent(app), request.agent(app)];
    const tokens = await Promise.all(agents.map((agent) => csrfTokenFrom(agent, '/register')));
    const responses = await Promise.all(
      agents.map((agent, i) =>
        agent
          .post('/register')
          .type('form')
          .send({ ...fields, _csrf: tokens[i] }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([303, 422]);
    expect(await db.knex('users.users').where({ username: 'racer' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('answers wrong types (repeated fields) and a huge body without a 500', async () => {
    const agent = request.agent(app);
    const _csrf = await csrfTokenFrom(agent, '/register');
    const repeated = await agent
      .post('/register')
      .type('form')
      .send(`_csrf=${encodeURIComponent(_csrf)}&username=a&username=b&email=x@example.com&password=p&confirm=p`);
    expect(repeated.status).toBe(422);
    expect(cheerio.load(repeated.text)('#username-error').text()).toContain('Enter a username');

    const huge = await agent
      .post('/register')
      .type('form')
      .send(`_csrf=${_csrf}&username=${'u'.repeat(100_000)}`);
    expect(huge.status).toBe(413);
  });

  describe('accounts created from one address', () => {
    const LIMIT = 3;
    // Two apps over one database stand for two processes: the count lives in PostgreSQL.
    let first: Express;
    let second: Express;
    beforeAll(() => {
      const config = { trustProxy: true, registrationsPerHour: LIMIT };
      first = createTestApp(db.knex, { config });
      second = createTestApp(db.knex, { config });
    });

    let made = 0;
    async function registerFrom(appInstance: Express, address: string) {
      made += 1;
      const agent = request.agent(appInstance);
      const _csrf = await csrfTokenFrom(agent, '/register');
      const fields = {
        username: `limited${made}`,
        email: `limited${made}@example.com`,
        password: GOOD.password,
        confirm: GOOD.password,
        _csrf,
      };
      const response = await agent.post('/register').set('X-Forwarded-For', address).type('form').send(fields);
      return { response, username: fields.username, email: fields.email };
    }
    const exists = async (username: string) => (await db.knex('users.users').where({ username }).first()) !== undefined;

    it(`refuses the account after ${LIMIT} in an hour with 429, keeping what was typed, across processes`, async () => {
      const address = '198.51.100.40';
      for (let i = 0; i < LIMIT; i += 1) {
        const { response } = await registerFrom(i % 2 ? first : second, address);
        expect(response.status).toBe(303);
      }
      const { response, username, email } = await registerFrom(first, address);
      expect(response.status).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(60);
      const $ = cheerio.load(response.text);
      expect($('.error-summary').text()).toContain('Too many accounts were created from your network');
      expect($('input[name="username"]').val()).toBe(username);
      expect($('input[name="email"]').val()).toBe(email);
      expect($('input[name="password"]').val()).toBeUndefined();
      expect(await exists(username)).toBe(false);

      // Another address is not held back.
      expect((await registerFrom(second, '198.51.100.41')).response.status).toBe(303);

      // The hour passes: the address may create accounts again, and the old attempts go.
      await db
        .knex('auth.registration_attempts')
        .whereRaw("ip = '198.51.100.40'::inet")
        .update({ occurred_at: db.knex.raw("occurred_at - interval '61 minutes'") });
      const again = await registerFrom(second, address);
      expect(again.response.status).toBe(303);
      expect(await exists(again.username)).toBe(true);
      expect(
        await db.knex('auth.registration_attempts').whereRaw("ip = '198.51.100.40'::inet").count({ n: '*' }),
      ).toEqual([{ n: 1 }]);
    });

    it('counts an IPv6 address with the rest of its /64 network', async () => {
      for (let i = 1; i <= LIMIT; i += 1) {
        expect((await registerFrom(first, `2001:db8:5:6::${i}`)).response.status).toBe(303);
      }
      expect((await registerFrom(first, '2001:db8:5:6:ffff::1')).response.status).toBe(429);
      expect((await registerFrom(first, '2001:db8:5:7::1')).response.status).toBe(303);
    });

    it('answers 429 before saying whether a username or email is taken, so probing spends the limit', async () => {
      const existing = await createUser(db.knex, { username: 'probed-owner' });
      const address = '198.51.100.43';
      const probe = async (fields: Record<string, string>) => {
        const agent = request.agent(first);
        const _csrf = await csrfTokenFrom(agent, '/register');
        return agent
          .post('/register')
          .set('X-Forwarded-For', address)
          .type('form')
          .send({ password: GOOD.password, confirm: GOOD.password, ...fields, _csrf });
      };
      // Within the limit the answer is honest, and each answer is an attempt spent.
      for (let i = 0; i < LIMIT; i += 1) {
        const answer = await probe({ username: `prober${i}`, email: existing.email });
        expect(answer.status).toBe(422);
        expect(cheerio.load(answer.text)('#email-error').text()).toContain('already exists');
      }
      const pages = [
        await probe({ username: `prober-last`, email: existing.email }),
        await probe({ username: existing.username, email: 'free-address@example.com' }),
        await probe({ username: 'never-used-name', email: 'never-used@example.com' }),
      ];
      for (const page of pages) {
        expect(page.status).toBe(429);
        const $ = cheerio.load(page.text);
        expect($('.error-summary').text()).toContain('Too many accounts were created from your network');
        expect($('.error-summary li')).toHaveLength(1);
        expect($('#email').attr('aria-invalid')).toBeUndefined();
        expect(page.text).not.toMatch(/already exists|is taken/);
      }
      // The pages past the limit cannot be told apart by what they say.
      const summaries = pages.map((page) => cheerio.load(page.text)('.error-summary').text().trim());
      expect(new Set(summaries).size).toBe(1);
      expect(await exists('never-used-name')).toBe(false);
      // A visitor at another address registers as usual.
      expect((await registerFrom(second, '198.51.100.44')).response.status).toBe(303);
    });

    it('does not count a form refused for its values', async () => {
      const address = '198.51.100.42';
      for (let i = 0; i < LIMIT + 2; i += 1) {
        const agent = request.agent(first);
        const _csrf = await csrfTokenFrom(agent, '/register');
        const refused = await agent
          .post('/register')
          .set('X-Forwarded-For', address)
          .type('form')
          .send({ username: 'x', email: 'not an email', password: 'short', confirm: 'other', _csrf });
        expect(refused.status).toBe(422);
      }
      expect((await registerFrom(first, address)).response.status).toBe(303);
    });
  });
});
