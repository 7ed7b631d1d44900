import * as cheerio from 'cheerio';
import request from 'supertest';
import { useSeededApp } from '../support/seeded';
import { formFields, loadPage } from '../support/pages';
import { createUser, signedInAgent } from '../support/session';

/** The list page (/list) and its edits: the table, edit in place, the edit page, remove and undo. */
describe('my list', () => {
  const seeded = useSeededApp();

  /** Titles of a type, first by title: distinct for each test that asks for a different offset. */
  const titlesOf = async (type: string, count: number, offset = 0) =>
    seeded.db
      .knex('media.media')
      .where({ media_type: type })
      .orderBy([{ column: 'title' }, { column: 'id' }])
      .offset(offset)
      .limit(count)
      .select<{ id: string; title: string }[]>('id', 'title');

  const put = (userId: string, mediaId: string, fields: Record<string, unknown> = {}) =>
    seeded.db
      .knex('interaction.user_media')
      .insert({ user_id: userId, media_id: mediaId, status: 'planning', ...fields });

  const entry = (userId: string, mediaId: string) =>
    seeded.db
      .knex('interaction.user_media')
      .where({ user_id: userId, media_id: mediaId })
      .first<Record<string, unknown> | undefined>();

  const load = loadPage;

  const titles = ($: cheerio.CheerioAPI) =>
    $('#rows tr th[scope="row"]')
      .map((_, el) => $(el).contents().first().text().trim())
      .get();

  /** A row's form as the page draws it, with every control joined to it, as a browser sends it. */
  const rowForm = ($: cheerio.CheerioAPI, mediaId: string) => formFields($, $(`#entry-${mediaId}`));

  async function member() {
    const user = await createUser(seeded.db.knex);
    return { user, agent: await signedInAgent(seeded.app, user) };
  }

  it('sends a visitor who is not signed in to sign in, and back', async () => {
    const response = await request(seeded.app).get('/list?status=completed');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/login?next=${encodeURIComponent('/list?status=completed')}`);
  });

  it('shows only the signed-in user’s entries, with status counts in the filter', async () => {
    const [{ user, agent }, other] = [await member(), await createUser(seeded.db.knex)];
    const movies = await titlesOf('movie', 3);
    await put(user.id, movies[0]!.id, { status: 'completed', rating: 80 });
    await put(user.id, movies[1]!.id, { status: 'in_progress', progress: 30 });
    await put(other.id, movies[2]!.id);
    const $ = await load(agent, '/list');
    expect($('body').attr('data-page')).toBe('list');
    expect($('nav li.active a').text()).toBe('My list');
    expect(new Set(titles($))).toEqual(new Set([movies[0]!.title, movies[1]!.title]));
    expect($('.result-count').text()).toBe('1–2 of 2');
    const statusLabels = $('input[name="status"]')
      .map((_, el) => $(`label[for="${$(el).attr('id')}"]`).text())
      .get();
    expect(statusLabels).toEqual(['Planning (0)', 'In progress (1)', 'Completed (1)', 'Paused (0)', 'Dropped (0)']);
    // The rating on the user's scale (10 points by default), progress with its unit.
    expect($(`#rating-${movies[0]!.id}`).val()).toBe('8');
    expect($(`tr[data-media-id="${movies[1]!.id}"] .progress-unit`).text()).toContain('min');
  });

  it('filters by status, type, rating and search, sorts by rating, with a badge per filter', async () => {
    const { user, agent } = await member();
    const [movie, other] = await titlesOf('movie', 2, 10);
    const [book] = await titlesOf('book', 1, 10);
    await put(user.id, movie!.id, { status: 'completed', rating: 90 });
    await put(user.id, other!.id, { status: 'completed', rating: 40 });
    await put(user.id, book!.id, { status: 'paused', rating: 60 });

    const completed = await load(agent, '/list?status=completed&sort=rating');
    expect(titles(completed)).toEqual([movie!.title, other!.title]);
    expect(completed('th[aria-sort="descending"] a').text()).toContain('Rating');
    expect(completed('.badge').text()).toContain('Status: Completed');
    expect(completed('.badge a').attr('href')).toBe('/list?sort=rating');

    expect(titles(await load(agent, '/list?type=book'))).toEqual([book!.title]);
    expect(titles(await load(agent, '/list?rating_from=5&rating_to=7'))).toEqual([book!.title]);
    const word = movie!.title.split(/\s+/).find((part) => part.length > 3) ?? movie!.title;
    expect(titles(await load(agent, `/list?q=${encodeURIComponent(word)}`))).toContain(movie!.title);
    const ascending = await load(agent, '/list?sort=rating&dir=asc');
    expect(titles(ascending)).toEqual([other!.title, book!.title, movie!.title]);
  });

  it('corrects bad parameters with a note instead of failing', async () => {
    const { agent } = await member();
    const $ = await load(agent, '/list?status=finished&rating_from=11&sort=colour&dir=up&page=zero');
    const notes = $('.notice')
      .map((_, el) => $(el).text())
      .get()
      .join(' ');
    expect(notes).toContain('An unknown status was left out');
    expect(notes).toContain('is not a rating from 1 to 10');
    expect(notes).toContain('Sorting by "colour" is not possible');
    expect(notes).toContain('There is no page "zero"');
  });

  it('shows the entries the other filters let through when a type or class in the URL does not exist', async () => {
    const { user, agent } = await member();
    const [movie] = await titlesOf('movie', 1, 5);
    const [book] = await titlesOf('book', 1, 5);
    await put(user.id, movie!.id, { status: 'completed' });
    await put(user.id, book!.id);
    for (const [url, shown] of [
      ['/list?type=vinyl', [movie!.title, book!.title]],
      ['/list?class=written.zzz&class=a%20b', [movie!.title, book!.title]],
      ['/list?type=movie&type=vinyl', [movie!.title]],
      ['/list?class=written&class=video.zzz', [book!.title]],
      ['/list?type=%00', [movie!.title, book!.title]],
      ['/list?type=movie%00&type=movie', [movie!.title]],
    ] as const) {
      const $ = await load(agent, url);
      expect($('.notice').text()).toMatch(/An unknown (media type|kind of media) was left out/);
      expect(new Set(titles($))).toEqual(new Set(shown));
      expect($('#result-count').text()).toContain(`of ${shown.length}`);
    }
  });

  it('answers htmx with the results fragment, varying on HX-Request', async () => {
    const { user, agent } = await member();
    const [movie] = await titlesOf('movie', 1, 20);
    await put(user.id, movie!.id);
    const response = await agent.get('/list?status=planning').set('HX-Request', 'true');
    expect(response.status).toBe(200);
    expect(response.headers.vary).toContain('HX-Request');
    expect(response.headers['hx-push-url']).toBe('/list?status=planning');
    const $ = cheerio.load(response.text);
    expect($('header')).toHaveLength(0);
    expect($('#rows tr')).toHaveLength(1);
    expect($('#filter-status[hx-swap-oob="true"] .badge')).toHaveLength(1);
  });

  describe('editing a row', () => {
    it('saves a row’s form without JavaScript and comes back to the same list URL with a message', async () => {
      const { user, agent } = await member();
      const [movie] = await titlesOf('movie', 1, 30);
      await put(user.id, movie!.id);
      const page = '/list?status=planning&status=in_progress';
      const $ = await load(agent, page);
      const fields = rowForm($, movie!.id);
      expect(fields.next).toBe(page);
      const response = await agent
        .post(`/list/${movie!.id}`)
        .type('form')
        .send({ ...fields, status: 'in_progress', rating: '9' });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(page);
      expect(await entry(user.id, movie!.id)).toMatchObject({ status: 'in_progress', rating: 90 });
      expect((await entry(user.id, movie!.id))!.started_at).toBeInstanceOf(Date);
      const after = await load(agent, page);
      const today = new Date().toISOString().slice(0, 10);
      expect(after('.flash').text()).toContain(
        `Saved “${movie!.title}”: status In progress, rating 9, started ${today}.`,
      );
    });

    it('with htmx answers with the row alone, the same control ids, and a message for the live region', async () => {
      const { user, agent } = await member();
      const [anime] = await titlesOf('anime', 1, 5);
      await put(user.id, anime!.id, { status: 'in_progress', progress: 2 });
      const $ = await load(agent, '/list');
      const response = await agent
        .post(`/list/${anime!.id}`)
        .set('HX-Request', 'true')
        .type('form')
        .send({ ...rowForm($, anime!.id), progress_step: '1' });
      expect(response.status).toBe(200);
      const row = cheerio.load(`<table>${response.text}</table>`);
      expect(row(`tr[data-media-id="${anime!.id}"]`)).toHaveLength(1);
      expect(row(`#progress-${anime!.id}`).val()).toBe('3');
      expect(row('template').html()).toContain('Saved');
      expect((await entry(user.id, anime!.id))!.progress).toBe(3);
    });

    it('refuses bad values with 422, the values typed and the error by the control, and writes nothing', async () => {
      const { user, agent } = await member();
      const [movie] = await titlesOf('movie', 1, 40);
      await put(user.id, movie!.id, { rating: 50 });
      const $ = await load(agent, '/list');
      const fields = rowForm($, movie!.id);

      const plain = await agent
        .post(`/list/${movie!.id}`)
        .type('form')
        .send({ ...fields, rating: '11', status: 'completed' });
      expect(plain.status).toBe(422);
      const page = cheerio.load(plain.text);
      expect(page('h1').text()).toContain(movie!.title);
      expect(page('#rating').val()).toBe('11');
      expect(page('#rating').attr('aria-invalid')).toBe('true');
      expect(page('#rating-error').text()).toContain('Rate from 1 to 10');
      expect(page('#status option[selected]').val()).toBe('completed');

      const fragment = await agent
        .post(`/list/${movie!.id}`)
        .set('HX-Request', 'true')
        .type('form')
        .send({ ...fields, rating: 'x' });
      expect(fragment.status).toBe(422);
      const row = cheerio.load(`<table>${fragment.text}</table>`);
      expect(row(`#rating-error-${movie!.id}`).text()).toContain('Rate from 1 to 10');
      expect(await entry(user.id, movie!.id)).toMatchObject({ status: 'planning', rating: 50 });
    });

    it('never loses a field another tab changed: only the fields this form changed are written', async () => {
      const { user, agent } = await member();
      const [movie] = await titlesOf('movie', 1, 50);
      await put(user.id, movie!.id);
      const $ = await load(agent, '/list');
      const first = rowForm($, movie!.id);
      const second = rowForm($, movie!.id);
      await agent
        .post(`/list/${movie!.id}`)
        .type('form')
        .send({ ...first, rating: '7' });
      await agent
        .post(`/list/${movie!.id}`)
        .type('form')
        .send({ ...second, status: 'paused' });
      expect(await entry(user.id, movie!.id)).toMatchObject({ status: 'paused', rating: 70 });
    });

    it('edits every field on the edit page, with the date rules', async () => {
      const { user, agent } = await member();
      const [book] = await titlesOf('book', 1, 60);
      await put(user.id, book!.id);
      const $ = await load(agent, `/list/${book!.id}/edit?next=/list%3Fsort%3Dtitle`);
      expect($('label[for="notes"]').text()).toBe('Notes');
      const fields = formFields($, $('form.entry-edit-form'));
      const refused = await agent
        .post(`/list/${book!.id}`)
        .type('form')
        .send({ ...fields, started: '2026-03-01', completed: '2026-02-01' });
      expect(refused.status).toBe(422);
      expect(cheerio.load(refused.text)('.error-summary').text()).toContain('cannot be before the started date');

      const notes = 'Line one, "quoted"\nline two — ünïcödé';
      const saved = await agent
        .post(`/list/${book!.id}`)
        .type('form')
        .send({ ...fields, status: 'completed', started: '2026-01-05', completed: '2026-02-01', notes });
      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe('/list?sort=title');
      const stored = await entry(user.id, book!.id);
      expect(stored).toMatchObject({ status: 'completed', notes });
      expect((stored!.started_at as Date).toISOString()).toBe('2026-01-05T00:00:00.000Z');
      expect((stored!.completed_at as Date).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    });

    it('gives 404 for a title not in the user’s list, another user’s entry, or an id that is not one', async () => {
      const [{ agent }, other] = [await member(), await createUser(seeded.db.knex)];
      const [movie] = await titlesOf('movie', 1, 70);
      await put(other.id, movie!.id);
      const token = cheerio
        .load((await agent.get('/list')).text)('input[name="_csrf"]')
        .first()
        .val() as string;
      expect(
        (await agent.post(`/list/${movie!.id}`).type('form').send({ _csrf: token, status: 'dropped' })).status,
      ).toBe(404);
      expect((await agent.post(`/list/${movie!.id}/remove`).type('form').send({ _csrf: token })).status).toBe(404);
      expect((await agent.post('/list/not-an-id').type('form').send({ _csrf: token, status: 'dropped' })).status).toBe(
        404,
      );
      expect((await agent.get(`/list/${movie!.id}/edit`)).status).toBe(404);
      expect(await entry(other.id, movie!.id)).toMatchObject({ status: 'planning' });
    });

    it('refuses a post without its CSRF token', async () => {
      const { user, agent } = await member();
      const [movie] = await titlesOf('movie', 1, 80);
      await put(user.id, movie!.id);
      const response = await agent.post(`/list/${movie!.id}`).type('form').send({ status: 'dropped' });
      expect(response.status).toBe(403);
      expect(await entry(user.id, movie!.id)).toMatchObject({ status: 'planning' });
    });
  });

  it('shows and reads ratings on the scale the user chose in settings', async () => {
    const { user, agent } = await member();
    const [movie] = await titlesOf('movie', 1, 100);
    await put(user.id, movie!.id, { rating: 80 });
    const settings = cheerio.load((await agent.get('/settings')).text);
    const chosen = await agent
      .post('/settings/rating-scale')
      .type('form')
      .send({
        _csrf: settings('form[action="/settings/rating-scale"] input[name="_csrf"]').val(),
        rating_scale: 'five_star',
      });
    expect(chosen.status).toBe(303);
    expect(
      cheerio
        .load((await agent.get('/settings')).text)('.flash')
        .text(),
    ).toContain('5 stars');

    const $ = await load(agent, '/list');
    expect($(`#rating-${movie!.id}`).val()).toBe('4');
    expect($(`#rating-${movie!.id}`).attr('max')).toBe('5');
    const fields = rowForm($, movie!.id);
    expect(
      (
        await agent
          .post(`/list/${movie!.id}`)
          .type('form')
          .send({ ...fields, rating: '6' })
      ).status,
    ).toBe(422);
    await agent
      .post(`/list/${movie!.id}`)
      .type('form')
      .send({ ...fields, rating: '5' });
    expect(await entry(user.id, movie!.id)).toMatchObject({ rating: 100 });
    const refused = await agent
      .post('/settings/rating-scale')
      .type('form')
      .send({
        _csrf: settings('form[action="/settings/rating-scale"] input[name="_csrf"]').val(),
        rating_scale: 'stars',
      });
    expect(refused.status).toBe(422);
  });

  describe('remove and undo', () => {
    it('removes without JavaScript, offers Undo, and Undo restores every field as it was', async () => {
      const { user, agent } = await member();
      const [movie] = await titlesOf('movie', 1, 90);
      await put(user.id, movie!.id, {
        status: 'completed',
        rating: 73,
        progress: 100,
        notes: 'kept, "exactly"',
        started_at: '2025-01-02T00:00:00Z',
        completed_at: '2025-02-03T00:00:00Z',
        created_at: '2024-12-01T10:00:00Z',
      });
      const before = await entry(user.id, movie!.id);
      const $ = await load(agent, '/list?sort=title');
      const form = $(`tr[data-media-id="${movie!.id}"] form.remove-form`);
      expect(form.find('button').text()).toBe(`Remove ${movie!.title}`);
      const removed = await agent
        .post(form.attr('action')!)
        .type('form')
        .send({ _csrf: form.find('input[name="_csrf"]').val(), next: form.find('input[name="next"]').val() });
      expect(removed.status).toBe(303);
      expect(removed.headers.location).toBe('/list?sort=title');
      expect(await entry(user.id, movie!.id)).toBeUndefined();

      const after = await load(agent, '/list?sort=title');
      expect(after('.flash').text()).toContain(`Removed “${movie!.title}”`);
      const undo = after('.flash form.undo-form');
      const fields = Object.fromEntries(
        undo
          .find('input')
          .map((_, el) => [[after(el).attr('name')!, String(after(el).val())]])
          .get() as [string, string][],
      );
      const restored = await agent.post(undo.attr('action')!).type('form').send(fields);
      expect(restored.status).toBe(303);
      expect(await entry(user.id, movie!.id)).toEqual(before);
      // Undo works once: the snapshot is used up.
      expect((await agent.post('/list/restore').type('form').send(fields)).status).toBe(404);
    });

    it('with htmx puts a "Removed" row with Undo in place of the row, and Undo brings the row back', async () => {
      const { user, agent } = await member();
      const [game] = await titlesOf('game', 1, 5);
      await put(user.id, game!.id, { status: 'paused' });
      const $ = await load(agent, '/list');
      const token = $('input[name="_csrf"]').first().val() as string;
      const removed = await agent
        .post(`/list/${game!.id}/remove`)
        .set('HX-Request', 'true')
        .type('form')
        .send({ _csrf: token, next: '/list' });
      expect(removed.status).toBe(200);
      const row = cheerio.load(`<table>${removed.text}</table>`);
      expect(row('tr.removed-row').text()).toContain(`Removed “${game!.title}”`);
      const restored = await agent
        .post('/list/restore')
        .set('HX-Request', 'true')
        .type('form')
        .send({ _csrf: token, media_id: game!.id, next: '/list' });
      expect(restored.status).toBe(200);
      expect(cheerio.load(`<table>${restored.text}</table>`)(`#status-${game!.id} option[selected]`).val()).toBe(
        'paused',
      );
      expect(await entry(user.id, game!.id)).toMatchObject({ status: 'paused' });
    });
  });
});
