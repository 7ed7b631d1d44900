import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { chartTable } from '../support/charts';
import { createUser, signedInAgent } from '../support/session';

describe('profiles', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('shows the username, the member-since date and list counts by status', async () => {
    const user = await createUser(db.knex);
    const media = await db.knex('media.media').orderBy('id').limit(4).select<{ id: string }[]>('id');
    const statuses = ['planning', 'planning', 'completed', 'dropped'];
    await db
      .knex('interaction.user_media')
      .insert(media.map((item, i) => ({ user_id: user.id, media_id: item.id, status: statuses[i] })));

    const response = await request(app).get(`/users/${user.username.toUpperCase()}`);
    expect(response.status).toBe(200);
    const $ = cheerio.load(response.text);
    expect($('body').attr('data-page')).toBe('profile');
    expect($('h1').text()).toBe(user.username);
    expect($('.member-since time').attr('datetime')).toBe(new Date().toISOString().slice(0, 10));
    expect(chartTable($, 'chart-status')).toEqual([
      ['Planning', '2'],
      ['In progress', '0'],
      ['Completed', '1'],
      ['Paused', '0'],
      ['Dropped', '1'],
    ]);
  });

  it('is a 404 for an unknown user', async () => {
    const response = await request(app).get('/users/nobody-at-all');
    expect(response.status).toBe(404);
    expect(cheerio.load(response.text)('body').attr('data-page')).toBe('error');
  });

  it.each(['%', '%ff%fe', 'al%00ice', 'a'.repeat(300)])(
    'answers the malformed name %p with 400 or 404, never 500',
    async (name) => {
      const response = await request(app).get(`/users/${name}`);
      expect([400, 404]).toContain(response.status);
      expect(cheerio.load(response.text)('body').attr('data-page')).toBe('error');
    },
  );

  it('shows a private profile to its owner only', async () => {
    const owner = await createUser(db.knex, { visibility: 'private' });
    const stranger = await createUser(db.knex);
    expect((await request(app).get(`/users/${owner.username}`)).status).toBe(404);
    expect((await (await signedInAgent(app, stranger)).get(`/users/${owner.username}`)).status).toBe(404);
    const own = await (await signedInAgent(app, owner)).get(`/users/${owner.username}`);
    expect(own.status).toBe(200);
    const $ = cheerio.load(own.text);
    expect($('.notice').text()).toContain('private');
    expect($('nav li.active a').text()).toBe('Profile');
  });
});
