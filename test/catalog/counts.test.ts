import type { Knex } from 'knex';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser } from '../support/session';

/**
 * The counters the catalog reads instead of counting (migration 20261127130000_catalog_facets):
 * media.type_counts, media.genre_counts, media.facet_counts (20261127160000_facet_counts) and
 * media.media.tracking_count, all kept by triggers,
 * and the genres column generated from attributes.
 */

const CLASS_OF: Record<string, string> = { podcast: 'audio.podcast', game: 'interactive.game', book: 'written.book' };

let counter = 0;

describe('the catalog counters kept by triggers', () => {
  let db: TestDatabase;
  let knex: Knex;

  beforeAll(async () => {
    db = await createSeededDatabase();
    knex = db.knex;
  });

  afterAll(async () => {
    await db.drop();
  });

  /** Genre names no seeded title uses, so each test sees only its own. */
  const genre = (name: string) => `Counter test ${process.pid} ${name}`;

  const typeCounts = async (): Promise<Record<string, number>> => {
    const rows = await knex('media.type_counts').select<{ media_type: string; media_count: string }[]>(
      'media_type',
      'media_count',
    );
    return Object.fromEntries(rows.map((row) => [row.media_type, Number(row.media_count)]));
  };
  const genreCounts = async (): Promise<Record<string, number>> => {
    const rows = await knex('media.genre_counts').select<{ genre: string; media_count: string }[]>(
      'genre',
      'media_count',
    );
    return Object.fromEntries(rows.map((row) => [row.genre, Number(row.media_count)]));
  };
  const genreCount = async (name: string): Promise<number | undefined> => (await genreCounts())[name];

  /** Inserts titles in one statement (the triggers run once per statement); returns their ids. */
  const insertMedia = async (rows: { type: string; attributes?: object }[]): Promise<string[]> => {
    const inserted = await knex('media.media')
      .insert(
        rows.map(({ type, attributes = {} }) => {
          counter += 1;
          return {
            media_type: type,
            media_class: CLASS_OF[type],
            title: `Counter test title ${counter}`,
            attributes: JSON.stringify(attributes),
          };
        }),
      )
      .returning<{ id: string }[]>('id');
    return inserted.map((row) => row.id);
  };
  const genresOf = async (id: string): Promise<string[]> =>
    (await knex('media.media').where({ id }).first<{ genres: string[] } | undefined>('genres'))!.genres;
  const trackingCount = async (id: string): Promise<number> =>
    (await knex('media.media').where({ id }).first<{ tracking_count: number } | undefined>('tracking_count'))!
      .tracking_count;

  /** The counters agree with counting the catalog afresh. */
  const expectCountersToMatchTheCatalog = async () => {
    const { rows: types } = await knex.raw<{ rows: { media_type: string; n: string }[] }>(
      'select media_type, count(*) as n from media.media group by media_type',
    );
    const { rows: genres } = await knex.raw<{ rows: { genre: string; n: string }[] }>(
      'select genre, count(*) as n from media.media, unnest(genres) as genre group by genre',
    );
    const nonZeroTypes = Object.fromEntries(Object.entries(await typeCounts()).filter(([, count]) => count !== 0));
    expect(nonZeroTypes).toEqual(Object.fromEntries(types.map((row) => [row.media_type, Number(row.n)])));
    expect(await genreCounts()).toEqual(Object.fromEntries(genres.map((row) => [row.genre, Number(row.n)])));
    // Every (type, class, genre) with titles, genre '' standing for all of them.
    const facetsSql = `select concat_ws(' ', media_type, media_class::text, genre) as facet, media_count::int as n
      from media.facet_counts where media_count <> 0`;
    const freshSql = `select concat_ws(' ', media_type, media_class::text, genre) as facet, count(*)::int as n
      from media.media, unnest(genres || '{""}'::text[]) as genre group by 1`;
    const asMap = (rows: { facet: string; n: number }[]) => Object.fromEntries(rows.map((row) => [row.facet, row.n]));
    const kept = await knex.raw<{ rows: { facet: string; n: number }[] }>(facetsSql);
    const fresh = await knex.raw<{ rows: { facet: string; n: number }[] }>(freshSql);
    expect(asMap(kept.rows)).toEqual(asMap(fresh.rows));
  };

  describe('on the seeded catalog', () => {
    it('the type counts add up to the number of titles', async () => {
      const [counted] = await knex('media.type_counts').sum<{ total: string }[]>({ total: 'media_count' });
      const [titles] = await knex('media.media').count<{ n: string }[]>({ n: '*' });
      expect(Number(titles!.n)).toBeGreaterThan(1000);
      expect(Number(counted!.total)).toBe(Number(titles!.n));
    });

    it('the genre counts equal a fresh count of every title’s genres', async () => {
      expect(Object.keys(await genreCounts()).length).toBeGreaterThan(10);
      await expectCountersToMatchTheCatalog();
    });
  });

  describe('the genres column', () => {
    it('is the sorted, distinct, non-blank list of genres from attributes', async () => {
      const [id] = await insertMedia([
        { type: 'book', attributes: { genres: [genre('b'), genre('a'), genre('b'), '  ', ''], pages: 100 } },
      ]);
      expect(await genresOf(id!)).toEqual([genre('a'), genre('b')]);
    });

    it.each([
      ['a string', { genres: 'Drama' }],
      ['an object', { genres: { main: 'Drama' } }],
      ['null', { genres: null }],
      ['missing', { pages: 12 }],
    ])('is empty when attributes.genres is %s, and counts no genre', async (_case, attributes) => {
      const before = await genreCounts();
      const [id] = await insertMedia([{ type: 'book', attributes }]);
      expect(await genresOf(id!)).toEqual([]);
      expect(await genreCounts()).toEqual(before);
    });

    it('follows an update of attributes', async () => {
      const [id] = await insertMedia([{ type: 'book', attributes: { genres: [genre('old')] } }]);
      await knex('media.media')
        .where({ id })
        .update({ attributes: JSON.stringify({ genres: [genre('z'), genre('y')] }) });
      expect(await genresOf(id!)).toEqual([genre('y'), genre('z')]);
    });
  });

  describe('media.type_counts and media.genre_counts', () => {
    it('count up the types and genres of inserted titles, several to a statement', async () => {
      const types = await typeCounts();
      const [alpha, beta] = [genre('insert alpha'), genre('insert beta')];
      await insertMedia([
        { type: 'podcast', attributes: { genres: [alpha, beta] } },
        { type: 'podcast', attributes: { genres: [alpha] } },
        { type: 'game', attributes: { genres: [beta, alpha, alpha] } },
      ]);
      const after = await typeCounts();
      expect(after.podcast).toBe(types.podcast! + 2);
      expect(after.game).toBe(types.game! + 1);
      expect(after.book).toBe(types.book);
      expect(await genreCount(alpha)).toBe(3);
      expect(await genreCount(beta)).toBe(2);

      await insertMedia([{ type: 'podcast', attributes: { genres: [beta] } }]);
      expect((await typeCounts()).podcast).toBe(types.podcast! + 3);
      expect(await genreCount(beta)).toBe(3);
      await expectCountersToMatchTheCatalog();
    });

    it('move a title’s genres when its attributes change', async () => {
      const [kept, dropped, added] = [genre('update kept'), genre('update dropped'), genre('update added')];
      const [first, second] = await insertMedia([
        { type: 'book', attributes: { genres: [kept, dropped] } },
        { type: 'book', attributes: { genres: [kept] } },
      ]);
      const types = await typeCounts();

      await knex('media.media')
        .where({ id: first })
        .update({ attributes: JSON.stringify({ genres: [kept, added] }) });
      expect(await genreCount(kept)).toBe(2);
      expect(await genreCount(added)).toBe(1);
      // No title has it any more: the genre is gone from the choices, not left at zero.
      expect(await genreCount(dropped)).toBeUndefined();
      expect(await typeCounts()).toEqual(types);

      // Both titles in one statement.
      await knex('media.media')
        .whereIn('id', [first!, second!])
        .update({ attributes: JSON.stringify({ genres: [added] }) });
      expect(await genreCount(kept)).toBeUndefined();
      expect(await genreCount(added)).toBe(2);
      await expectCountersToMatchTheCatalog();
    });

    it('move a title from one type to another when its media_type changes, keeping its genres', async () => {
      const stays = genre('retyped');
      const [id] = await insertMedia([{ type: 'podcast', attributes: { genres: [stays] } }]);
      const types = await typeCounts();

      await knex('media.media').where({ id }).update({ media_type: 'book', media_class: CLASS_OF.book });
      const after = await typeCounts();
      expect(after.podcast).toBe(types.podcast! - 1);
      expect(after.book).toBe(types.book! + 1);
      expect(after.game).toBe(types.game);
      expect(await genreCount(stays)).toBe(1);
      await expectCountersToMatchTheCatalog();
    });

    it('move a title’s facet counts when only its class changes', async () => {
      const [id] = await insertMedia([{ type: 'book', attributes: { genres: [genre('reclassed')] } }]);
      await knex('media.media').where({ id }).update({ media_class: 'written' });
      const { rows } = await knex.raw<{ rows: { media_class: string; media_count: string }[] }>(
        'select media_class::text, media_count from media.facet_counts where genre = ? order by 1',
        [genre('reclassed')],
      );
      expect(rows.map((row) => [row.media_class, Number(row.media_count)])).toEqual([
        ['written', 1],
        ['written.book', 0],
      ]);
      await expectCountersToMatchTheCatalog();
    });

    it('stay as they are when an edit changes neither type nor genres', async () => {
      const [id] = await insertMedia([{ type: 'game', attributes: { genres: [genre('edit')] } }]);
      const [types, genres] = [await typeCounts(), await genreCounts()];
      await knex('media.media')
        .where({ id })
        .update({ title: 'Counter test renamed', attributes: JSON.stringify({ genres: [genre('edit')], hours: 3 }) });
      expect(await typeCounts()).toEqual(types);
      expect(await genreCounts()).toEqual(genres);
    });

    it('count down deleted titles, and drop a genre no title has any more', async () => {
      const [shared, only] = [genre('delete shared'), genre('delete only')];
      const [first, second, third] = await insertMedia([
        { type: 'game', attributes: { genres: [shared, only] } },
        { type: 'game', attributes: { genres: [shared] } },
        { type: 'podcast', attributes: { genres: [shared] } },
      ]);
      const types = await typeCounts();
      expect(await genreCount(shared)).toBe(3);

      await knex('media.media').where({ id: first }).delete();
      expect((await typeCounts()).game).toBe(types.game! - 1);
      expect(await genreCount(shared)).toBe(2);
      expect(await genreCount(only)).toBeUndefined();

      await knex('media.media').whereIn('id', [second!, third!]).delete();
      const after = await typeCounts();
      expect(after.game).toBe(types.game! - 2);
      expect(after.podcast).toBe(types.podcast! - 1);
      expect(await genreCount(shared)).toBeUndefined();
      await expectCountersToMatchTheCatalog();
    });
  });

  describe('media.media.tracking_count', () => {
    it('changes neither updated_at nor any counter when it alone is updated', async () => {
      const [id] = await insertMedia([{ type: 'podcast', attributes: { genres: [genre('popular')] } }]);
      const stamp = async () =>
        (await knex('media.media')
          .where({ id })
          .first<{ updated_at: Date } | undefined>('updated_at'))!.updated_at.toISOString();
      const [updatedAt, types, genres] = [await stamp(), await typeCounts(), await genreCounts()];

      await knex('media.media')
        .where({ id })
        .update({ tracking_count: knex.raw('tracking_count + 5') });
      expect(await trackingCount(id!)).toBe(5);
      expect(await stamp()).toBe(updatedAt);
      expect(await typeCounts()).toEqual(types);
      expect(await genreCounts()).toEqual(genres);

      // Whereas an edit of the title itself is stamped.
      await knex('media.media').where({ id }).update({ title: 'Counter test edited' });
      expect(await stamp()).not.toBe(updatedAt);
    });

    it('counts the users who have a title in their list, as entries come and go', async () => {
      const [title, other] = await insertMedia([{ type: 'book' }, { type: 'book' }]);
      const [ann, ben, cal] = [await createUser(knex), await createUser(knex), await createUser(knex)];
      expect(await trackingCount(title!)).toBe(0);

      await knex('interaction.user_media').insert([
        { user_id: ann.id, media_id: title, status: 'planning' },
        { user_id: ben.id, media_id: title, status: 'completed' },
      ]);
      expect(await trackingCount(title!)).toBe(2);
      await knex('interaction.user_media').insert({ user_id: cal.id, media_id: title, status: 'paused' });
      expect(await trackingCount(title!)).toBe(3);

      // A change of status is not a new tracker.
      await knex('interaction.user_media').where({ user_id: ann.id, media_id: title }).update({ status: 'dropped' });
      expect(await trackingCount(title!)).toBe(3);

      // An entry moved to another title counts there instead.
      await knex('interaction.user_media').where({ user_id: ben.id, media_id: title }).update({ media_id: other });
      expect(await trackingCount(title!)).toBe(2);
      expect(await trackingCount(other!)).toBe(1);

      await knex('interaction.user_media').where({ user_id: cal.id, media_id: title }).delete();
      expect(await trackingCount(title!)).toBe(1);

      // Deleting a user deletes their entries (cascade), which count down too.
      await knex('users.users').whereIn('id', [ann.id, ben.id]).delete();
      expect(await knex('interaction.user_media').whereIn('user_id', [ann.id, ben.id])).toHaveLength(0);
      expect(await trackingCount(title!)).toBe(0);
      expect(await trackingCount(other!)).toBe(0);
    });

    it('leaves the type and genre counts alone when it moves', async () => {
      const [id] = await insertMedia([{ type: 'game', attributes: { genres: [genre('tracked')] } }]);
      const user = await createUser(knex);
      const [types, genres] = [await typeCounts(), await genreCounts()];
      await knex('interaction.user_media').insert({ user_id: user.id, media_id: id, status: 'planning' });
      expect(await trackingCount(id!)).toBe(1);
      expect(await typeCounts()).toEqual(types);
      expect(await genreCounts()).toEqual(genres);
    });
  });
});

