import * as cheerio from 'cheerio';
import type { Knex } from 'knex';
import request from 'supertest';
import { retireDuplicate } from '../../src/admin/merge-queries';
import { NOTES_SEPARATOR } from '../../src/entries/merge-queries';
import { ADAPTERS } from '../../src/ingest/adapters';
import { useSeededApp } from '../support/seeded';
import { createUser, csrfTokenFrom, signedInAgent, type Agent } from '../support/session';
import { conflictRow, insertConflict, insertEntry, insertRun, insertWork, unique } from './catalog-fixtures';

const KEYS = ADAPTERS.map((adapter) => ({ name: adapter.name, keyName: adapter.keyName }));

/**
 * Merge: retiring a duplicate into the work kept, through the confirmation page and its form.
 * Everything of the duplicate moves in one transaction, people's entries by the rule of the
 * entries core, and a failure anywhere leaves everything as it was.
 */
describe('retiring a duplicate', () => {
  const seeded = useSeededApp();
  let admin: Agent;
  let member: Agent;

  beforeAll(async () => {
    admin = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
    member = await signedInAgent(seeded.app, await createUser(seeded.db.knex));
  });

  const mergePath = (duplicate: string, kept: string) => `/admin/catalog/pairs/${duplicate}/${kept}/merge`;

  async function merge(duplicate: string, kept: string, agent = admin) {
    const token = await csrfTokenFrom(agent, '/settings');
    return agent.post(mergePath(duplicate, kept)).type('form').send({ _csrf: token, next: '/admin/catalog' });
  }

  /**
   * A film in the catalog twice, with everything that names a work: ids, extra titles, links to
   * other works (one the kept work has already, one between the two), conflicts about the pair and
   * about others, and the entries of several people.
   */
  async function duplicatedFilm() {
    const { knex } = seeded.db;
    const title = unique('Film Told Twice');
    const key = unique('Film_Told_Twice').replace(' ', '_');
    const kept = await insertWork(knex, {
      title,
      year: 2001,
      links: { netflix_dataset_show_id: unique('s') },
      attributes: { genres: ['Drama'], cast: ['Someone'] },
      fieldSources: { title: 'netflix-titles', 'attributes.genres': 'netflix-titles' },
    });
    const duplicate = await insertWork(knex, {
      title,
      year: 2002,
      links: { enwiki: key, tmdb: unique('movie') },
      originalTitle: `${title} (original)`,
      country: 'US',
      creators: ['A. Director'],
      attributes: { genres: ['Comedy'], runtime_minutes: 101 },
      fieldSources: {
        title: 'wikipedia-movie-data',
        country_of_origin: 'wikipedia-movie-data',
        'attributes.genres': 'wikipedia-movie-data',
        'attributes.runtime_minutes': 'wikipedia-movie-data',
      },
    });
    await knex('media.title_keys').insert({ title_key: `${title.toLowerCase()} also known as`, media_id: duplicate });
    const sequel = await insertWork(knex, { title: unique('Film Told Twice II'), year: 2004 });
    const source = await insertWork(knex, { title: unique('The Novel Behind It'), mediaType: 'book', year: 1990 });
    await knex('media.relationships').insert([
      // Both works name the sequel: the kept work's link is kept once.
      { source_id: kept, kind: 'sequel', target_id: sequel },
      { source_id: sequel, kind: 'prequel', target_id: kept },
      { source_id: duplicate, kind: 'sequel', target_id: sequel },
      { source_id: sequel, kind: 'prequel', target_id: duplicate },
      // Only the duplicate names the novel: its links move.
      { source_id: duplicate, kind: 'source', target_id: source },
      { source_id: source, kind: 'adaptation', target_id: duplicate },
      // A link between the two would be a link of the kept work to itself: dropped.
      { source_id: duplicate, kind: 'alternative', target_id: kept },
      { source_id: kept, kind: 'alternative', target_id: duplicate },
    ]);
    const jobId = await insertRun(knex, 'wikipedia-movie-data');
    const aboutPair = await insertConflict(knex, {
      jobId,
      source: 'wikipedia-movie-data',
      key,
      mediaId: kept,
      reason: 'year_off_by_one',
    });
    const third = await insertWork(knex, { title, mediaType: 'tv', year: 2002, links: { enwiki: unique('Series') } });
    const aboutOthers = await insertConflict(knex, {
      jobId,
      source: 'wikipedia-movie-data',
      key,
      mediaId: third,
      reason: 'type_mismatch',
    });
    // An ids-only source names its record's work in the payload: that work is the duplicate.
    await knex('ingest.sources')
      .insert({ name: 'anime-relations', label: 'anime-relations' })
      .onConflict('name')
      .ignore();
    const idsJob = await insertRun(knex, 'anime-relations');
    const [byIds] = await knex('ingest.conflicts')
      .insert({
        job_id: idsJob,
        media_id: third,
        source_name: 'anime-relations',
        external_key: unique('mal'),
        reason: 'id_on_two_works',
        payload: JSON.stringify({ work: duplicate }),
      })
      .returning<{ id: string }[]>('id');
    return {
      title,
      key,
      kept,
      duplicate,
      sequel,
      source,
      third,
      jobId,
      aboutPair,
      aboutOthers,
      byIds: String(byIds!.id),
    };
  }

  /** Everything the merge may touch, to compare before and after. */
  async function everything(knex: Knex, ids: string[]) {
    const rows = async (sql: string) => (await knex.raw<{ rows: { rows: unknown }[] }>(sql, { ids })).rows[0]!.rows;
    return {
      works: await rows(
        `select json_agg(t order by t.id) as rows from (select id, title, original_title, release_date, country_of_origin,
                creators, attributes, field_sources, tracking_count, updated_at from media.media where id = any(:ids::uuid[])) t`,
      ),
      entries: await rows(
        `select json_agg(t order by t.user_id, t.media_id) as rows from interaction.user_media t where media_id = any(:ids::uuid[])`,
      ),
      counts: await rows(
        `select json_agg(t order by t.user_id, t.status) as rows from interaction.list_status_counts t
          where user_id in (select user_id from interaction.user_media where media_id = any(:ids::uuid[]))`,
      ),
      activity: await rows(
        `select json_agg(t order by t.id) as rows from interaction.list_activity t where media_id = any(:ids::uuid[])`,
      ),
      links: await rows(
        `select json_agg(t order by t.source_name, t.external_key) as rows from media.external_links t where media_id = any(:ids::uuid[])`,
      ),
      keys: await rows(
        `select json_agg(t order by t.title_key, t.media_id) as rows from media.title_keys t where media_id = any(:ids::uuid[])`,
      ),
      relationships: await rows(
        `select json_agg(t order by t.source_id, t.kind, t.target_id) as rows from media.relationships t
          where source_id = any(:ids::uuid[]) or target_id = any(:ids::uuid[])`,
      ),
      conflicts: await rows(
        `select json_agg(t order by t.id) as rows from ingest.conflicts t where media_id = any(:ids::uuid[])`,
      ),
    };
  }

  /** Three people and their entries: one on the duplicate only, two on both, one on the kept work only. */
  async function peopleTracking(film: { kept: string; duplicate: string }) {
    const { knex } = seeded.db;
    const [onlyDuplicate, changedDuplicateLast, changedKeptLast, onlyKept] = await Promise.all(
      [1, 2, 3, 4].map(() => createUser(knex)),
    );
    await insertEntry(knex, onlyDuplicate!.id, film.duplicate, {
      status: 'completed',
      rating: 80,
      notes: 'Seen at the festival.',
      updatedAt: '2026-02-01T10:00:00Z',
    });
    await insertEntry(knex, changedDuplicateLast!.id, film.kept, {
      status: 'in_progress',
      progress: 30,
      notes: 'Halfway.',
      updatedAt: '2026-01-01T10:00:00Z',
      createdAt: '2025-12-01T10:00:00Z',
    });
    await insertEntry(knex, changedDuplicateLast!.id, film.duplicate, {
      status: 'completed',
      rating: 90,
      notes: 'Finished it, loved the ending.',
      updatedAt: '2026-03-01T10:00:00Z',
      createdAt: '2026-02-15T10:00:00Z',
    });
    await insertEntry(knex, changedKeptLast!.id, film.duplicate, {
      status: 'dropped',
      notes: 'Same words.',
      updatedAt: '2026-01-01T10:00:00Z',
    });
    await insertEntry(knex, changedKeptLast!.id, film.kept, {
      status: 'planning',
      notes: 'Same words.',
      updatedAt: '2026-02-01T10:00:00Z',
    });
    await insertEntry(knex, onlyKept!.id, film.kept, {
      status: 'paused',
      rating: 40,
      notes: 'Not for now.',
      updatedAt: '2026-01-15T10:00:00Z',
    });
    return {
      onlyDuplicate: onlyDuplicate!,
      changedDuplicateLast: changedDuplicateLast!,
      changedKeptLast: changedKeptLast!,
      onlyKept: onlyKept!,
    };
  }

  const entryOf = (userId: string, mediaId: string) =>
    seeded.db.knex('interaction.user_media').where({ user_id: userId, media_id: mediaId }).first<
      | {
          status: string;
          rating: number | null;
          progress: number | null;
          notes: string | null;
          created_at: Date;
          updated_at: Date;
        }
      | undefined
    >('status', 'rating', 'progress', 'notes', 'created_at', 'updated_at');

  const countsOf = async (userId: string) =>
    Object.fromEntries(
      (
        await seeded.db
          .knex('interaction.list_status_counts')
          .where('user_id', userId)
          .where('entries', '>', 0)
          .select<{ status: string; entries: number }[]>('status', 'entries')
      ).map((row) => [row.status, row.entries]),
    );

  it('shows what a merge will do before it is done, and the way to merge the other way round', async () => {
    const film = await duplicatedFilm();
    await peopleTracking(film);
    const response = await admin.get(mergePath(film.duplicate, film.kept));
    expect(response.status).toBe(200);
    const $ = cheerio.load(response.text);
    expect($('h1').text()).toBe(`Merge “${film.title}” into “${film.title}”`);
    const said = $('main').text().replace(/\s+/g, ' ');
    expect(said).toContain('Same title and type, release years one apart');
    expect(said).toContain('1 person’s entry moves');
    expect(said).toContain('2 people track both');
    expect(said).toContain('2 ids move');
    expect($(`form[action="${mergePath(film.duplicate, film.kept)}"] button`).text()).toContain('Merge into');
    expect($(`a[href="${mergePath(film.kept, film.duplicate)}"]`)).toHaveLength(1);
    // Nothing happened yet.
    expect(await seeded.db.knex('media.media').where('id', film.duplicate).count()).toEqual([{ count: 1 }]);
  });

  it('moves the entries of several people: a lone entry moves, the later of two wins with both notes, the kept’s own stays', async () => {
    const { knex } = seeded.db;
    const film = await duplicatedFilm();
    const people = await peopleTracking(film);
    const untouchedBefore = await entryOf(people.onlyKept.id, film.kept);

    const response = await merge(film.duplicate, film.kept);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin/catalog');
    const flash = cheerio
      .load((await admin.get('/admin/catalog')).text)('.flash')
      .text();
    expect(flash).toContain(`“${film.title}” was merged into “${film.title}”`);
    expect(flash).toContain(
      '1 list entry moved, 2 people tracking both kept one entry (notes joined for 1), 2 ids moved',
    );

    // The duplicate is gone, and nobody has an entry on it.
    expect(await knex('media.media').where('id', film.duplicate).count()).toEqual([{ count: 0 }]);
    expect(await knex('interaction.user_media').where('media_id', film.duplicate).count()).toEqual([{ count: 0 }]);

    // Tracked only the duplicate: the entry moved as it was.
    expect(await entryOf(people.onlyDuplicate.id, film.kept)).toMatchObject({
      status: 'completed',
      rating: 80,
      notes: 'Seen at the festival.',
    });
    expect(await countsOf(people.onlyDuplicate.id)).toEqual({ completed: 1 });

    // Tracked both, changed the duplicate's last: its values win, the other notes follow.
    const joined = await entryOf(people.changedDuplicateLast.id, film.kept);
    expect(joined).toMatchObject({
      status: 'completed',
      rating: 90,
      progress: null,
      notes: `Finished it, loved the ending.${NOTES_SEPARATOR}Halfway.`,
    });
    expect(joined!.created_at.toISOString()).toBe('2025-12-01T10:00:00.000Z');
    expect(await countsOf(people.changedDuplicateLast.id)).toEqual({ completed: 1 });

    // Tracked both, changed the kept work's last: it wins, and the same notes are not written twice.
    expect(await entryOf(people.changedKeptLast.id, film.kept)).toMatchObject({
      status: 'planning',
      notes: 'Same words.',
    });
    expect(await countsOf(people.changedKeptLast.id)).toEqual({ planning: 1 });

    // Tracked only the kept work: untouched, to the millisecond.
    expect(await entryOf(people.onlyKept.id, film.kept)).toEqual(untouchedBefore);

    // How many track the kept work: the four people, counted by the trigger.
    const tracking = await knex('media.media')
      .where('id', film.kept)
      .first<{ tracking_count: number }>('tracking_count');
    expect(tracking.tracking_count).toBe(4);
    expect(await knex('interaction.user_media').where('media_id', film.kept).count()).toEqual([{ count: 4 }]);
  });

  it('moves the ids, titles and links to the kept work, fills what it lacks, and settles the conflicts about the pair', async () => {
    const { knex } = seeded.db;
    const film = await duplicatedFilm();
    expect((await merge(film.duplicate, film.kept)).status).toBe(303);

    const links = await knex('media.external_links')
      .whereIn('source_name', ['enwiki', 'tmdb', 'netflix_dataset_show_id'])
      .where('media_id', film.kept)
      .pluck('source_name');
    expect(links.sort()).toEqual(['enwiki', 'netflix_dataset_show_id', 'tmdb']);
    expect(
      await knex('media.external_links').where({ source_name: 'enwiki', external_key: film.key }).pluck('media_id'),
    ).toEqual([film.kept]);
    expect(await knex('media.title_keys').where('media_id', film.kept).pluck('title_key')).toEqual(
      expect.arrayContaining([`${film.title.toLowerCase()} also known as`, `${film.title.toLowerCase()} original`]),
    );

    const relationships = await knex('media.relationships')
      .whereIn('source_id', [film.kept, film.sequel, film.source])
      .whereIn('target_id', [film.kept, film.sequel, film.source])
      .select('source_id', 'kind', 'target_id');
    expect(relationships).toEqual(
      expect.arrayContaining([
        { source_id: film.kept, kind: 'sequel', target_id: film.sequel },
        { source_id: film.sequel, kind: 'prequel', target_id: film.kept },
        { source_id: film.kept, kind: 'source', target_id: film.source },
        { source_id: film.source, kind: 'adaptation', target_id: film.kept },
      ]),
    );
    expect(relationships).toHaveLength(4);
    expect(await knex('media.relationships').where({ source_id: film.kept, target_id: film.kept }).count()).toEqual([
      { count: 0 },
    ]);

    const kept = await knex('media.media').where('id', film.kept).first<{
      original_title: string;
      release_date: string;
      country_of_origin: string;
      creators: string[];
      attributes: Record<string, unknown>;
      field_sources: Record<string, string>;
    }>('original_title', 'release_date', 'country_of_origin', 'creators', 'attributes', 'field_sources');
    expect(kept).toEqual({
      original_title: `${film.title} (original)`,
      // The kept work had a date: it stays.
      release_date: '2001-01-01',
      country_of_origin: 'US',
      creators: ['A. Director'],
      attributes: { genres: ['Drama'], cast: ['Someone'], runtime_minutes: 101 },
      field_sources: {
        title: 'netflix-titles',
        'attributes.genres': 'netflix-titles',
        country_of_origin: 'wikipedia-movie-data',
        'attributes.runtime_minutes': 'wikipedia-movie-data',
      },
    });

    expect(await conflictRow(knex, film.aboutPair)).toMatchObject({ resolution: 'merged', media_id: film.kept });
    expect((await conflictRow(knex, film.aboutPair)).resolved_at).not.toBeNull();
    // The record's other question stays open, now about the kept work (the record's work).
    expect(await conflictRow(knex, film.aboutOthers)).toMatchObject({ resolution: 'pending', media_id: film.third });
    const byIds = await knex('ingest.conflicts')
      .where('id', film.byIds)
      .first<{ payload: { work: string } }>('payload');
    expect(byIds.payload.work).toBe(film.kept);
  });

  it('merges a conflict the other way round too, keeping the record’s work', async () => {
    const { knex } = seeded.db;
    const film = await duplicatedFilm();
    expect((await merge(film.kept, film.duplicate)).status).toBe(303);
    expect(await knex('media.media').where('id', film.kept).count()).toEqual([{ count: 0 }]);
    expect(await conflictRow(knex, film.aboutPair)).toMatchObject({ resolution: 'merged', media_id: film.duplicate });
    expect(
      await knex('media.external_links')
        .where('source_name', 'netflix_dataset_show_id')
        .where('media_id', film.duplicate)
        .count(),
    ).toEqual([{ count: 1 }]);
  });

  it('leaves everything as it was when a step fails half-way', async () => {
    const { knex } = seeded.db;
    const film = await duplicatedFilm();
    await peopleTracking(film);
    const ids = [film.kept, film.duplicate, film.sequel, film.source, film.third];
    const before = await everything(knex, ids);
    // The last step, deleting the duplicate, fails: by then the entries, ids and links have moved.
    await knex.raw(`create or replace function public.refuse_test_delete() returns trigger language plpgsql
                      as $$ begin raise exception 'refused for the test'; end $$`);
    await knex.raw(
      `create trigger refuse_test_delete before delete on media.media
         for each row when (old.id = '${film.duplicate}'::uuid) execute function public.refuse_test_delete()`,
    );
    try {
      await expect(retireDuplicate(knex, KEYS, { duplicateId: film.duplicate, keptId: film.kept })).rejects.toThrow(
        /refused for the test/,
      );
      const response = await merge(film.duplicate, film.kept);
      expect(response.status).toBe(500);
    } finally {
      await knex.raw('drop trigger refuse_test_delete on media.media');
      await knex.raw('drop function public.refuse_test_delete()');
    }
    expect(await everything(knex, ids)).toEqual(before);
  });

  it('refuses, changing nothing, a merge that would cut someone’s notes (409)', async () => {
    const { knex } = seeded.db;
    const film = await duplicatedFilm();
    const person = await createUser(knex);
    await insertEntry(knex, person.id, film.kept, {
      status: 'planning',
      notes: 'k'.repeat(6000),
      updatedAt: '2026-01-01T00:00:00Z',
    });
    await insertEntry(knex, person.id, film.duplicate, {
      status: 'planning',
      notes: 'd'.repeat(6000),
      updatedAt: '2026-02-01T00:00:00Z',
    });
    const before = await everything(knex, [film.kept, film.duplicate]);
    const response = await merge(film.duplicate, film.kept);
    expect(response.status).toBe(409);
    const $ = cheerio.load(response.text);
    expect($('.error-summary').text()).toContain('the notes of 1 person on the two works would pass 10,000 characters');
    expect($('.error-summary a').attr('href')).toBe('#merge');
    expect($('#merge')).toHaveLength(1);
    expect(await everything(knex, [film.kept, film.duplicate])).toEqual(before);
  });

  it('refuses a post without its CSRF token, and a member’s, changing nothing', async () => {
    const { knex } = seeded.db;
    const film = await duplicatedFilm();
    const before = await everything(knex, [film.kept, film.duplicate]);
    const withoutToken = await admin
      .post(mergePath(film.duplicate, film.kept))
      .type('form')
      .send({ next: '/admin/catalog' });
    expect(withoutToken.status).toBe(403);
    expect((await merge(film.duplicate, film.kept, member)).status).toBe(403);
    const visitor = await request(seeded.app).post(mergePath(film.duplicate, film.kept)).type('form').send({});
    expect(visitor.status).toBe(403);
    expect((await member.get(mergePath(film.duplicate, film.kept))).status).toBe(403);
    expect(await everything(knex, [film.kept, film.duplicate])).toEqual(before);
  });

  it('answers 404 for an id that is no id or no work, and 422 for a work and itself, never a 500', async () => {
    const film = await duplicatedFilm();
    const nowhere = '00000000-0000-4000-8000-000000000000';
    expect((await merge('not-an-id', film.kept)).status).toBe(404);
    expect((await merge(film.duplicate, nowhere)).status).toBe(404);
    expect((await admin.get(mergePath(nowhere, film.kept))).status).toBe(404);
    expect((await admin.get(mergePath(film.duplicate, 'x'.repeat(300)))).status).toBe(404);
    const same = await merge(film.kept, film.kept);
    expect(same.status).toBe(422);
    expect(cheerio.load(same.text)('main').text()).toContain('cannot be merged with itself');
    expect((await admin.get(mergePath(film.kept, film.kept))).status).toBe(422);
    // A duplicate merged already is gone: a second merge finds nothing to retire.
    expect((await merge(film.duplicate, film.kept)).status).toBe(303);
    const again = await merge(film.duplicate, film.kept);
    expect(again.status).toBe(404);
    expect(cheerio.load(again.text)('main').text()).toContain('may have been merged already');
  });
});
