import request from 'supertest';
import { chartTable } from '../support/charts';
import { loadPage } from '../support/pages';
import { useSeededApp } from '../support/seeded';
import { createUser, signedInAgent } from '../support/session';

/** A profile's statistics against a hand-built list whose answers are worked out below. */
describe('profile statistics', () => {
  const seeded = useSeededApp();
  let counter = 0;
  const year = new Date().getUTCFullYear();

  async function makeTitle(mediaType: string, mediaClass: string, attributes: Record<string, unknown> = {}) {
    counter += 1;
    const [row] = await seeded.db
      .knex('media.media')
      .insert({ media_type: mediaType, media_class: mediaClass, title: `Stats ${mediaType} ${counter}`, attributes })
      .returning<{ id: string }[]>('id');
    return row!.id;
  }

  const load = loadPage;

  /**
   * The fixture, on the 10-point scale:
   *   film (runtime 100)     completed this year, rated 8, with notes → 100 min
   *   film (no runtime)      completed last year, rated 6           → time unknown
   *   book (300 pages)       in progress, page 120                  → 120 / 40 pages an hour = 180 min
   *   anime (12 episodes)    completed, no date, no progress, 10    → 12 × 24 min = 288 min
   *   game                   in progress, 10 hours, rated 2         → 600 min
   *   manga                  planning                               → nothing, and not unknown
   *   TV series              dropped, no progress                   → time unknown
   */
  async function fixture() {
    const user = await createUser(seeded.db.knex);
    const ids = {
      film: await makeTitle('movie', 'video.film', { runtime_minutes: 100 }),
      filmUnknown: await makeTitle('movie', 'video.film'),
      book: await makeTitle('book', 'written.book', { pages: 300 }),
      anime: await makeTitle('anime', 'video.series.anime', { episodes: 12 }),
      game: await makeTitle('game', 'interactive.game'),
      manga: await makeTitle('manga', 'written.comic.manga'),
      tv: await makeTitle('tv', 'video.series'),
    };
    await seeded.db.knex('interaction.user_media').insert([
      {
        user_id: user.id,
        media_id: ids.film,
        status: 'completed',
        rating: 80,
        notes: 'A private thought about the film',
        completed_at: `${year}-01-15T00:00:00Z`,
      },
      {
        user_id: user.id,
        media_id: ids.filmUnknown,
        status: 'completed',
        rating: 60,
        completed_at: `${year - 1}-06-01T00:00:00Z`,
      },
      { user_id: user.id, media_id: ids.book, status: 'in_progress', progress: 120 },
      { user_id: user.id, media_id: ids.anime, status: 'completed', rating: 100 },
      { user_id: user.id, media_id: ids.game, status: 'in_progress', progress: 10, rating: 20 },
      { user_id: user.id, media_id: ids.manga, status: 'planning' },
      { user_id: user.id, media_id: ids.tv, status: 'dropped' },
    ]);
    return { user, ids };
  }

  it('counts, charts and tabulates a known list exactly', async () => {
    const { user } = await fixture();
    const $ = await load(request(seeded.app), `/users/${user.username}`);
    expect($('.list-total').text()).toBe('7 titles on the list.');
    expect(chartTable($, 'chart-status')).toEqual([
      ['Planning', '1'],
      ['In progress', '2'],
      ['Completed', '3'],
      ['Paused', '0'],
      ['Dropped', '1'],
    ]);
    expect(chartTable($, 'chart-type')).toEqual([
      ['Movies', '2'],
      ['TV series', '1'],
      ['Anime', '1'],
      ['Manga', '1'],
      ['Books', '1'],
      ['Games', '1'],
    ]);
    expect(chartTable($, 'chart-years')).toEqual([
      [String(year - 4), '0'],
      [String(year - 3), '0'],
      [String(year - 2), '0'],
      [String(year - 1), '1'],
      [String(year), '1'],
    ]);
    expect($('#completed-heading').parent().find('.stat-note').text()).toContain(
      '1 completed title has no completion date',
    );
    expect(chartTable($, 'chart-ratings')).toEqual(
      Array.from({ length: 10 }, (_, i) => [
        `${i + 1} ${i === 0 ? 'point' : 'points'}`,
        [2, 6, 8, 10].includes(i + 1) ? '1' : '0',
      ]),
    );
    expect(chartTable($, 'chart-means')).toEqual([
      ['Movies', '7.0'],
      ['Anime', '10.0'],
      ['Games', '2.0'],
    ]);
    // 100 + 180 + 288 + 600 minutes.
    expect($('.time-total strong').text()).toBe('19 h 28 min');
    const time = (type: string) => $(`.time-table tr[data-media-type="${type}"] td`).text();
    expect([time('movie'), time('book'), time('anime'), time('game'), time('manga'), time('tv')]).toEqual([
      '1 h 40 min',
      '3 h',
      '4 h 48 min',
      '10 h',
      '0 min',
      '0 min',
    ]);
    expect($('#time-heading').parent().find('.stat-note').text()).toContain('2 titles are not counted');
    expect($('.assumptions').text()).toContain('40 pages an hour');
    expect(
      $('.top-rated li')
        .toArray()
        .map((item) => $(item).text().replace(/\s+/g, ' ').trim()),
    ).toEqual([
      expect.stringMatching(/^Stats anime \d+ \(Anime\): 10 out of 10$/),
      expect.stringMatching(/^Stats movie \d+ \(Movie\): 8 out of 10$/),
      expect.stringMatching(/^Stats movie \d+ \(Movie\): 6 out of 10$/),
      expect.stringMatching(/^Stats game \d+ \(Game\): 2 out of 10$/),
    ]);
  });

  it('agrees in each chart’s SVG with its table: a bar per row, longest for the largest', async () => {
    const { user } = await fixture();
    const $ = await load(request(seeded.app), `/users/${user.username}`);
    const svg = $('#chart-status svg');
    expect(svg.attr('role')).toBe('img');
    expect(svg.find('title').text()).toBe('Titles by status');
    expect(svg.find('desc').text()).toBe('Planning: 1; In progress: 2; Completed: 3; Paused: 0; Dropped: 1.');
    const widths = svg
      .find('rect')
      .toArray()
      .map((rect) => Number($(rect).attr('width')));
    expect(widths).toHaveLength(5);
    expect(Math.max(...widths)).toBe(widths[2]);
    expect(widths[3]).toBe(0);
    expect(widths[1]! / widths[2]!).toBeCloseTo(2 / 3, 1);
  });

  it('shows the numbers on the owner’s rating scale', async () => {
    const { user } = await fixture();
    await seeded.db.knex('users.preferences').where({ user_id: user.id }).update({ rating_scale: 'five_star' });
    const $ = await load(request(seeded.app), `/users/${user.username}`);
    // 80 → 4 stars, 60 → 3, 100 → 5, 20 → 1.
    expect(chartTable($, 'chart-ratings')).toEqual([
      ['1 star', '1'],
      ['2 stars', '0'],
      ['3 stars', '1'],
      ['4 stars', '1'],
      ['5 stars', '1'],
    ]);
    expect(chartTable($, 'chart-means')).toEqual([
      ['Movies', '3.5'],
      ['Anime', '5.0'],
      ['Games', '1.0'],
    ]);
  });

  it('says nothing is there for an empty list, and charts one type alone', async () => {
    const user = await createUser(seeded.db.knex);
    let $ = await load(request(seeded.app), `/users/${user.username}`);
    expect($('.list-total').text()).toBe('0 titles on the list.');
    expect(chartTable($, 'chart-status').map(([, count]) => count)).toEqual(['0', '0', '0', '0', '0']);
    expect($('#chart-type')).toHaveLength(0);
    expect($('#ratings-heading').parent().text()).toContain('No ratings yet.');
    expect($('.time-total strong').text()).toBe('0 min');
    expect($('.activity')).toHaveLength(0);

    const book = await makeTitle('book', 'written.book', { pages: 80 });
    await seeded.db
      .knex('interaction.user_media')
      .insert({ user_id: user.id, media_id: book, status: 'completed', rating: 70, completed_at: new Date() });
    $ = await load(request(seeded.app), `/users/${user.username}`);
    expect(chartTable($, 'chart-type')).toEqual([['Books', '1']]);
    expect(chartTable($, 'chart-means')).toEqual([['Books', '7.0']]);
    expect($('.time-total strong').text()).toBe('2 h');
  });

  it('lists the last 20 changes, newest first, one line a change', async () => {
    const { user, ids } = await fixture();
    const entry = (id: string) => seeded.db.knex('interaction.user_media').where({ user_id: user.id, media_id: id });
    await entry(ids.book).update({ progress: 150 });
    await entry(ids.manga).update({ status: 'in_progress', rating: 90 });
    await entry(ids.game).update({ notes: 'Only for me' });
    // Nothing a person changed: no line.
    await entry(ids.game).update({ meta_snapshot: JSON.stringify({ any: 'thing' }) });
    await entry(ids.tv).delete();
    const lines = async (agent: Parameters<typeof load>[0]) => {
      const $ = await load(agent, `/users/${user.username}`);
      return $('.activity li')
        .toArray()
        .map((item) => $(item).text().replace(/\s+/g, ' ').trim().replace(/^\S+ /, ''));
    };
    const own = await lines(await signedInAgent(seeded.app, user));
    // 7 added, then progress, status with rating, notes, removed: 11 changes, newest first.
    expect(own).toHaveLength(11);
    expect(own.slice(0, 4)).toEqual([
      expect.stringMatching(/^Stats tv \d+: Removed from the list$/),
      expect.stringMatching(/^Stats game \d+: Notes$/),
      expect.stringMatching(/^Stats manga \d+: Status In progress, rated 9 out of 10$/),
      expect.stringMatching(/^Stats book \d+: Progress 150 pages$/),
    ]);
    expect(own.slice(4).every((line) => line.includes('Added to the list as'))).toBe(true);

    // Others see only titles still on the list, and no change to notes alone.
    const seen = await lines(request(seeded.app));
    expect(seen).toEqual(own.filter((line) => !/^Stats tv |: Notes$/.test(line)));
    expect(seen).toHaveLength(8);

    // Thirty more changes: only the last 20 are shown.
    for (let progress = 151; progress <= 180; progress += 1) await entry(ids.book).update({ progress });
    const later = await lines(request(seeded.app));
    expect(later).toHaveLength(20);
    expect(later[0]).toMatch(/Progress 180 pages$/);
  });

  it('lets an account be deleted with its list and its activity', async () => {
    const { user } = await fixture();
    const activity = () => seeded.db.knex('interaction.list_activity').where({ user_id: user.id });
    expect((await activity()).length).toBe(7);
    await seeded.db.knex('users.users').where({ id: user.id }).delete();
    expect(await activity()).toEqual([]);
    expect(await seeded.db.knex('interaction.user_media').where({ user_id: user.id })).toEqual([]);
  });

  describe('privacy', () => {
    it('shows notes to the owner only, on a public profile', async () => {
      const { user } = await fixture();
      const other = await createUser(seeded.db.knex);
      const note = 'A private thought about the film';
      expect((await load(request(seeded.app), `/users/${user.username}`)).html()).not.toContain(note);
      expect((await load(await signedInAgent(seeded.app, other), `/users/${user.username}`)).html()).not.toContain(
        note,
      );
      const own = await load(await signedInAgent(seeded.app, user), `/users/${user.username}`);
      expect(own('.top-notes').text()).toBe(note);
    });

    it('shows the statistics of a private profile to its owner alone', async () => {
      const { user } = await fixture();
      await seeded.db.knex('users.preferences').where({ user_id: user.id }).update({ profile_visibility: 'private' });
      expect((await request(seeded.app).get(`/users/${user.username}`)).status).toBe(404);
      const other = await signedInAgent(seeded.app, await createUser(seeded.db.knex));
      const refused = await other.get(`/users/${user.username}`);
      expect(refused.status).toBe(404);
      expect(refused.text).not.toContain('chart-status');
      const own = await load(await signedInAgent(seeded.app, user), `/users/${user.username}`);
      expect(chartTable(own, 'chart-status')).toHaveLength(5);
    });
  });

  it('runs the same number of queries for thousands of entries as for a few', async () => {
    const queriesFor = async (username: string) => {
      let queries = 0;
      const count = () => (queries += 1);
      seeded.db.knex.on('query', count);
      try {
        await load(request(seeded.app), `/users/${username}`);
      } finally {
        seeded.db.knex.removeListener('query', count);
      }
      return queries;
    };
    const few = await fixture();
    const many = await createUser(seeded.db.knex);
    await seeded.db.knex.raw(
      `insert into interaction.user_media (user_id, media_id, status, rating, progress, completed_at)
       select ?, id, (array['planning','in_progress','completed','paused','dropped'])[1 + n % 5],
              1 + n % 100, n % 50, now() - make_interval(days => (n % 2000)::int)
         from (select id, row_number() over (order by id) as n from media.media limit 3000) m`,
      [many.id],
    );
    const $ = await load(request(seeded.app), `/users/${many.username}`);
    expect($('.list-total').text()).toBe('3,000 titles on the list.');
    expect(await queriesFor(many.username)).toBe(await queriesFor(few.user.username));
  });
});
