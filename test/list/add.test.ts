import crypto from 'node:crypto';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { loadPage } from '../support/pages';
import { createUser, signedInAgent, type Agent } from '../support/session';

const GODFATHER_PAGE = '/catalog?q=godfather&type=movie';

describe('adding a title to the list from the catalog', () => {
  let db: TestDatabase;
  let app: Express;
  /** The Godfather (1972), which the search for "godfather" among movies finds. */
  let godfather: string;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
    const row = await db
      .knex('media.media')
      .where({ title: 'The Godfather', media_type: 'movie' })
      .orderBy('release_date')
      .first<{ id: string } | undefined>('id');
    godfather = row!.id;
  });

  afterAll(async () => {
    await db.drop();
  });

  const entriesOf = (userId: string) =>
    db
      .knex('interaction.user_media')
      .where({ user_id: userId })
      .select<{ media_id: string; status: string }[]>('media_id', 'status');
  const allEntryCount = async () => Number((await db.knex('interaction.user_media').count({ n: '*' }))[0]!.n);
  const trackingCount = async (mediaId: string) =>
    (await db
      .knex('media.media')
      .where({ id: mediaId })
      .first<{ tracking_count: number } | undefined>('tracking_count'))!.tracking_count;
  const titleOf = async (mediaId: string) =>
    (await db.knex('media.media').where({ id: mediaId }).first<{ title: string } | undefined>('title'))!.title;

  /** The ids of the first titles of the catalog (its first page), which a new user has in no list. */
  const firstTitleIds = async (count: number): Promise<string[]> =>
    db
      .knex('media.media')
      .orderBy([{ column: 'title' }, { column: 'id' }])
      .limit(count)
      .pluck('id');

  const load = loadPage;

  /** The Add form of a row as the page shows it, with its fields as a browser would send them. */
  const addFormOn = async (agent: Agent, path: string, mediaId: string) => {
    const $ = await load(agent, path);
    const form = $(`tr[data-media-id="${mediaId}"] form#entry-${mediaId}`);
    expect(form.length).toBe(1);
    const fields: Record<string, string> = {};
    form.find('input[name], select[name]').each((_, element) => {
      const field = $(element);
      const value = element.tagName === 'select' ? field.find('option[selected]').attr('value') : field.val();
      fields[field.attr('name')!] = String(value ?? '');
    });
    return { $, form, fields };
  };

  /** Posts the row's own Add form, with some fields changed; htmx also sends the token in a header. */
  const submitAdd = async (
    agent: Agent,
    mediaId: string,
    changes: Record<string, string | undefined> = {},
    { htmx = false, page = '/catalog' } = {},
  ) => {
    const { fields } = await addFormOn(agent, page, mediaId);
    const sent: Record<string, string> = { ...fields };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete sent[name];
      else sent[name] = value;
    }
    const post = agent.post('/list').type('form');
    if (htmx) post.set('HX-Request', 'true').set('X-CSRF-Token', fields._csrf!);
    return post.send(sent);
  };

  /** An htmx answer holding a table row (and its out-of-band message), parsed where a row can live. */
  const parseRowFragment = (html: string) => cheerio.load(`<table><tbody>${html}</tbody></table>`);
  const announcerIn = (html: string) => {
    const $ = cheerio.load(html);
    const template = $('template');
    return template.length ? cheerio.load(template.html() ?? '')('#announcer') : $('#announcer');
  };

  describe('for a visitor who is not signed in', () => {
    it('shows a link to sign in and come back, instead of an Add form', async () => {
      const $ = await load(request(app), GODFATHER_PAGE);
      const row = $(`tr[data-media-id="${godfather}"]`);
      expect(row).toHaveLength(1);
      const link = row.find('.row-actions a');
      expect(link.text()).toContain('Sign in to add');
      expect(link.attr('href')).toBe(`/login?next=${encodeURIComponent(GODFATHER_PAGE)}`);
      expect(row.find('form')).toHaveLength(0);
      expect($('form[action="/list"]')).toHaveLength(0);
    });

    it('refuses a post to /list without a session or token, and writes nothing', async () => {
      const entriesBefore = await allEntryCount();
      const trackedBefore = await trackingCount(godfather);
      const response = await request(app)
        .post('/list')
        .type('form')
        .send({ media_id: godfather, status: 'planning', next: '/catalog' });
      expect(response.status).toBe(403);
      expect(await allEntryCount()).toBe(entriesBefore);
      expect(await trackingCount(godfather)).toBe(trackedBefore);
    });
  });

  describe('for a signed-in user', () => {
    it('shows each row with an Add form: token, title, return address, and a labelled status choice', async () => {
      const agent = await signedInAgent(app, await createUser(db.knex));
      const { $, form, fields } = await addFormOn(agent, GODFATHER_PAGE, godfather);
      expect(form.attr('method')).toBe('post');
      expect(form.attr('action')).toBe('/list');
      expect(form.find('input[type="hidden"][name="_csrf"]').val()).toBe(fields._csrf);
      // A real token (the session's), not an empty or placeholder value.
      expect(fields._csrf).toMatch(/^[\w-]{20,}$/);
      expect(form.find('input[type="hidden"][name="media_id"]').val()).toBe(godfather);
      expect(form.find('input[type="hidden"][name="next"]').val()).toBe(GODFATHER_PAGE);
      const select = form.find('select[name="status"]');
      expect(select).toHaveLength(1);
      const label = $(`label[for="${select.attr('id')}"]`);
      expect(label.text()).toContain('The Godfather');
      expect(
        select
          .find('option')
          .map((_, option) => $(option).attr('value'))
          .get(),
      ).toEqual(['planning', 'in_progress', 'completed', 'paused', 'dropped']);
      expect(select.find('option[selected]').attr('value')).toBe('planning');
      expect(form.find('button[type="submit"]').text()).toMatch(/^Add\b/);
    });

    it('when a signed-in user adds a title, they go back to the same catalog page, which says so and shows the status', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const trackedBefore = await trackingCount(godfather);

      const response = await submitAdd(agent, godfather, {}, { page: GODFATHER_PAGE });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(GODFATHER_PAGE);

      const $ = await load(agent, response.headers.location!);
      expect($('.flash[role="status"]').text().trim()).toBe('Added “The Godfather” to your list as Planning.');
      const row = $(`tr[data-media-id="${godfather}"]`);
      expect(row.find('.entry-status').text()).toContain('In your list: Planning');
      // On the full page the flash takes focus, not the row.
      expect(row.find('.entry-status').attr('autofocus')).toBeUndefined();
      expect(row.find('form')).toHaveLength(0);
      expect(await entriesOf(user.id)).toEqual([{ media_id: godfather, status: 'planning' }]);
      expect(await trackingCount(godfather)).toBe(trackedBefore + 1);

      // The message is shown once.
      const again = await load(agent, GODFATHER_PAGE);
      expect(again('.flash')).toHaveLength(0);
    });

    it('treats a missing or empty status as Planning', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const [first, second] = await firstTitleIds(2);
      expect((await submitAdd(agent, first!, { status: undefined })).status).toBe(303);
      expect((await submitAdd(agent, second!, { status: '' })).status).toBe(303);
      const entries = await entriesOf(user.id);
      expect(entries).toHaveLength(2);
      expect(entries.map((entry) => entry.status)).toEqual(['planning', 'planning']);
    });

    it('stores the status the user picked', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const response = await submitAdd(agent, godfather, { status: 'completed' }, { page: GODFATHER_PAGE });
      expect(response.status).toBe(303);
      expect(await entriesOf(user.id)).toEqual([{ media_id: godfather, status: 'completed' }]);
      const $ = await load(agent, response.headers.location!);
      expect($('.flash[role="status"]').text().trim()).toBe('Added “The Godfather” to your list as Completed.');
      expect($(`tr[data-media-id="${godfather}"] .entry-status`).text()).toContain('In your list: Completed');
    });

    it('when a signed-in user adds a title twice, the list holds it once, with the first status', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const { fields } = await addFormOn(agent, GODFATHER_PAGE, godfather);
      const trackedBefore = await trackingCount(godfather);

      expect((await agent.post('/list').type('form').send(fields)).status).toBe(303);
      expect(await trackingCount(godfather)).toBe(trackedBefore + 1);
      await agent.get(GODFATHER_PAGE); // shows, and so clears, the first message

      // The same form again (a second tab, or a double submit), now asking for another status.
      const second = await agent
        .post('/list')
        .type('form')
        .send({ ...fields, status: 'dropped' });
      expect(second.status).toBe(303);
      expect(second.headers.location).toBe(GODFATHER_PAGE);
      const $ = await load(agent, second.headers.location!);
      expect($('.flash[role="status"]').text().trim()).toBe('“The Godfather” was already in your list, as Planning.');
      expect(await entriesOf(user.id)).toEqual([{ media_id: godfather, status: 'planning' }]);
      expect(await trackingCount(godfather)).toBe(trackedBefore + 1);
    });

    it('with htmx, answers with the row alone, now showing the status and taking focus, and the message for the live region', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const trackedBefore = await trackingCount(godfather);

      const response = await submitAdd(agent, godfather, {}, { htmx: true, page: GODFATHER_PAGE });
      expect(response.status).toBe(200);
      expect(response.headers.vary).toContain('HX-Request');
      const $ = parseRowFragment(response.text);
      expect($('tr')).toHaveLength(1);
      expect($('main, nav, h1, form')).toHaveLength(0);
      const row = $('tr');
      expect(row.attr('data-media-id')).toBe(godfather);
      expect(row.find('th').first().text()).toContain('The Godfather');
      const status = row.find('.entry-status');
      expect(status.text()).toContain('In your list: Planning');
      expect(status.attr('autofocus')).toBeDefined();
      expect(status.attr('tabindex')).toBe('-1');

      const announcer = announcerIn(response.text);
      expect(announcer).toHaveLength(1);
      expect(announcer.attr('hx-swap-oob')).toBe('innerHTML');
      expect(announcer.text().trim()).toBe('Added “The Godfather” to your list as Planning.');

      expect(await entriesOf(user.id)).toEqual([{ media_id: godfather, status: 'planning' }]);
      expect(await trackingCount(godfather)).toBe(trackedBefore + 1);
      // No message is left waiting for the next page: htmx already said it.
      expect((await load(agent, GODFATHER_PAGE))('.flash')).toHaveLength(0);
    });

    it('with htmx, draws the row with the columns of the page it came from', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const media = await db
        .knex('media.media')
        .whereNotNull('country_of_origin')
        .orderBy([{ column: 'title' }, { column: 'id' }])
        .first<{ id: string; country_of_origin: string } | undefined>('id', 'country_of_origin');

      const countryOnly = await submitAdd(agent, media!.id, { next: '/catalog?col=country' }, { htmx: true });
      expect(countryOnly.status).toBe(200);
      const narrow = parseRowFragment(countryOnly.text)('tr');
      expect(narrow.children()).toHaveLength(3);
      expect(narrow.children('th')).toHaveLength(1);
      const cells = narrow.children('td');
      expect(cells).toHaveLength(2);
      expect(cells.eq(0).text().trim()).toBe(media!.country_of_origin);
      expect(cells.eq(1).hasClass('row-actions')).toBe(true);

      // Without a column choice in the address, the default columns (type, released, creators).
      const other = (await firstTitleIds(2)).find((id) => id !== media!.id);
      const defaults = await submitAdd(agent, other!, { next: '/catalog' }, { htmx: true });
      const wide = parseRowFragment(defaults.text)('tr');
      expect(wide.children('td')).toHaveLength(4);
      expect(wide.children('td').last().hasClass('row-actions')).toBe(true);
    });

    it('refuses a post without the CSRF token with 403, and writes nothing', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const trackedBefore = await trackingCount(godfather);
      const response = await submitAdd(agent, godfather, { _csrf: undefined }, { page: GODFATHER_PAGE });
      expect(response.status).toBe(403);
      expect(await entriesOf(user.id)).toEqual([]);
      expect(await trackingCount(godfather)).toBe(trackedBefore);
    });

    it('answers 404 for a title that does not exist, and writes nothing', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const entriesBefore = await allEntryCount();
      const response = await submitAdd(agent, godfather, { media_id: crypto.randomUUID() }, { page: GODFATHER_PAGE });
      expect(response.status).toBe(404);
      expect(await entriesOf(user.id)).toEqual([]);
      expect(await allEntryCount()).toBe(entriesBefore);
    });

    it('says that its answers vary with HX-Request, the 404 for an unknown title included', async () => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const response = await submitAdd(agent, godfather, { media_id: crypto.randomUUID() }, { page: GODFATHER_PAGE });
      expect(response.status).toBe(404);
      expect(response.headers.vary).toMatch(/HX-Request/i);
    });

    it.each([
      ['a malformed title id', { media_id: 'not-a-uuid' }, 'Choose a title from the catalog.'],
      ['an unknown status', { status: 'watching' }, 'Choose a status from the list.'],
    ])('refuses %s with 422 and says why, writing nothing', async (_case, changes, message) => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const trackedBefore = await trackingCount(godfather);

      const page = await submitAdd(agent, godfather, changes, { page: GODFATHER_PAGE });
      expect(page.status).toBe(422);
      expect(cheerio.load(page.text)('main').text()).toContain(message);

      const fragment = await submitAdd(agent, godfather, changes, { htmx: true, page: GODFATHER_PAGE });
      expect(fragment.status).toBe(422);
      expect(fragment.headers['hx-reswap']).toBe('none');
      const announcer = announcerIn(fragment.text);
      expect(announcer).toHaveLength(1);
      expect(announcer.attr('hx-swap-oob')).toBe('innerHTML');
      expect(announcer.text().trim()).toBe(message);

      expect(await entriesOf(user.id)).toEqual([]);
      expect(await trackingCount(godfather)).toBe(trackedBefore);
    });

    it.each([
      ['another site', 'https://evil.example/'],
      ['a protocol-relative address', '//evil.example/catalog'],
      ['the sign-in page', '/login'],
    ])('goes back to the catalog when the return address is %s', async (_case, next) => {
      const user = await createUser(db.knex);
      const agent = await signedInAgent(app, user);
      const [mediaId] = await firstTitleIds(1);
      const response = await submitAdd(agent, mediaId!, { next });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/catalog');
      expect(await entriesOf(user.id)).toEqual([{ media_id: mediaId, status: 'planning' }]);
    });

    it('changes only the signed-in user’s own list', async () => {
      const alice = await createUser(db.knex);
      const bob = await createUser(db.knex);
      const aliceAgent = await signedInAgent(app, alice);
      const bobAgent = await signedInAgent(app, bob);
      const [mediaId] = await firstTitleIds(1);
      const title = await titleOf(mediaId!);

      expect((await submitAdd(aliceAgent, mediaId!)).status).toBe(303);

      const alicePage = await load(aliceAgent, '/catalog');
      expect(alicePage(`tr[data-media-id="${mediaId}"] .entry-status`).text()).toContain('In your list: Planning');
      const bobPage = await load(bobAgent, '/catalog');
      const bobRow = bobPage(`tr[data-media-id="${mediaId}"]`);
      expect(bobRow.find('.entry-status')).toHaveLength(0);
      expect(bobRow.find(`form#entry-${mediaId}`)).toHaveLength(1);
      expect(bobPage('.flash')).toHaveLength(0);
      expect(await entriesOf(bob.id)).toEqual([]);
      expect(await entriesOf(alice.id)).toEqual([{ media_id: mediaId, status: 'planning' }]);

      // Bob can still add it himself, and is told it is new to his list.
      const bobAdds = await submitAdd(bobAgent, mediaId!, { status: 'paused' });
      expect(bobAdds.status).toBe(303);
      const $ = await load(bobAgent, bobAdds.headers.location!);
      expect($('.flash[role="status"]').text().trim()).toBe(`Added “${title}” to your list as Paused.`);
      expect(await entriesOf(alice.id)).toEqual([{ media_id: mediaId, status: 'planning' }]);
    });
  });
});