describe('the word list typos are corrected against', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  const titlesUsing = async (word: string) => {
    const row = await db.knex('media.search_words').where({ word }).first<{ titles: string } | undefined>('titles');
    return row ? Number(row.titles) : 0;
  };

  it('holds every word of the seeded catalog with the number of titles using it', async () => {
    const { rows } = await db.knex.raw<{ rows: { differences: string }[] }>(`
      with fresh as (select lexeme as word, count(*) as titles from media.media, unnest(search_vector) group by lexeme)
      select count(*) as differences from fresh full join media.search_words w using (word)
       where fresh.titles is distinct from w.titles`);
    expect(Number(rows[0]!.differences)).toBe(0);
    expect(await titlesUsing('godfather')).toBeGreaterThan(0);
  });

  it('follows titles as they are added, renamed and removed', async () => {
    const [first, second] = await db
      .knex('media.media')
      .insert([
        {
          media_type: 'book',
          media_class: 'written.book',
          title: 'Quuxobrandt Rising',
          creators: ['Zelmira Quuxobrandt'],
        },
        { media_type: 'book', media_class: 'written.book', title: 'The Quuxobrandt Years' },
      ])
      .returning<{ id: string }[]>('id');
    expect(await titlesUsing('quuxobrandt')).toBe(2);
    expect(await titlesUsing('zelmira')).toBe(1);
    await db.knex('media.media').where({ id: first!.id }).update({ title: 'Vendrakolian Rising' });
    expect(await titlesUsing('quuxobrandt')).toBe(2); // still the creator's name
    expect(await titlesUsing('vendrakolian')).toBe(1);
    // A change that leaves the words alone leaves the list alone.
    await db.knex('media.media').where({ id: first!.id }).update({ tracking_count: 3 });
    expect(await titlesUsing('vendrakolian')).toBe(1);
    await db.knex('media.media').whereIn('id', [first!.id, second!.id]).delete();
    expect(await titlesUsing('quuxobrandt')).toBe(0);
    expect(await titlesUsing('vendrakolian')).toBe(0);
  });
});

