import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { THROTTLE } from '../../src/accounts/service';
import { verifyPassword } from '../../src/users/passwords';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, signedInAgent, submitForm, type Agent } from '../support/session';

describe('settings', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  const themeOf = async (agent: Agent, path = '/') =>
    cheerio
      .load((await agent.get(path)).text)('body')
      .attr('data-theme');

  describe('theme', () => {
    it('lets an anonymous visitor pick a theme, kept in a cookie and rendered on every page', async () => {
      const agent = request.agent(app);
      const page = cheerio.load((await agent.get('/settings')).text);
      expect(page('body').attr('data-page')).toBe('settings');
      expect(page('button[name="theme"]')).toHaveLength(4);
      expect(page('button[name="theme"][aria-pressed="true"]').attr('value')).toBe('system');
      expect(page('#current_password')).toHaveLength(0);
      expect(await themeOf(agent)).toBe('system');

      const saved = await submitForm(agent, '/settings', '/settings/theme', { theme: 'high-contrast' });
      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe('/settings');
      expect(await themeOf(agent)).toBe('high-contrast');
      expect(await themeOf(agent, '/login')).toBe('high-contrast');
      const settings = cheerio.load((await agent.get('/settings')).text);
      expect(settings('button[name="theme"][aria-pressed="true"]').attr('value')).toBe('high-contrast');
    });

    it('stores a signed-in user’s theme in their preferences, which wins over the cookie', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      await submitForm(agent, '/settings', '/settings/theme', { theme: 'dark' });
      expect(await db.knex('users.preferences').where({ user_id: user.id }).first()).toMatchObject({ theme: 'dark' });

      // Another browser with a different cookie still shows the user's own theme once signed in.
      const elsewhere = request.agent(app);
      await submitForm(elsewhere, '/settings', '/settings/theme', { theme: 'light' });
      await submitForm(elsewhere, '/login', '/login', { username: user.username, password: user.password });
      expect(await themeOf(elsewhere)).toBe('dark');
    });

    it('rejects an unknown theme with 422 and changes nothing', async () => {
      const agent = request.agent(app);
      const response = await submitForm(agent, '/settings', '/settings/theme', { theme: 'neon' });
      expect(response.status).toBe(422);
      expect(cheerio.load(response.text)('#theme-error').text()).toContain('Choose one of the themes');
      expect(await themeOf(agent)).toBe('system');
    });
  });

  describe('changing the password', () => {
    it('changes nothing when the other sessions cannot be ended: the new password and the sign-outs go together', async () => {
      const user = await createUser(db.knex);
      const phone = await signedInAgent(app, user);
      const laptop = await signedInAgent(app, user);
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
      // Ending this user's sessions fails in the database, after the new hash would be written.
      await db.knex.raw(`
        create function refuse_session_deletes() returns trigger language plpgsql as
          $$ begin raise exception 'sessions cannot be deleted just now'; end $$;
        create trigger refuse_session_deletes before delete on auth.sessions for each row
          when (old.sess -> 'passport' ->> 'user' = '${user.id}') execute function refuse_session_deletes();
      `);
      try {
        const response = await submitForm(laptop, '/settings', '/settings/password', {
          current_password: user.password,
          new_password: 'a brand new passphrase',
          confirm_password: 'a brand new passphrase',
        });
        expect(response.status).toBe(500);
      } finally {
        await db.knex.raw(
          'drop trigger refuse_session_deletes on auth.sessions; drop function refuse_session_deletes()',
        );
      }
      const stored = await db.knex('users.users').where({ id: user.id }).first<{ password_hash: string }>();
      expect(await verifyPassword(stored.password_hash, user.password)).toBe(true);
      expect(
        cheerio
          .load((await phone.get('/')).text)('.signed-in-as')
          .text(),
      ).toContain(user.username);
    });

    it('asks for the current password, changes it, and ends the user’s other sessions', async () => {
      const user = await createUser(db.knex);
      const phone = await signedInAgent(app, user);
      const laptop = await signedInAgent(app, user);
      const otherUser = await createUser(db.knex);
      const otherAgent = await signedInAgent(app, otherUser);

      const response = await submitForm(laptop, '/settings', '/settings/password', {
        current_password: user.password,
        new_password: 'a brand new passphrase',
        confirm_password: 'a brand new passphrase',
      });
      expect(response.status).toBe(303);
      const stored = await db.knex('users.users').where({ id: user.id }).first<{ password_hash: string }>();
      expect(await verifyPassword(stored.password_hash, 'a brand new passphrase')).toBe(true);

      const laptopPage = cheerio.load((await laptop.get('/settings')).text);
      expect(laptopPage('.signed-in-as').text()).toContain(user.username);
      expect(laptopPage('[role="status"]').text()).toContain('signed out on 1 other device');
      expect(cheerio.load((await phone.get('/')).text)('.signed-in-as')).toHaveLength(0);
      expect(
        cheerio
          .load((await otherAgent.get('/')).text)('.signed-in-as')
          .text(),
      ).toContain(otherUser.username);

      const oldPassword = await submitForm(request.agent(app), '/login', '/login', {
        username: user.username,
        password: user.password,
      });
      expect(oldPassword.status).toBe(401);
    });

    it.each([
      [
        'a wrong current password',
        {
          current_password: 'not it at all',
          new_password: 'another fine phrase',
          confirm_password: 'another fine phrase',
        },
        'current_password',
      ],
      [
        'a common new password',
        { current_password: 'CURRENT', new_password: 'iloveyou', confirm_password: 'iloveyou' },
        'new_password',
      ],
      [
        'a short new password',
        { current_password: 'CURRENT', new_password: 'short', confirm_password: 'short' },
        'new_password',
      ],
      [
        'a mismatched confirmation',
        { current_password: 'CURRENT', new_password: 'another fine phrase', confirm_password: 'different' },
        'confirm_password',
      ],
    ])('refuses %s with 422 next to the field, and keeps the old password', async (_case, fields, field) => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const sent = { ...fields, current_password: fields.current_password.replace('CURRENT', user.password) };
      const response = await submitForm(agent, '/settings', '/settings/password', sent);
      expect(response.status).toBe(422);
      const $ = cheerio.load(response.text);
      expect($(`#${field}`).attr('aria-invalid')).toBe('true');
      expect($(`#${field}-error`).text().trim()).not.toBe('');
      const stored = await db.knex('users.users').where({ id: user.id }).first<{ password_hash: string }>();
      expect(await verifyPassword(stored.password_hash, user.password)).toBe(true);
    });

    it('limits guesses of the current password like sign-in does, and records them', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const guess = (current: string) =>
        submitForm(agent, '/settings', '/settings/password', {
          current_password: current,
          new_password: 'another fine phrase',
          confirm_password: 'another fine phrase',
        });
      for (let i = 0; i < THROTTLE.perAccountAtAddress; i += 1)
        expect((await guess(`wrong guess ${i}`)).status).toBe(422);
      const blocked = await guess(user.password);
      expect(blocked.status).toBe(429);
      expect(cheerio.load(blocked.text)('#current_password-error').text()).toContain('Too many failed attempts');
      const stored = await db.knex('users.users').where({ id: user.id }).first<{ password_hash: string }>();
      expect(await verifyPassword(stored.password_hash, user.password)).toBe(true);
      const outcomes = await db.knex('auth.login_events').where({ user_id: user.id }).orderBy('id').pluck('outcome');
      expect(outcomes.filter((outcome: string) => outcome === 'bad_credentials')).toHaveLength(
        THROTTLE.perAccountAtAddress,
      );
      expect(outcomes.at(-1)).toBe('throttled');
    });

    it('refuses the username as the new password', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const response = await submitForm(agent, '/settings', '/settings/password', {
        current_password: user.password,
        new_password: user.username.toUpperCase(),
        confirm_password: user.username.toUpperCase(),
      });
      expect(response.status).toBe(422);
      expect(cheerio.load(response.text)('#new_password-error').text()).toContain('must not be your username');
    });

    it('sends an anonymous visitor to sign in', async () => {
      const agent = request.agent(app);
      const response = await submitForm(agent, '/settings', '/settings/password', { current_password: 'x' });
      expect(response.status).toBe(303);
      expect(response.headers.location).toMatch(/^\/login\?next=/);
    });
  });

  describe('deleting the account', () => {
    it('needs the password, then removes the user and their data but not the catalog', async () => {
      const user = await createUser(db.knex);
      const [media] = await db.knex('media.media').orderBy('id').limit(1).select<{ id: string }[]>('id');
      await db.knex('interaction.user_media').insert({ user_id: user.id, media_id: media!.id, status: 'planning' });
      const catalogBefore = await db.knex('media.media').count({ n: '*' });
      const agent = await signedInAgent(app, user);

      const wrong = await submitForm(agent, '/settings', '/settings/delete', { delete_password: 'not my password' });
      expect(wrong.status).toBe(422);
      expect(cheerio.load(wrong.text)('#delete_password-error').text()).toContain('wrong');
      expect(await db.knex('users.users').where({ id: user.id }).first()).toBeDefined();

      const deleted = await submitForm(agent, '/settings', '/settings/delete', { delete_password: user.password });
      expect(deleted.status).toBe(303);
      expect(deleted.headers.location).toBe('/');
      expect(await db.knex('users.users').where({ id: user.id }).first()).toBeUndefined();
      expect(await db.knex('users.preferences').where({ user_id: user.id }).first()).toBeUndefined();
      expect(await db.knex('interaction.user_media').where({ user_id: user.id })).toHaveLength(0);
      expect(await db.knex('auth.login_events').where({ user_id: user.id })).toHaveLength(0);
      expect(await db.knex('media.media').count({ n: '*' })).toEqual(catalogBefore);
      const home = cheerio.load((await agent.get('/')).text);
      expect(home('.signed-in-as')).toHaveLength(0);
      expect(home('[role="status"]').text()).toContain('deleted');
    });
  });

  describe('profile visibility', () => {
    it('can be set to private and back', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      expect(
        (await submitForm(agent, '/settings', '/settings/privacy', { profile_visibility: 'private' })).status,
      ).toBe(303);
      expect(await db.knex('users.preferences').where({ user_id: user.id }).first()).toMatchObject({
        profile_visibility: 'private',
      });
      expect(
        (await submitForm(agent, '/settings', '/settings/privacy', { profile_visibility: 'everyone' })).status,
      ).toBe(422);
      expect((await submitForm(agent, '/settings', '/settings/privacy', { profile_visibility: 'public' })).status).toBe(
        303,
      );
      expect(await db.knex('users.preferences').where({ user_id: user.id }).first()).toMatchObject({
        profile_visibility: 'public',
      });
    });
  });
});
