import * as cheerio from 'cheerio';
import request from 'supertest';
import { formFields, loadPage } from '../support/pages';
import { useSeededApp } from '../support/seeded';
import { createUser, signedInAgent, type Agent } from '../support/session';

/** The home page's tiles, hooked into tracking: each tile's forms, with and without htmx. */
describe('home tiles', () => {
  const seeded = useSeededApp();

  const load = (agent: Agent) => loadPage(agent, '/');

  const tileIds = ($: cheerio.CheerioAPI, kind: string) =>
    $(`[aria-labelledby="tiles-${kind}-heading"] .media-tile`)
      .toArray()
      .map((tile) => $(tile).attr('data-media-id'));

  const fieldsOf = formFields;

  /** Films of the seeded catalog with a runtime, by title: each call gets the next ones. */
  let taken = 0;
  async function films(count: number): Promise<{ id: string; title: string }[]> {
    taken += count;
    return seeded.db
      .knex('media.media')
      .where({ media_type: 'movie' })
      .whereRaw("attributes ->> 'runtime_minutes' ~ '^[0-9]+$'")
      .orderBy(['title', 'id'])
      .offset(taken - count)
      .limit(count)
      .select('id', 'title');
  }

  it('shows visitors the intro with calls to register and sign in, and tiles with Sign in to add', async () => {
    const $ = await load(request(seeded.app));
    expect($('.intro a[href="/register"]')).toHaveLength(1);
    expect($('.intro a[href="/login"]')).toHaveLength(1);
    expect($('[aria-labelledby="tiles-continue-heading"]')).toHaveLength(0);
    expect($('[aria-labelledby="tiles-up-next-heading"]')).toHaveLength(0);
    for (const kind of ['popular', 'recent', 'newest']) {
      expect(tileIds($, kind).length).toBeGreaterThan(0);
    }
    expect($('.media-tile a[href="/login?next=%2F"]').first().text()).toMatch(/^Sign in to add /);
    expect($('.media-tile form')).toHaveLength(0);
  });

  it('shows the most tracked titles as Popular, most tracked first', async () => {
    const [top] = await films(1);
    const media = () => seeded.db.knex('media.media').where({ id: top!.id });
    const { tracking_count: before } = await media().first<{ tracking_count: number }>('tracking_count');
    await media().update({ tracking_count: 1_000_000 });
    try {
      expect(tileIds(await load(request(seeded.app)), 'popular')[0]).toBe(top!.id);
    } finally {
      await media().update({ tracking_count: before });
    }
  });

  it('gives a signed-in user their totals, Continue and Up next, most recently touched first', async () => {
    const user = await createUser(seeded.db.knex);
    const agent = await signedInAgent(seeded.app, user);
    const empty = await load(agent);
    expect(empty('.welcome [data-total="list-size"] .count').text()).toBe('0');
    expect(empty('[aria-labelledby="tiles-continue-heading"] p').text()).toContain('Nothing in progress');

    const [a, b, c, d, e] = await films(5);
    const thisYear = new Date().getUTCFullYear();
    await seeded.db.knex('interaction.user_media').insert([
      { user_id: user.id, media_id: a!.id, status: 'in_progress', updated_at: '2026-01-01T00:00:00Z' },
      { user_id: user.id, media_id: b!.id, status: 'in_progress', progress: 10, updated_at: '2026-02-01T00:00:00Z' },
      { user_id: user.id, media_id: c!.id, status: 'planning' },
      { user_id: user.id, media_id: d!.id, status: 'completed', completed_at: `${thisYear}-01-02T00:00:00Z` },
      { user_id: user.id, media_id: e!.id, status: 'completed', completed_at: `${thisYear - 1}-12-31T23:00:00Z` },
    ]);
    // The trigger sets updated_at to now() on update, not on insert: the inserted values stand.
    const $ = await load(agent);
    expect($('.welcome [data-total="in-progress"] .count').text()).toBe('2');
    expect($('.welcome [data-total="completed-this-year"] .count').text()).toBe('1');
    expect($('.welcome [data-total="list-size"] .count').text()).toBe('5');
    expect(tileIds($, 'continue')).toEqual([b!.id, a!.id]);
    expect(tileIds($, 'up-next')).toEqual([c!.id]);
    expect($(`#tile-continue-${b!.id} .tile-progress`).text()).toMatch(/^Progress: 10 \/ \d+ min$/);
    expect($(`#tile-continue-${b!.id} button[name="progress_step"]`).text()).toContain('+1');
    expect($(`#tile-up-next-${c!.id} button[name="progress_step"]`)).toHaveLength(0);
  });

  it('adds, bumps and sets the status without JavaScript, back to / with a message', async () => {
    const user = await createUser(seeded.db.knex);
    const agent = await signedInAgent(seeded.app, user);
    const entry = (id: string) =>
      seeded.db
        .knex('interaction.user_media')
        .where({ user_id: user.id, media_id: id })
        .first<{ status: string; progress: number | null } | undefined>();
    let $ = await load(agent);
    const id = tileIds($, 'popular')[0]!;
    const addForm = $(`#tile-popular-${id} form.add-form`);
    expect(addForm.attr('action')).toBe('/list');
    const added = await agent
      .post('/list')
      .type('form')
      .send({ ...fieldsOf($, addForm), status: 'in_progress' });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe('/');
    expect((await entry(id))?.status).toBe('in_progress');

    $ = await load(agent);
    expect($('.flash').text()).toContain('to your list as In progress');
    expect(tileIds($, 'continue')).toEqual([id]);
    const tile = $(`#tile-continue-${id} form.tile-form`);
    const bumped = await agent
      .post(tile.attr('action')!)
      .type('form')
      .send({ ...fieldsOf($, tile), progress_step: '1' });
    expect(bumped.status).toBe(303);
    expect(bumped.headers.location).toBe('/');
    expect((await entry(id))?.progress).toBe(1);

    $ = await load(agent);
    const again = $(`#tile-continue-${id} form.tile-form`);
    const completed = await agent
      .post(again.attr('action')!)
      .type('form')
      .send({ ...fieldsOf($, again), status: 'completed' });
    expect(completed.status).toBe(303);
    expect((await entry(id))?.status).toBe('completed');
    $ = await load(agent);
    expect($('.welcome [data-total="completed-this-year"] .count').text()).toBe('1');
    expect($('.welcome [data-total="in-progress"] .count').text()).toBe('0');
    expect(tileIds($, 'continue')).toEqual([]);
  });

  describe('with htmx', () => {
    const htmx = (agent: Agent, action: string, target: string, fields: Record<string, string>) =>
      agent.post(action).set('HX-Request', 'true').set('HX-Target', target).type('form').send(fields);

    it('answers each action with the tile it came from, on the right entry', async () => {
      const user = await createUser(seeded.db.knex);
      const other = await createUser(seeded.db.knex);
      const agent = await signedInAgent(seeded.app, user);
      const entry = (id: string) =>
        seeded.db
          .knex('interaction.user_media')
          .where({ user_id: user.id, media_id: id })
          .first<{ status: string; progress: number | null } | undefined>();
      const $ = await load(agent);
      const id = tileIds($, 'recent')[0]!;
      await seeded.db.knex('interaction.user_media').insert({ user_id: other.id, media_id: id, status: 'dropped' });

      const added = await htmx(agent, '/list', `tile-recent-${id}`, fieldsOf($, $(`#tile-recent-${id} form`)));
      expect(added.status).toBe(200);
      let tile = cheerio.load(added.text);
      expect(tile(`li#tile-recent-${id}`)).toHaveLength(1);
      expect(tile(`#tile-status-recent-${id} option[selected]`).attr('value')).toBe('planning');
      expect(tile(`#tile-status-recent-${id}`).attr('autofocus')).toBeDefined();
      expect(tile('#announcer').text()).toContain('to your list as Planning');
      expect((await entry(id))?.status).toBe('planning');

      const started = await htmx(agent, `/list/${id}`, `tile-recent-${id}`, {
        ...fieldsOf(tile, tile('form.tile-form')),
        status: 'in_progress',
      });
      expect(started.status).toBe(200);
      tile = cheerio.load(started.text);
      expect(tile('#announcer').text()).toContain('status In progress');
      expect(tile(`#tile-step-recent-${id}`)).toHaveLength(1);

      const bumped = await htmx(agent, `/list/${id}`, `tile-recent-${id}`, {
        ...fieldsOf(tile, tile('form.tile-form')),
        progress_step: '1',
      });
      expect(bumped.status).toBe(200);
      tile = cheerio.load(bumped.text);
      expect(tile('.tile-progress').text()).toMatch(/^Progress: 1 /);
      expect(await entry(id)).toMatchObject({ status: 'in_progress', progress: 1 });
      // The other user's entry for the same title is untouched.
      expect(
        await seeded.db.knex('interaction.user_media').where({ user_id: other.id, media_id: id }).first(),
      ).toMatchObject({
        status: 'dropped',
        progress: null,
      });
    });

    it('refuses a bad status with 422, leaving the tile and the entry as they were', async () => {
      const user = await createUser(seeded.db.knex);
      const agent = await signedInAgent(seeded.app, user);
      const [film] = await films(1);
      await seeded.db
        .knex('interaction.user_media')
        .insert({ user_id: user.id, media_id: film!.id, status: 'planning' });
      const $ = await load(agent);
      const form = $(`#tile-up-next-${film!.id} form`);
      const refused = await htmx(agent, `/list/${film!.id}`, `tile-up-next-${film!.id}`, {
        ...fieldsOf($, form),
        status: 'finished-ish',
      });
      expect(refused.status).toBe(422);
      // The tile again, showing what is stored, and why nothing was saved.
      const answer = cheerio.load(refused.text);
      expect(answer(`#tile-status-up-next-${film!.id} option[selected]`).attr('value')).toBe('planning');
      expect(answer('#announcer').text()).toMatch(/^Not saved: /);
      expect(
        await seeded.db.knex('interaction.user_media').where({ user_id: user.id, media_id: film!.id }).first(),
      ).toMatchObject({ status: 'planning' });
    });
  });
});
