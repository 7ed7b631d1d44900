import * as cheerio from 'cheerio';
import request from 'supertest';
import type { ApiErrorBody } from '../support/api';
import { useSeededApp } from '../support/seeded';
import { createUser, csrfTokenFrom, signedInAgent, type Agent } from '../support/session';

/**
 * Every form but the list entry's (test/input/list-entry.test.ts) with a control character in a
 * field: 422, the message by that field, what was typed drawn again (never a password), and
 * nothing written. Each is posted plain and with HX-Request.
 */
describe('forms given control characters', () => {
  const seeded = useSeededApp();
  const knex = () => seeded.db.knex;
  // Drawn back, a control character shows as U+FFFD; tabs and line breaks stay as they are.
  const MARKED = (value: string) => value.replace(/[^\P{Cc}\t\n\r]/gu, '\uFFFD');

  async function post(agent: Agent, formPage: string, action: string, fields: Record<string, string>, htmx: boolean) {
    const _csrf = await csrfTokenFrom(agent, formPage);
    const call = agent.post(action);
    if (htmx) call.set('HX-Request', 'true');
    return call.type('form').send({ ...fields, _csrf });
  }

  const fieldError = (html: string, field: string) => cheerio.load(html)(`#${field}-error`).text();
  const count = async (table: string, where: Record<string, unknown> = {}) =>
    Number((await knex()(table).where(where).count<{ count: string }[]>({ count: '*' }))[0]!.count);

  describe.each([
    ['plain', false],
    ['htmx', true],
  ])('%s', (_how, htmx) => {
    it.each([
      ['username', { username: 'new\u0000user' }],
      ['username', { username: 'new\tuser' }],
      ['email', { email: 'new\u0085user@example.com' }],
      ['password', { password: 'a fine pass\u0000phrase', confirm: 'a fine pass\u0000phrase' }],
      ['confirm', { confirm: 'a fine passphrase\u007f' }],
    ])('registration refuses a control character in %s', async (field, bad) => {
      const users = await count('users.users');
      const fields = {
        username: 'newcomer',
        email: 'newcomer@example.com',
        password: 'a fine passphrase',
        confirm: 'a fine passphrase',
        ...bad,
      };
      const response = await post(request.agent(seeded.app), '/register', '/register', fields, htmx);
      expect(response.status).toBe(422);
      expect(fieldError(response.text, field)).toContain('control characters');
      const $ = cheerio.load(response.text);
      if (field === 'username' || field === 'email') expect($(`#${field}`).val()).toBe(MARKED(fields[field]));
      // A password is never drawn back into the page.
      expect($('#password').val()).toBeUndefined();
      expect(response.text).not.toContain('\u0000');
      expect(await count('users.users')).toBe(users);
    });

    it.each([
      ['username', { username: 'some\u0000one' }],
      ['username', { username: 'some\u001bone' }],
      ['password', { password: 'pass\u0000word' }],
    ])('sign-in refuses a control character in %s and writes no sign-in event', async (field, bad) => {
      const events = await count('auth.login_events');
      const fields = { username: 'someone', password: 'whatever it is', ...bad };
      const response = await post(request.agent(seeded.app), '/login', '/login', fields, htmx);
      expect(response.status).toBe(422);
      expect(fieldError(response.text, field)).toContain('control characters');
      if (field === 'username') expect(cheerio.load(response.text)('#username').val()).toBe(MARKED(fields.username));
      expect(await count('auth.login_events')).toBe(events);
    });

    it('sign-in answers unicode beyond control characters as any wrong name, never a 500', async () => {
      for (const username of ['🎉👩🏽‍🚀', 'שלום\u202E', 'e\u0301\u0301\u0301', '\uFFFD\uFFFD']) {
        const response = await post(
          request.agent(seeded.app),
          '/login',
          '/login',
          { username, password: 'whatever it is' },
          htmx,
        );
        expect(response.status).toBe(401);
        expect(cheerio.load(response.text)('#username').val()).toBe(username);
      }
    });

    it.each([
      ['current_password', { current_password: 'a perfectly fine passphrase\u0000' }],
      [
        'new_password',
        { new_password: 'another fine\u0000passphrase', confirm_password: 'another fine\u0000passphrase' },
      ],
      ['confirm_password', { confirm_password: 'another fine passphrase\u0000' }],
    ])(
      'the password change refuses a control character in %s, checks nothing and changes nothing',
      async (field, bad) => {
        const user = await createUser(knex());
        const agent = await signedInAgent(seeded.app, user);
        const hash = () =>
          knex()('users.users').where({ id: user.id }).first<{ password_hash: string } | undefined>('password_hash');
        const [before, events] = [await hash(), await count('auth.login_events', { user_id: user.id })];
        const fields = {
          current_password: user.password,
          new_password: 'another fine passphrase',
          confirm_password: 'another fine passphrase',
          ...bad,
        };
        const response = await post(agent, '/settings', '/settings/password', fields, htmx);
        expect(response.status).toBe(422);
        expect(fieldError(response.text, field)).toContain('control characters');
        expect(await hash()).toEqual(before);
        expect(await count('auth.login_events', { user_id: user.id })).toBe(events);
      },
    );

    it('deleting the account refuses a control character in the password and deletes nothing', async () => {
      const user = await createUser(knex());
      const agent = await signedInAgent(seeded.app, user);
      const response = await post(
        agent,
        '/settings',
        '/settings/delete',
        { delete_password: `${user.password}\u0000` },
        htmx,
      );
      expect(response.status).toBe(422);
      expect(fieldError(response.text, 'delete_password')).toContain('control characters');
      expect(await count('users.users', { id: user.id })).toBe(1);
    });

    it.each([
      ['/settings/theme', 'theme', 'dark\u0000'],
      ['/settings/privacy', 'profile_visibility', 'private\u0000'],
      ['/settings/rating-scale', 'rating_scale', 'five_star\u001b'],
    ])(
      '%s refuses a control character with the field’s message and keeps the preference',
      async (action, field, value) => {
        const user = await createUser(knex());
        const agent = await signedInAgent(seeded.app, user);
        const preferences = () =>
          knex()('users.preferences').where({ user_id: user.id }).first<Record<string, unknown> | undefined>();
        const before = await preferences();
        const response = await post(agent, '/settings', action, { [field]: value }, htmx);
        expect(response.status).toBe(422);
        expect(fieldError(response.text, field)).not.toBe('');
        expect(await preferences()).toEqual(before);
      },
    );

    it.each([
      ['media_id', (id: string) => ({ media_id: `${id}\u0000`, status: 'planning' })],
      ['status', (id: string) => ({ media_id: id, status: 'planning\u0000' })],
      ['media_id', (id: string) => ({ media_id: [id, id] as unknown as string, status: 'planning' })],
    ])('adding to the list refuses a bad %s with 422 and adds nothing', async (_field, fields) => {
      const user = await createUser(knex());
      const agent = await signedInAgent(seeded.app, user);
      const media = await knex()('media.media').orderBy('id').first<{ id: string }>('id');
      const response = await post(agent, '/catalog', '/list', fields(media.id), htmx);
      expect(response.status).toBe(422);
      expect(response.text).toMatch(/Choose (a title|a status)/);
      expect(await count('interaction.user_media', { user_id: user.id })).toBe(0);
    });

    it('removing ignores a `next` holding a control character and goes back to the list', async () => {
      const user = await createUser(knex());
      const agent = await signedInAgent(seeded.app, user);
      const media = await knex()('media.media').orderBy('id').offset(3).first<{ id: string }>('id');
      await knex()('interaction.user_media').insert({ user_id: user.id, media_id: media.id, status: 'planning' });
      const response = await post(agent, '/list', `/list/${media.id}/remove`, { next: '/list\u0000x' }, htmx);
      expect(response.status).toBe(htmx ? 200 : 303);
      if (!htmx) expect(response.headers.location).toBe('/list');
      expect(response.text).not.toContain('\u0000');
      expect(await count('interaction.user_media', { user_id: user.id })).toBe(0);
    });

    it('undo refuses an id holding a control character with 404 and restores nothing', async () => {
      const user = await createUser(knex());
      const agent = await signedInAgent(seeded.app, user);
      const media = await knex()('media.media').orderBy('id').first<{ id: string }>('id');
      const response = await post(agent, '/list', '/list/restore', { media_id: `${media.id}\u0000` }, htmx);
      expect(response.status).toBe(404);
      expect(await count('interaction.user_media', { user_id: user.id })).toBe(0);
    });

    describe('the media page’s link form (administrators)', () => {
      async function admin() {
        const user = await createUser(knex(), { role: 'admin' });
        const [source, target] = await knex()('media.media').orderBy('id').offset(5).limit(2).pluck<string[]>('id');
        return { agent: await signedInAgent(seeded.app, user), source: source!, target: target! };
      }
      const links = (source: string) => count('media.relationships', { source_id: source });

      it.each([
        ['target_id', (target: string) => ({ kind: 'sequel', target_id: `${target}\u0000` })],
        [
          'target_id',
          (target: string) => ({ kind: 'sequel', target_id: `https://omt.example/media/${target}?\u0000` }),
        ],
        ['kind', (target: string) => ({ kind: 'sequel\u0000', target_id: target })],
      ])('refuses a control character in %s, with the value typed, and links nothing', async (field, fields) => {
        const { agent, source, target } = await admin();
        const before = await links(source);
        const sent = fields(target);
        const response = await post(agent, `/media/${source}`, `/media/${source}/relationships`, sent, htmx);
        expect(response.status).toBe(422);
        expect(fieldError(response.text, field)).toContain('control characters');
        if (field === 'target_id') {
          expect(cheerio.load(response.text)('#target_id').val()).toBe(MARKED(sent.target_id));
        }
        expect(await links(source)).toBe(before);
      });
    });
  });

  describe('the relationships API', () => {
    async function admin() {
      const user = await createUser(knex(), { role: 'admin' });
      const agent = await signedInAgent(seeded.app, user);
      const [source, target] = await knex()('media.media').orderBy('id').offset(20).limit(2).pluck<string[]>('id');
      return { agent, source: source!, target: target!, token: await csrfTokenFrom(agent, '/settings') };
    }

    it.each([
      ['kind', (target: string) => ({ kind: 'seq\u0000uel', targetId: target }), 'control characters'],
      ['targetId', (target: string) => ({ kind: 'sequel', targetId: `${target}\u0000` }), 'control characters'],
      ['kind', (target: string) => ({ kind: 7, targetId: target }), 'Choose a kind'],
      ['kind', (target: string) => ({ kind: { $ne: null }, targetId: target }), 'Choose a kind'],
      ['targetId', () => ({ kind: 'sequel', targetId: 12345 }), 'UUID'],
      ['targetId', (target: string) => ({ kind: 'sequel', targetId: [target] }), 'UUID'],
      ['targetId', () => ({ kind: 'sequel', targetId: '\ud800' }), 'UUID'],
      ['kind', () => ({ kind: 'x'.repeat(10_000) }), 'Choose a kind'],
    ])('answers a bad %s with 422 naming the field, and links nothing', async (field, body, message) => {
      const { agent, source, target, token } = await admin();
      const before = await count('media.relationships', { source_id: source });
      const response = await agent
        .post(`/api/media/${source}/relationships`)
        .set('X-CSRF-Token', token)
        .send(body(target));
      expect(response.status).toBe(422);
      const { error } = response.body as ApiErrorBody;
      expect(error).toMatchObject({ field });
      expect(error.message).toContain(message);
      expect(await count('media.relationships', { source_id: source })).toBe(before);
    });

    it.each([
      ['an array', '[]'],
      ['null', 'null'],
      ['a string', '"sequel"'],
    ])('answers %s for a body with 422, never a 500', async (_name, raw) => {
      const { agent, source, token } = await admin();
      const response = await agent
        .post(`/api/media/${source}/relationships`)
        .set('X-CSRF-Token', token)
        .set('Content-Type', 'application/json')
        .send(raw);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect((response.body as Partial<ApiErrorBody>).error).toBeDefined();
    });

    it('answers JSON that does not parse with 400', async () => {
      const { agent, source, token } = await admin();
      const response = await agent
        .post(`/api/media/${source}/relationships`)
        .set('X-CSRF-Token', token)
        .set('Content-Type', 'application/json')
        .send('{"kind": "sequel",');
      expect(response.status).toBe(400);
      expect((response.body as Partial<ApiErrorBody>).error).toBeDefined();
    });
  });
});
