import * as cheerio from 'cheerio';
import request from 'supertest';
import { useSeededApp } from '../support/seeded';
import { formFields, loadPage } from '../support/pages';
import { createUser, signedInAgent, type Agent } from '../support/session';

/** The media page, /media/:id. */
describe('the media page', () => {
  const seeded = useSeededApp();
  let counter = 0;

  /** A title of our own, so its links and attributes are known. */
  async function makeTitle(fields: Record<string, unknown> = {}): Promise<string> {
    counter += 1;
    const [row] = await seeded.db
      .knex('media.media')
      .insert({
        media_type: 'movie',
        media_class: 'video.film',
        title: `Page test film ${counter}`,
        release_date: `${2000 + counter}-05-01`,
        ...fields,
      })
      .returning<{ id: string }[]>('id');
    return row!.id;
  }

  const link = (source: string, kind: string, target: string, inverse: string) =>
    seeded.db.knex('media.relationships').insert([
      { source_id: source, kind, target_id: target },
      { source_id: target, kind: inverse, target_id: source },
    ]);

  const load = loadPage;
  const fieldsOf = formFields;

  it('is a 404 page for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id', '123', "1' or '1'='1"]) {
      const response = await request(seeded.app).get(`/media/${encodeURIComponent(id)}`);
      expect(response.status).toBe(404);
      expect(cheerio.load(response.text)('body').attr('data-page')).toBe('error');
    }
  });

  it('shows the title, its kind as a trail of catalog links, its facts, and Sign in to track', async () => {
    const id = await makeTitle({
      media_type: 'anime',
      media_class: 'video.series.anime',
      original_title: 'オリジナル',
      creators: ['Someone Real'],
      country_of_origin: 'JP',
      attributes: JSON.stringify({ episodes: 24, format: 'TV', dataset: 'x', unheard_of: 'hidden' }),
    });
    const $ = await load(request(seeded.app), `/media/${id}`);
    expect($('body').attr('data-page')).toBe('media');
    expect($('h1').text()).toMatch(/^Page test film/);
    expect($('.original-title').text()).toBe('オリジナル');
    expect(
      $('.breadcrumb a')
        .map((_, el) => [[$(el).text(), $(el).attr('href')]])
        .get(),
    ).toEqual([
      ['Video: films and series', '/catalog?class=video'],
      ['Series: TV and anime', '/catalog?class=video.series'],
      ['Anime', '/catalog?class=video.series.anime'],
    ]);
    const facts = Object.fromEntries(
      $('.media-facts dt')
        .map((_, el) => [[$(el).text(), $(el).next('dd').text()]])
        .get() as [string, string][],
    );
    expect(facts).toMatchObject({
      Type: 'Anime',
      Episodes: '24 episodes',
      Format: 'TV',
      Country: 'JP',
      By: 'Someone Real',
    });
    expect($('.media-facts').text()).not.toContain('hidden');
    expect($('.tracking-panel a').attr('href')).toBe(`/login?next=${encodeURIComponent(`/media/${id}`)}`);
  });

  it('links external ids where the source has a public address', async () => {
    const id = await makeTitle({ attributes: JSON.stringify({ runtime_minutes: 101 }) });
    await seeded.db.knex('media.external_links').insert([
      { media_id: id, source_name: 'tmdb', external_key: `movie/9${counter}` },
      { media_id: id, source_name: 'isbn13', external_key: '9780000000000' },
      { media_id: id, source_name: 'catalog_seed', external_key: `seed-${counter}` },
    ]);
    const $ = await load(request(seeded.app), `/media/${id}`);
    expect($('.external-ids a').attr('href')).toBe(`https://www.themoviedb.org/movie/9${counter}`);
    expect($('.external-ids').text()).toContain('ISBN-13: 9780000000000');
    expect($('.external-ids').text()).not.toContain('seed-');
    expect($('.media-facts').text()).toContain('101 min');
  });

  it('groups related titles by kind, and reads the watch order along sequels, safe from cycles', async () => {
    const [first, second, third, adaptation] = [
      await makeTitle(),
      await makeTitle(),
      await makeTitle(),
      await makeTitle(),
    ];
    await link(first, 'sequel', second, 'prequel');
    await link(second, 'sequel', third, 'prequel');
    // A bad link back to the start: the walk must still end.
    await link(third, 'sequel', first, 'prequel');
    await link(second, 'adaptation', adaptation, 'source');
    const $ = await load(request(seeded.app), `/media/${second}`);
    expect($('#related-heading').length).toBe(1);
    expect(
      $('.related')
        .prev('h3')
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(['Sequel', 'Prequel', 'Adaptation']);
    const order = $('.watch-order li')
      .map((_, el) => $(el).find('a, strong').first().text())
      .get();
    expect(order).toHaveLength(3);
    expect(new Set(order).size).toBe(3);
    expect($('.watch-order strong[aria-current="page"]').text()).toMatch(/^Page test film/);
  });

  it('gives its owner the list’s entry form, posting to the list’s endpoint and coming back here', async () => {
    const user = await createUser(seeded.db.knex);
    const agent = await signedInAgent(seeded.app, user);
    const [id, related] = [await makeTitle(), await makeTitle()];
    await link(id, 'sequel', related, 'prequel');
    const before = await load(agent, `/media/${id}`);
    expect(before('.tracking-panel form[action="/list"] input[name="next"]').val()).toBe(`/media/${id}`);
    expect(before('.related form[action="/list"] button').text()).toContain('Add');

    await seeded.db.knex('interaction.user_media').insert([
      { user_id: user.id, media_id: id, status: 'in_progress', rating: 80 },
      { user_id: user.id, media_id: related, status: 'planning' },
    ]);
    const $ = await load(agent, `/media/${id}`);
    const form = $(`.tracking-panel form[action="/list/${id}"]`);
    expect(form.length).toBe(1);
    expect(form.find('#rating').val()).toBe('8');
    expect($('.related .entry-status').text()).toContain('In your list: Planning');
    const saved = await agent
      .post(`/list/${id}`)
      .type('form')
      .send({ ...fieldsOf($, form), status: 'paused' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/media/${id}`);
    expect((await load(agent, `/media/${id}`))('.flash').text()).toContain('status Paused');
  });

  describe('with htmx', () => {
    /** An htmx post from the page: the element it swaps is sent as HX-Target. */
    const htmx = (agent: Agent, action: string, target: string, fields: Record<string, string>) =>
      agent.post(action).set('HX-Request', 'true').set('HX-Target', target).type('form').send(fields);

    it('adds, saves, refuses, removes and undoes in the tracking panel, answering the panel each time', async () => {
      const user = await createUser(seeded.db.knex);
      const agent = await signedInAgent(seeded.app, user);
      const id = await makeTitle({ attributes: JSON.stringify({ runtime_minutes: 120 }) });
      const entryOf = () =>
        seeded.db
          .knex('interaction.user_media')
          .where({ user_id: user.id, media_id: id })
          .first<{ status: string; progress: number | null } | undefined>();
      const page = await load(agent, `/media/${id}`);
      const addForm = page('#tracking-panel form.add-form');
      expect(addForm.attr('hx-target')).toBe('#tracking-panel');

      const added = await htmx(agent, '/list', 'tracking-panel', { ...fieldsOf(page, addForm), status: 'in_progress' });
      expect(added.status).toBe(200);
      let panel = cheerio.load(added.text);
      expect(panel('#announcer').text()).toMatch(/^Added “Page test film \d+” to your list as In progress\.$/);
      const form = panel(`#tracking-panel form[action="/list/${id}"]`);
      expect(form.attr('hx-post')).toBe(`/list/${id}`);
      expect(panel('#status option[selected]').attr('value')).toBe('in_progress');
      // Focus goes to the new entry's status, where the Add button was.
      expect(panel('#status').attr('autofocus')).toBeDefined();
      expect((await entryOf())?.status).toBe('in_progress');

      const saved = await htmx(agent, `/list/${id}`, 'tracking-panel', { ...fieldsOf(panel, form), progress: '30' });
      expect(saved.status).toBe(200);
      panel = cheerio.load(saved.text);
      expect(panel('#announcer').text()).toContain('progress 30');
      expect(panel('#progress').val()).toBe('30');
      expect((await entryOf())?.progress).toBe(30);

      const refused = await htmx(agent, `/list/${id}`, 'tracking-panel', {
        ...fieldsOf(panel, panel('#tracking-panel form.entry-edit-form')),
        rating: '11',
        progress: '40',
      });
      expect(refused.status).toBe(422);
      panel = cheerio.load(refused.text);
      expect(panel('#rating').val()).toBe('11');
      expect(panel('#progress').val()).toBe('40');
      expect(panel('#rating-error').text()).toMatch(/\S/);
      // No error summary in the panel: focus goes to the first field refused.
      expect(panel('#rating').attr('autofocus')).toBeDefined();
      expect(panel('[autofocus]')).toHaveLength(1);
      expect(panel('#announcer').text()).toMatch(/^Not saved: /);
      expect((await entryOf())?.progress).toBe(30);

      const removeForm = panel('#tracking-panel form.remove-form');
      const removed = await htmx(agent, removeForm.attr('action')!, 'tracking-panel', fieldsOf(panel, removeForm));
      expect(removed.status).toBe(200);
      panel = cheerio.load(removed.text);
      expect(panel('#tracking-panel').text()).toContain('Removed “Page test film');
      expect(panel('#tracking-panel form.add-form')).toHaveLength(1);
      expect(panel(`#undo-${id}`).attr('autofocus')).toBeDefined();
      expect(await entryOf()).toBeUndefined();

      const undoForm = panel('#tracking-panel form.undo-form');
      const undone = await htmx(agent, '/list/restore', 'tracking-panel', fieldsOf(panel, undoForm));
      expect(undone.status).toBe(200);
      panel = cheerio.load(undone.text);
      expect(panel('#announcer').text()).toContain('is back in your list');
      expect(panel('#progress').val()).toBe('30');
      expect(await entryOf()).toMatchObject({ status: 'in_progress', progress: 30 });
    });

    it('swaps a related title’s quick Add for its status', async () => {
      const user = await createUser(seeded.db.knex);
      const agent = await signedInAgent(seeded.app, user);
      const [id, sequel] = [await makeTitle(), await makeTitle()];
      await link(id, 'sequel', sequel, 'prequel');
      const page = await load(agent, `/media/${id}`);
      const form = page(`#quick-add-sequel-${sequel}`);
      expect(form.attr('hx-target')).toBe('this');
      const added = await htmx(agent, '/list', `quick-add-sequel-${sequel}`, fieldsOf(page, form));
      expect(added.status).toBe(200);
      const answer = cheerio.load(added.text);
      expect(answer('.entry-status').text()).toMatch(/^In your list: Planning/);
      expect(answer('#announcer').text()).toContain('to your list as Planning');
      expect(await seeded.db.knex('interaction.user_media').where({ user_id: user.id }).pluck('media_id')).toEqual([
        sequel,
      ]);
    });

    it('links, refuses and unlinks from the administrators’ form, answering the Related section and the watch order', async () => {
      const agent = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
      const [first, second] = [await makeTitle(), await makeTitle()];
      const page = await load(agent, `/media/${first}`);
      const fields = fieldsOf(page, page('form.link-form'));
      expect(page('form.link-form').attr('hx-target')).toBe('#related');

      const linked = await htmx(agent, `/media/${first}/relationships`, 'related', {
        ...fields,
        kind: 'sequel',
        target_id: second,
      });
      expect(linked.status).toBe(200);
      let answer = cheerio.load(linked.text);
      expect(answer('#related .related a').attr('href')).toBe(`/media/${second}`);
      expect(answer('#watch-order').attr('hx-swap-oob')).toBe('true');
      expect(answer('#watch-order .watch-order li')).toHaveLength(2);
      expect(answer('#announcer').text()).toContain('Linked: sequel');
      expect(answer('#related-heading').attr('autofocus')).toBeDefined();

      const again = await htmx(agent, `/media/${first}/relationships`, 'related', {
        ...fields,
        kind: 'sequel',
        target_id: second,
      });
      expect(again.status).toBe(409);
      answer = cheerio.load(again.text);
      expect(answer('#target_id').val()).toBe(second);
      expect(answer('.error-summary a').attr('href')).toBe('#target_id');
      const bad = await htmx(agent, `/media/${first}/relationships`, 'related', { ...fields, kind: 'nonsense' });
      expect(bad.status).toBe(422);
      expect(cheerio.load(bad.text)('#kind-error').text()).toContain('Choose a kind');

      const unlink = answer(`form[action="/media/${first}/relationships/sequel/${second}/delete"]`);
      expect(unlink.attr('hx-target')).toBe('#related');
      const unlinked = await htmx(agent, unlink.attr('action')!, 'related', fieldsOf(answer, unlink));
      expect(unlinked.status).toBe(200);
      answer = cheerio.load(unlinked.text);
      expect(answer('#related .related')).toHaveLength(0);
      expect(answer('#watch-order').text().trim()).toBe('');
      expect(await seeded.db.knex('media.relationships').whereIn('source_id', [first, second])).toEqual([]);
    });
  });

  it('shows how many track it and their average rating', async () => {
    const id = await makeTitle();
    for (const rating of [60, 90, null]) {
      const user = await createUser(seeded.db.knex);
      await seeded.db
        .knex('interaction.user_media')
        .insert({ user_id: user.id, media_id: id, status: 'completed', rating });
    }
    const $ = await load(request(seeded.app), `/media/${id}`);
    expect($('.media-facts').text()).toContain('3 users');
    expect($('.media-facts').text()).toContain('8 out of 10 (2 ratings)');
  });

  it('runs the same number of queries whatever the number of related titles', async () => {
    const user = await createUser(seeded.db.knex);
    const agent = await signedInAgent(seeded.app, user);
    const [few, many] = [await makeTitle(), await makeTitle()];
    await link(few, 'sequel', await makeTitle(), 'prequel');
    for (let i = 0; i < 25; i += 1) await link(many, 'adaptation', await makeTitle(), 'source');
    const queriesFor = async (id: string) => {
      let count = 0;
      const listener = () => (count += 1);
      seeded.db.knex.on('query', listener);
      await load(agent, `/media/${id}`);
      seeded.db.knex.off('query', listener);
      return count;
    };
    const fewQueries = await queriesFor(few);
    expect(await queriesFor(many)).toBe(fewQueries);
    expect(fewQueries).toBeLessThanOrEqual(12);
  });

  describe('franchises', () => {
    it('lists every title at or below a path in release order, with its parts, reachable from a media page', async () => {
      const root = `page_test_${process.pid}`;
      const late = await makeTitle({ collection_path: `${root}.second_arc`, release_date: '2020-01-01' });
      const early = await makeTitle({ collection_path: root, release_date: '1990-01-01' });
      const middle = await makeTitle({ collection_path: `${root}.first_arc`, release_date: '2000-01-01' });
      const fromPage = await load(request(seeded.app), `/media/${middle}`);
      expect(fromPage('.media-facts a[href^="/collections/"]').attr('href')).toBe(`/collections/${root}.first_arc`);

      const $ = await load(request(seeded.app), `/collections/${root}`);
      expect($('body').attr('data-page')).toBe('collection');
      expect(
        $('.collection-titles a')
          .map((_, el) => $(el).attr('href'))
          .get(),
      ).toEqual([`/media/${early}`, `/media/${middle}`, `/media/${late}`]);
      expect(
        $('#parts-heading + ul a')
          .map((_, el) => $(el).attr('href'))
          .get(),
      ).toEqual([`/collections/${root}.first_arc`, `/collections/${root}.second_arc`]);
      const part = await load(request(seeded.app), `/collections/${root}.second_arc`);
      expect(part('.collection-titles a').attr('href')).toBe(`/media/${late}`);
      expect(part('.breadcrumb a').attr('href')).toBe(`/collections/${root}`);
    });

    it('is a 404 page for a path with no titles or that is no path at all', async () => {
      for (const path of ['no_such_franchise', 'bad path', 'a..b', "x'--"]) {
        expect((await request(seeded.app).get(`/collections/${encodeURIComponent(path)}`)).status).toBe(404);
      }
    });
  });

  describe('the administrators’ link form', () => {
    const tokenOf = ($: cheerio.CheerioAPI) => String($('form.link-form input[name="_csrf"]').val());

    it('links two titles without JavaScript, both pages show it, and a link can be removed', async () => {
      const agent = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
      const [book, film] = [await makeTitle({ media_type: 'book', media_class: 'written.book' }), await makeTitle()];
      const $ = await load(agent, `/media/${film}`);
      // The other title's page address, as an administrator copies it, or its id.
      const linked = await agent
        .post(`/media/${film}/relationships`)
        .type('form')
        .send({ _csrf: tokenOf($), kind: 'adaptation', target_id: ` https://tracker.example/media/${book}?x=1 ` });
      expect(linked.status).toBe(303);
      expect(linked.headers.location).toBe(`/media/${film}`);
      const filmPage = await load(agent, `/media/${film}`);
      expect(filmPage('.flash').text()).toContain('Linked');
      expect(filmPage('.related a').attr('href')).toBe(`/media/${book}`);
      expect((await load(request(seeded.app), `/media/${book}`))('.related').prev('h3').text()).toBe('Source');

      const remove = filmPage(`form[action="/media/${film}/relationships/adaptation/${book}/delete"]`);
      const removed = await agent
        .post(remove.attr('action')!)
        .type('form')
        .send({ _csrf: remove.find('input[name="_csrf"]').val() });
      expect(removed.status).toBe(303);
      expect(await seeded.db.knex('media.relationships').whereIn('source_id', [film, book]).select('kind')).toEqual([]);
    });

    it('shows the page again with the values and the error for a bad or duplicate link', async () => {
      const agent = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
      const [first, second] = [await makeTitle(), await makeTitle()];
      const token = tokenOf(await load(agent, `/media/${first}`));
      const bad = await agent
        .post(`/media/${first}/relationships`)
        .type('form')
        .send({ _csrf: token, kind: 'sequel', target_id: 'nope' });
      expect(bad.status).toBe(422);
      const page = cheerio.load(bad.text);
      expect(page('#target_id').val()).toBe('nope');
      expect(page('#target_id-error').text()).toContain('Paste the id');
      expect(page('.error-summary a').attr('href')).toBe('#target_id');
      await agent
        .post(`/media/${first}/relationships`)
        .type('form')
        .send({ _csrf: token, kind: 'sequel', target_id: second });
      const again = await agent
        .post(`/media/${first}/relationships`)
        .type('form')
        .send({ _csrf: token, kind: 'sequel', target_id: second });
      expect(again.status).toBe(409);
      expect(cheerio.load(again.text)('#target_id-error').text()).toContain('linked that way already');
    });

    it('is not shown to members, and refuses them', async () => {
      const agent = await signedInAgent(seeded.app, await createUser(seeded.db.knex));
      const [first, second] = [await makeTitle(), await makeTitle()];
      const $ = await load(agent, `/media/${first}`);
      expect($('form.link-form')).toHaveLength(0);
      const token = /"x-csrf-token": "([^"]+)"/.exec($.html())?.[1];
      const refused = await agent
        .post(`/media/${first}/relationships`)
        .type('form')
        .send({ _csrf: token, kind: 'sequel', target_id: second });
      expect(refused.status).toBe(403);
    });
  });
});