describe('media.search_terms, the words of each title the search reads in order', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  /** Rows of media.search_terms that differ from a fresh reading of every title. */
  const differences = async () => {
    const { rows } = await db.knex.raw<{ rows: { differences: string }[] }>(`
      with fresh as (select w.lexeme as word, media.search_term_place(m.title, w.weights) as place, m.id as media_id
                       from media.media m, unnest(m.search_vector) as w),
           stale as ((select * from fresh except all select word, place, media_id from media.search_terms)
                     union all
                     (select word, place, media_id from media.search_terms except all select * from fresh))
      select count(*) as differences from stale`);
    return Number(rows[0]!.differences);
  };

  const termsOf = async (id: string) =>
    await db
      .knex('media.search_terms')
      .where({ media_id: id })
      .orderBy('word')
      .select<{ word: string; place: number }[]>('word', 'place');

  it('holds every word of every seeded title', async () => {
    expect(await differences()).toBe(0);
    expect(Number((await db.knex('media.search_terms').count({ n: '*' }))[0]!.n)).toBeGreaterThan(16_000);
  });

  it('places a title’s own words before its original title’s and its creators’, shorter titles first', async () => {
    const [row] = await db
      .knex('media.media')
      .insert({
        media_type: 'book',
        media_class: 'written.book',
        title: 'Plimsoll Tide',
        original_title: 'Marée Plimsoll',
        creators: ['Odile Varnach'],
      })
      .returning<{ id: string }[]>('id');
    expect(await termsOf(row!.id)).toEqual([
      { word: 'maree', place: 1013 },
      { word: 'odile', place: 2013 },
      { word: 'plimsoll', place: 13 },
      { word: 'tide', place: 13 },
      { word: 'varnach', place: 2013 },
    ]);
    await db.knex('media.media').where({ id: row!.id }).delete();
  });

  it('follows titles as they are added, renamed, re-credited and removed, several to a statement', async () => {
    const rows = await db
      .knex('media.media')
      .insert([
        { media_type: 'book', media_class: 'written.book', title: 'Quenderwick Hollow', creators: ['Ysolde Marrow'] },
        { media_type: 'game', media_class: 'interactive.game', title: 'The Quenderwick Affair' },
      ])
      .returning<{ id: string }[]>('id');
    const [first, second] = rows.map((row) => row.id) as [string, string];
    expect(await differences()).toBe(0);
    await db.knex('media.media').where({ id: first }).update({ title: 'Quenderwick Hollow Revisited' });
    expect((await termsOf(first)).find((term) => term.word === 'revisited')).toEqual({ word: 'revisited', place: 28 });
    await db
      .knex('media.media')
      .where({ id: second })
      .update({ creators: ['Ysolde Marrow'] });
    await db.knex('media.media').whereIn('id', [first, second]).update({ original_title: 'Kwenderwik' });
    expect(await differences()).toBe(0);
    // A change that leaves the words and the title's length alone leaves the terms alone.
    const before = await termsOf(first);
    await db.knex('media.media').where({ id: first }).update({ tracking_count: 4 });
    expect(await termsOf(first)).toEqual(before);
    // A new id takes the terms with it.
    const [moved] = await db
      .knex('media.media')
      .where({ id: second })
      .update({ id: db.knex.raw('gen_random_uuid()') })
      .returning<{ id: string }[]>('id');
    expect(await termsOf(second)).toEqual([]);
    expect((await termsOf(moved!.id)).map((term) => term.word)).toContain('quenderwick');
    expect(await differences()).toBe(0);
    await db.knex('media.media').whereIn('id', [first, moved!.id]).delete();
    expect(await termsOf(moved!.id)).toEqual([]);
    expect(await termsOf(first)).toEqual([]);
    expect(await termsOf(second)).toEqual([]);
    expect(await differences()).toBe(0);
  });
});
