import * as cheerio from 'cheerio';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { RANKED_CANDIDATES } from '../../src/catalog/candidate-queries';
import { planSearch, searchQuery } from '../../src/search/queries';
import { searchCatalog } from '../../src/catalog/queries';
import { PROBED_TITLES, termToRead } from '../../src/catalog/search-plan';
import { quotedLexeme, searchWords } from '../../src/search/plan';
import { catalogUrl, parseCatalogQuery, PAGE_SIZE } from '../../src/catalog/validation';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, signedInAgent, type Agent } from '../support/session';

const TYPES = ['movie', 'tv', 'anime', 'manga', 'book', 'web_novel', 'game', 'visual_novel', 'podcast'];

describe('the catalog', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
    await db.knex('media.media').insert([
      { media_type: 'book', media_class: 'written.book', title: 'The', release_date: '1999-01-01' },
      {
        media_type: 'anime',
        media_class: 'video.film.anime',
        title: 'Nausicaä of the Valley of the Wind',
        release_date: '1984-03-11',
      },
      {
        media_type: 'manga',
        media_class: 'written.comic.manga',
        title: 'Yotsuba&!',
        release_date: '2003-03-21',
        attributes: { genres: ['Comedy', 'Slice of life'] },
      },
    ]);
  });

  afterAll(async () => {
    await db.drop();
  });

  const get = (url: string, agent?: Agent) => (agent ?? request(app)).get(url);
  const load = async (url: string, agent?: Agent) => {
    const response = await get(url, agent);
    expect(response.status).toBe(200);
    return cheerio.load(response.text);
  };
  const titles = ($: cheerio.CheerioAPI) =>
    $('#rows tr th[scope="row"]')
      .map((_, cell) => $(cell).contents().first().text().trim())
      .get();
  const headers = ($: cheerio.CheerioAPI) =>
    $('thead th')
      .map((_, cell) => $(cell).find('a').contents().first().text().trim() || $(cell).text().trim())
      .get();
  const column = ($: cheerio.CheerioAPI, label: string) => {
    const index = headers($).indexOf(label);
    expect(index).toBeGreaterThan(0);
    return $(`#rows tr > :nth-child(${index + 1})`)
      .map((_, cell) => $(cell).text().trim())
      .get();
  };
  const count = async (build: (query: Knex.QueryBuilder) => unknown) => {
    const query = db.knex('media.media');
    build(query);
    return Number((await query.count({ n: '*' }))[0]!.n);
  };

  it('lists the whole catalog by title, 50 to a page, with the count and the controls bar', async () => {
    const $ = await load('/catalog');
    expect($('body').attr('data-page')).toBe('catalog');
    expect($('nav li.active a').text()).toBe('Catalog');
    expect($('form.controls-bar[method="get"][role="search"] #searchBox[name="q"]')).toHaveLength(1);
    expect($('label[for="searchBox"]').text()).toBe('Search');
    expect(
      $('details.filter-dropdown > summary')
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(['Type', 'Kind', 'Released', 'Genre']);
    expect($('details.columns-dropdown summary').text()).toBe('Columns');
    const total = await count(() => undefined);
    expect($('.result-count').text()).toBe(`1–50 of ${total.toLocaleString('en')}`);
    expect($('#rows tr')).toHaveLength(PAGE_SIZE);
    const expected = await db
      .knex('media.media')
      .orderBy([{ column: 'title' }, { column: 'id' }])
      .limit(PAGE_SIZE)
      .pluck('title');
    expect(titles($)).toEqual(expected);
    expect($('th[aria-sort="ascending"] a').text()).toContain('Title');
    expect(headers($)).toEqual(['Title', 'Type', 'Released', 'Creators', 'Your list']);
    expect($('.filter-status .badge')).toHaveLength(0);
    expect($('nav[aria-label="Pagination"] a[rel="next"]').attr('href')).toBe('/catalog?page=2');
  });

  it.each([
    ['a typo', 'godfathr', 'The Godfather'],
    ['a prefix', 'harry pot', "Harry Potter and the Sorcerer's Stone"],
    ['no accents', 'nausicaa', 'Nausicaä of the Valley of the Wind'],
    ['no accents', 'pokemon', 'Pokémon the Series'],
  ])('finds titles from %s ("%s")', async (_case, q, expected) => {
    const $ = await load(`/catalog?q=${encodeURIComponent(q)}`);
    expect(titles($).slice(0, 10)).toContain(expected);
    expect($('.badge').first().text()).toContain(`Search: ${q}`);
    expect($('caption').text()).toContain('best matches first');
  });

  it('ranks a bounded set of the best candidates when a search matches a great many titles', async () => {
    const broad = await load('/catalog?q=the');
    expect(broad('.result-count').text()).toMatch(/^1–50 of more than [\d,]+$/);
    const shown = Number(/more than ([\d,]+)/.exec(broad('.result-count').text())![1]!.replace(/,/g, ''));
    expect(shown).toBe(RANKED_CANDIDATES);
    // However many titles hold a word starting "the", the title "The" itself comes first.
    expect(titles(broad)[0]).toBe('The');
    const beyond = await load(`/catalog?q=the&page=${RANKED_CANDIDATES / PAGE_SIZE + 5}`);
    expect(beyond('.notice').text()).toContain('this is the last');
    expect(beyond('#rows tr').length).toBeGreaterThan(0);
  });

  it('reads a typo as the nearest words of the catalog, and leaves words that start one alone', async () => {
    expect(await searchQuery(db.knex, 'godfathr')).toMatch(/^\('godfathr':\* \| 'godfather'[ |)]/);
    // A word that starts a few catalog words stands for them, spelled out.
    expect(await searchQuery(db.knex, 'Harry Pot')).toMatch(/^\([^)]*'harry'[^)]*\) & \([^)]*'potter'[^)]*\)$/);
    expect(await searchQuery(db.knex, 'silent memry')).toMatch(
      /^(\([^)]*)?'silent'([^)]*\))? & \('memry':\* \| 'memor/,
    );
    expect(await searchQuery(db.knex, 'zq')).toBe("'zq':*");
    expect(await searchQuery(db.knex, '!!!')).toBeNull();
  });

  it('leaves out a word longer than any title can hold, however it became that long', async () => {
    // 200 characters typed, 800 once decomposed (NFKD: "㍿" is "株式会社"), 2,400 bytes.
    const long = '㍿'.repeat(200);
    expect(searchWords(long)).toEqual([]);
    expect(searchWords(`${long} godfather`)).toEqual(['godfather']);
    for (const sort of ['', '&sort=title', '&sort=year']) {
      const response = await get(`/catalog?q=${encodeURIComponent(long)}${sort}`);
      expect(response.status).toBe(200);
      expect(cheerio.load(response.text)('.result-count').text()).toContain('Nothing matches');
    }
  });

  it('keeps a word that starts many catalog words a prefix, and spells out one that starts few', async () => {
    const plan = await planSearch(db.knex, 'a harry');
    expect(plan?.terms[0]).toEqual({ typed: 'a', words: null, titles: expect.any(Number) as jest.AsymmetricMatcher });
    expect(plan?.tsquery).toMatch(/^'a':\* & \(/);
    const harry = plan?.terms[1];
    expect(harry?.words).toContain('harry');
    // Rarest first, and the count is what media.search_words holds for those words.
    const counts = await db
      .knex('media.search_words')
      .whereIn('word', harry?.words ?? [])
      .select<{ word: string; titles: string }[]>('word', 'titles');
    const titlesOf = new Map(counts.map((row) => [row.word, Number(row.titles)]));
    const inOrder = (harry?.words ?? []).map((word) => titlesOf.get(word) ?? -1);
    expect(inOrder).toEqual([...inOrder].sort((a, b) => a - b));
    expect(harry?.titles).toBe(inOrder.reduce((sum, titles) => sum + titles, 0));
  });

  it.each(['harry pot', 'star wa', 'godfathr', 'nausicaa', 'the lord ring', 'dragon', 'spider', 'zq'])(
    'matches with the spelled-out search (%s) exactly the titles the typed prefixes match',
    async (text) => {
      const plan = await planSearch(db.knex, text);
      const prefixes = searchWords(text)
        .map((word, index) => {
          const nearest = plan!.terms[index]!;
          // A typo's corrections stand beside its prefix in both.
          const corrections = nearest.words && !nearest.words.some((w) => w.startsWith(word)) ? nearest.words : [];
          return `(${[`${quotedLexeme(word)}:*`, ...corrections.map(quotedLexeme)].join(' | ')})`;
        })
        .join(' & ');
      const ids = async (tsquery: string) =>
        (await db
          .knex('media.media')
          .whereRaw('search_vector @@ ?::tsquery', [tsquery])
          .orderBy('id')
          .pluck('id')) as string[];
      expect(await ids(plan!.tsquery)).toEqual(await ids(prefixes));
    },
  );

  it.each(["it's", 'back\\slash', 'spider-man'])(
    'writes the lexeme %s so that tsquery syntax reads that one lexeme',
    async (word) => {
      const { rows } = await db.knex.raw<{ rows: { matches: boolean; other: boolean }[] }>(
        'select array_to_tsvector(array[?]) @@ ?::tsquery as matches, array_to_tsvector(array[?]) @@ ?::tsquery as other',
        [word, quotedLexeme(word), `${word}x`, quotedLexeme(word)],
      );
      expect(rows[0]).toEqual({ matches: true, other: false });
    },
  );

  it('ranks the best match first when searching', async () => {
    const $ = await load('/catalog?q=the+godfather');
    expect(titles($)[0]).toBe('The Godfather');
  });

  it('ranks the exact title, then titles starting with it, holding it, and the creators last', async () => {
    const rows = [
      { title: 'Quiet Night', creators: ['Anna Zorbulon'] },
      { title: 'The Last Zorbulon', creators: [] },
      { title: 'Zorbulon of the North Wind', creators: [] },
      { title: 'Zorbulon Returns', creators: [] },
      { title: 'Zorbulon', creators: [] },
    ];
    const ids = await db
      .knex('media.media')
      .insert(rows.map((row) => ({ ...row, media_type: 'book', media_class: 'written.book' })))
      .returning<{ id: string }[]>('id');
    try {
      const byTitle = ['Zorbulon', 'Zorbulon Returns', 'Zorbulon of the North Wind', 'The Last Zorbulon'];
      expect(titles(await load('/catalog?q=zorbulon'))).toEqual([...byTitle, 'Quiet Night']);
      // Misspelt, the titles are compared with the word meant: the same order.
      expect(titles(await load('/catalog?q=zorbulno'))).toEqual([...byTitle, 'Quiet Night']);
    } finally {
      await db
        .knex('media.media')
        .whereIn(
          'id',
          ids.map(({ id }) => id),
        )
        .delete();
    }
  });

  /** Adds works for one test, and takes them away again whatever happens. */
  const withWorks = async (
    rows: { title: string; attributes?: Record<string, unknown> }[],
    check: (ids: string[]) => Promise<void>,
  ) => {
    const inserted = await db
      .knex('media.media')
      .insert(rows.map((row) => ({ media_type: 'book', media_class: 'written.book', ...row })))
      .returning<{ id: string }[]>('id');
    const ids = inserted.map(({ id }) => id);
    try {
      await check(ids);
    } finally {
      await db.knex('media.media').whereIn('id', ids).delete();
    }
  };

  it('never reads a typo as a much shorter word', async () => {
    await withWorks([{ title: 'Zorb Tales' }, { title: 'The Zorbulator' }], async () => {
      // "zorb" has four of the trigrams of "zorbulatr", enough to be near it, but not its length.
      const plan = await planSearch(db.knex, 'zorbulatr');
      expect(plan?.terms[0]?.words).toContain('zorbulator');
      expect(plan?.terms[0]?.words).not.toContain('zorb');
      expect(titles(await load('/catalog?q=zorbulatr'))).toEqual(['The Zorbulator']);
    });
    const godfather = await planSearch(db.knex, 'godfathr');
    for (const word of godfather?.terms[0]?.words ?? []) expect(word.length).toBeGreaterThanOrEqual(7);
  });

  it('finds a work by any title it is known by, in any script, whole or by its start', async () => {
    await withWorks([{ title: 'Quorvath Chronicles' }, { title: 'Quorvath' }], async ([chronicles = '']) => {
      // As the ingest pipeline records a translation and an original title (media.title_keys).
      await db.knex.raw(
        `insert into media.title_keys (title_key, media_id)
         select media.match_key(t), ? from unnest(?::text[]) as t`,
        [chronicles, ['奎尔瓦斯编年史', 'Les Chroniques de Quorvath']],
      );
      expect(titles(await load(`/catalog?q=${encodeURIComponent('奎尔瓦斯编年史')}`))).toEqual(['Quorvath Chronicles']);
      expect(titles(await load(`/catalog?q=${encodeURIComponent('奎尔瓦斯')}`))).toEqual(['Quorvath Chronicles']);
      // Words of no title of the work's own: its known title starts with them.
      expect(titles(await load('/catalog?q=les+chroniques+de'))[0]).toBe('Quorvath Chronicles');
    });
  });

  it('ranks the more popular of works with the same title first: trackers, or ratings counted elsewhere', async () => {
    await withWorks(
      [
        { title: 'Vellichor Bay' },
        { title: 'Vellichor Bay', attributes: { ratings_count: 50_000 } },
        { title: 'Vellichor Bay' },
      ],
      async ([plain, rated, tracked]) => {
        await db.knex('media.media').where('id', tracked).update({ tracking_count: 3 });
        const page = await searchCatalog(
          db.knex,
          parseCatalogQuery({ q: 'vellichor bay' }, { types: TYPES, classes: [], genres: [], signedIn: false }).query,
          null,
        );
        expect(page.rows.map((row) => row.id)).toEqual([rated, tracked, plain]);
      },
    );
  });

  it('tries each word as a misspelling of another when nothing has every word as typed', async () => {
    await withWorks([{ title: 'Zentrobe Quillfish' }, { title: 'Zentrobi' }], async () => {
      // "zentrobi" is a word of the catalog, so it is taken as typed first, and nothing has both.
      const plan = await planSearch(db.knex, 'zentrobi quillfish');
      expect(plan?.mayCorrectMore).toBe(true);
      const $ = await load('/catalog?q=zentrobi+quillfish');
      expect(titles($)).toEqual(['Zentrobe Quillfish']);
      expect($('.badge').first().text()).toContain('Search: zentrobi quillfish');
    });
  });

  it('filters by one or more types, with a badge per type that removes only that type', async () => {
    const $ = await load('/catalog?type=book&type=game');
    expect(new Set(column($, 'Type'))).toEqual(new Set(['Book', 'Game']));
    const total = await count((query) => query.whereIn('media_type', ['book', 'game']));
    expect($('.result-count').text()).toContain(`of ${total.toLocaleString('en')}`);
    const badges = $('.filter-status .badge');
    expect(badges).toHaveLength(2);
    expect(badges.eq(0).find('a').attr('href')).toBe('/catalog?type=game');
    expect($('.filter-status a.link-button').attr('href')).toBe('/catalog');
    expect($('input[name="type"][value="book"]').attr('checked')).toBeDefined();
  });

  it('filters by kind of media, taking in everything below it in the hierarchy', async () => {
    const written = await load('/catalog?class=written&col=type&sort=type&dir=desc');
    expect(new Set(column(written, 'Type'))).toEqual(new Set(['Book', 'Manga']));
    const total = await count((query) => query.whereIn('media_type', ['book', 'manga']));
    expect(written('.result-count').text()).toContain(`of ${total.toLocaleString('en')}`);
    expect(written('.badge').text()).toContain('Kind: Written');
    const series = await load('/catalog?class=video.series&col=type');
    expect(new Set(column(series, 'Type'))).toEqual(new Set(['TV series', 'Anime']));
  });

  it('counts type, kind and one genre exactly from the kept counts, a kind and its subkind once', async () => {
    const cases: [string, (query: Knex.QueryBuilder) => unknown][] = [
      [
        '/catalog?class=video&genre=Drama',
        (query) => query.whereRaw("media_class <@ 'video' and 'Drama' = any(genres)"),
      ],
      ['/catalog?class=video&class=video.film', (query) => query.whereRaw("media_class <@ 'video'")],
      [
        '/catalog?type=movie&type=game&genre=Action',
        (query) => query.whereIn('media_type', ['movie', 'game']).whereRaw("'Action' = any(genres)"),
      ],
    ];
    for (const [url, build] of cases) {
      const total = await count(build);
      expect(total).toBeGreaterThan(PAGE_SIZE);
      expect((await load(url))('.result-count').text()).toBe(`1–50 of ${total.toLocaleString('en')}`);
    }
  });

  it('filters by decade or by a year range, with one badge for the years', async () => {
    const $ = await load('/catalog?decade=1990s&sort=year&col=year');
    const years = column($, 'Released').map((text) => Number(text.slice(-4)));
    expect(years.every((year) => year >= 1990 && year <= 1999)).toBe(true);
    expect(years[0]).toBe(1990);
    expect($('.badge').text()).toContain('Released: 1990s');
    expect($('#year-from').val()).toBe('1990');
    expect($('.badge a').attr('href')).toBe('/catalog?col=year&sort=year');
    expect($('.decades a[aria-current="true"]').text()).toBe('1990s');
    const total = await count((query) =>
      query.where('release_date', '>=', '1990-01-01').where('release_date', '<', '2000-01-01'),
    );
    expect($('.result-count').text()).toContain(`of ${total.toLocaleString('en')}`);
    const range = await load('/catalog?from=2001&to=2002&sort=year&dir=desc');
    expect(range('.badge').text()).toContain('Released: 2001–2002');
    expect(range('#rows tr time').first().attr('datetime')).toMatch(/^2002-/);
  });

  it('filters by genre, offering the commonest genres', async () => {
    const $ = await load('/catalog?genre=Comedy&genre=Slice+of+life&col=genres');
    const genres = column($, 'Genres');
    expect(genres.length).toBeGreaterThan(0);
    expect(genres.every((text) => /Comedy|Slice of life/.test(text))).toBe(true);
    expect($('input[name="genre"][value="Drama"]')).toHaveLength(1);
    expect($('input[name="genre"][value="Slice of life"]').attr('checked')).toBeDefined();
    expect(
      $('.badge')
        .map((_, el) => $(el).contents().first().text().trim())
        .get(),
    ).toEqual(['Genre: Comedy', 'Genre: Slice of life']);
  });

  it('sorts by title, type, year and popularity, both ways, marking the sorted column', async () => {
    const descending = await load('/catalog?dir=desc');
    const last = await db
      .knex('media.media')
      .orderBy([{ column: 'title', order: 'desc' }])
      .first<{ title: string } | undefined>('title');
    expect(titles(descending)[0]).toBe(last!.title);
    expect(descending('th[aria-sort="descending"] a').text()).toContain('Title');

    const byType = await load('/catalog?sort=type&dir=desc');
    // No web novel or visual novel is in the seed: TV comes last of the types present.
    expect(column(byType, 'Type')[0]).toBe('TV series');

    const ascending = await load('/catalog?sort=year');
    expect(ascending('th[aria-sort="ascending"] a').text()).toContain('Released');
    const oldest = await db.knex('media.media').min({ d: 'release_date' });
    expect(ascending('#rows tr').first().find('time').attr('datetime')).toBe(oldest[0]!.d);
    const newest = await load('/catalog?sort=year&dir=desc');
    const latest = await db.knex('media.media').max({ d: 'release_date' });
    expect(newest('#rows tr').first().find('time').attr('datetime')).toBe(latest[0]!.d);
    // Choosing a header first sorts it the natural way: titles A–Z, years newest first.
    expect(ascending('#sort-title').attr('href')).toBe('/catalog');
    const plain = await load('/catalog');
    expect(plain('#sort-year').attr('href')).toBe('/catalog?sort=year&dir=desc');
    expect(plain('#sort-title').attr('href')).toBe('/catalog?dir=desc');

    const [popular] = await db.knex('media.media').where('title', 'Yotsuba&!').select<{ id: string }[]>('id');
    const fans = await Promise.all([1, 2, 3].map(() => createUser(db.knex)));
    await db
      .knex('interaction.user_media')
      .insert(fans.map((fan) => ({ user_id: fan.id, media_id: popular!.id, status: 'completed' })));
    const byPopularity = await load('/catalog?sort=popularity&dir=desc&col=popularity');
    expect(titles(byPopularity)[0]).toBe('Yotsuba&!');
    expect(column(byPopularity, 'Tracked by')[0]).toBe('3');
    expect(byPopularity('th[aria-sort="descending"] a').text()).toContain('Tracked by');
  });

  it('shows and hides columns from the URL', async () => {
    const none = await load('/catalog?col=none');
    expect(headers(none)).toEqual(['Title', 'Your list']);
    expect(none('#rows tr').first().children()).toHaveLength(2);
    expect(none('#sort-title').attr('href')).toBe('/catalog?col=none&dir=desc');
    // The form with every box cleared sends only its "columns=chosen" marker.
    expect(headers(await load('/catalog?q=&columns=chosen'))).toEqual(['Title', 'Your list']);
    const some = await load('/catalog?col=country&col=genres&col=type');
    expect(headers(some)).toEqual(['Title', 'Type', 'Country', 'Genres', 'Your list']);
    expect(some('input[name="col"][value="country"]').attr('checked')).toBeDefined();
    expect(some('input[name="col"][value="creators"]').attr('checked')).toBeUndefined();
  });

  it("remembers a signed-in user's columns when they choose them on our pages, not from another site", async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    // Neither Sec-Fetch-Site nor Referer: nothing says the choice was made here.
    await agent.get('/catalog?col=genres');
    await agent.get('/catalog?col=country').set('Sec-Fetch-Site', 'cross-site');
    expect(headers(await load('/catalog', agent))).toEqual(['Title', 'Type', 'Released', 'Creators', 'Your list']);
    const chosen = await agent.get('/catalog?col=none&col=genres&col=year').set('Sec-Fetch-Site', 'same-origin');
    // The choice stays in the page's links, so a bookmark keeps it whatever is saved later.
    expect(cheerio.load(chosen.text)('#sort-title').attr('href')).toBe('/catalog?col=year&col=genres&dir=desc');
    expect(headers(await load('/catalog', agent))).toEqual(['Title', 'Released', 'Genres', 'Your list']);
    const saved = await db
      .knex('users.preferences')
      .where('user_id', user.id)
      .first<{ catalog_columns: string[] | null } | undefined>('catalog_columns');
    expect(saved!.catalog_columns).toEqual(['year', 'genres']);
    // A browser without Sec-Fetch-Site is believed when its Referer is this site.
    await agent.get('/catalog?col=type').set('Referer', 'http://evil.example/catalog');
    expect(headers(await load('/catalog', agent))).toEqual(['Title', 'Released', 'Genres', 'Your list']);
    // Other visitors keep the defaults.
    expect(headers(await load('/catalog'))).toEqual(['Title', 'Type', 'Released', 'Creators', 'Your list']);
  });

  it("filters a signed-in user's view by their list: in it, not in it, or one status", async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    const picks = await db
      .knex('media.media')
      .orderBy('title')
      .limit(3)
      .select<{ id: string; title: string }[]>('id', 'title');
    await db.knex('interaction.user_media').insert([
      { user_id: user.id, media_id: picks[0]!.id, status: 'completed' },
      { user_id: user.id, media_id: picks[1]!.id, status: 'planning' },
    ]);
    expect(titles(await load('/catalog?list=in', agent))).toEqual([picks[0]!.title, picks[1]!.title]);
    const completed = await load('/catalog?list=completed', agent);
    expect(titles(completed)).toEqual([picks[0]!.title]);
    expect(completed('.badge').text()).toContain('My list: Completed');
    expect(completed('#rows .entry-status').text()).toContain('In your list: Completed');
    const out = await load('/catalog?list=out', agent);
    expect(titles(out)).not.toContain(picks[0]!.title);
    expect(titles(out)[0]).toBe(picks[2]!.title);
    expect(out('input[name="list"][value="out"]').attr('checked')).toBeDefined();
    // Anonymous visitors have no list to filter by.
    const anonymous = await load('/catalog?list=in');
    expect(anonymous('input[name="list"]')).toHaveLength(0);
    expect(anonymous('.notice').text()).toContain('Sign in to filter by your list.');
  });

  it('keeps the other filters, the sort and the columns in each badge and in Clear', async () => {
    const $ = await load('/catalog?q=love&type=movie&genre=Drama&from=1950&sort=year&col=genres');
    const links = $('.filter-status .badge a')
      .map((_, el) => $(el).attr('href'))
      .get();
    expect(links).toEqual([
      '/catalog?type=movie&genre=Drama&from=1950&col=genres&sort=year',
      '/catalog?q=love&genre=Drama&from=1950&col=genres&sort=year',
      '/catalog?q=love&type=movie&genre=Drama&col=genres&sort=year',
      '/catalog?q=love&type=movie&from=1950&col=genres&sort=year',
    ]);
    expect($('.filter-status a.link-button').attr('href')).toBe('/catalog?col=genres&sort=year');
  });

  it('pages through the results, and counts large result sets only so far', async () => {
    const page3 = await load('/catalog?page=3');
    expect(page3('.result-count').text()).toMatch(/^101–150 of /);
    expect(page3('a[rel="prev"]').attr('href')).toBe('/catalog?page=2');
    expect(page3('a[rel="next"]').attr('href')).toBe('/catalog?page=4');
    const total = await count((query) => query.where('media_type', 'game'));
    const lastPage = Math.ceil(total / PAGE_SIZE);
    const beyond = await load(`/catalog?type=game&page=${lastPage + 5}`);
    expect(beyond('.notice').text()).toContain(`only ${lastPage} pages`);
    expect(beyond('.result-count').text()).toBe(
      `${((lastPage - 1) * PAGE_SIZE + 1).toLocaleString('en')}–${total.toLocaleString('en')} of ${total.toLocaleString('en')}`,
    );
    expect(beyond('a[rel="next"]')).toHaveLength(0);
    const wide = await load('/catalog?from=1800');
    expect(wide('.result-count').text()).toBe('1–50 of more than 10,000');
    const none = await load('/catalog?q=zzzzqqqqxxxx');
    expect(none('.result-count').text()).toContain('Nothing matches');
    expect(none('table')).toHaveLength(0);
  });

  it('answers htmx with the results and the badges only, from the same row markup, varying on HX-Request', async () => {
    const url = '/catalog?q=godfather&type=movie&from=&to=&columns=chosen&col=type&col=year&col=creators';
    const full = await get(url);
    const fragment = await get(url).set('HX-Request', 'true');
    expect(fragment.status).toBe(200);
    for (const response of [full, fragment]) expect(response.headers.vary).toMatch(/HX-Request/);
    expect(fragment.headers['hx-push-url']).toBe('/catalog?q=godfather&type=movie');
    expect(full.headers['hx-push-url']).toBeUndefined();
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).not.toContain('controls-bar');
    const whole = cheerio.load(full.text);
    const part = cheerio.load(fragment.text);
    expect(part('#rows').html()).toBe(whole('#rows').html());
    expect(part('#result-count').text()).toBe(whole('#result-count').text());
    expect(part('#filter-status[hx-swap-oob="true"] .badge')).toHaveLength(2);
    expect(part('#sort-state[hx-swap-oob="true"]')).toHaveLength(1);
    expect(part('title').text()).toBe('Catalog · OmniMediaTrak');
    // Said to screen readers from a live region that stays in the page.
    expect(part('#results-status[hx-swap-oob="innerHTML"]').text()).toBe(whole('#result-count').text());
    expect(whole('#results-status[role="status"]').text()).toBe('');
    // A history restore wants the whole page.
    const restore = await get(url).set('HX-Request', 'true').set('HX-History-Restore-Request', 'true');
    expect(restore.text).toContain('<html');
  });

  it.each([
    ['/catalog?sort=popularity; drop table x', 'Sorting by'],
    ['/catalog?page=abc', 'There is no page'],
    ['/catalog?page=0', 'There is no page'],
    ['/catalog?page=999999', 'Pages past'],
    ['/catalog?q=godfather&page=50', 'this is the last'],
    ['/catalog?type=vinyl', 'unknown media type'],
    ['/catalog?class=written.zzz', 'unknown kind of media'],
    ['/catalog?class=written..zzz', 'unknown kind of media'],
    ['/catalog?class=a%20b%27%3B', 'unknown kind of media'],
    [`/catalog?class=${'x'.repeat(300)}`, 'unknown kind of media'],
    ['/catalog?genre=Polka', 'unknown genre'],
    ['/catalog?genre=a%00b', 'unknown genre'],
    ['/catalog?type=%00', 'unknown media type'],
    ['/catalog?type=movie%00&genre=%00&genre=Drama', 'unknown media type'],
    ['/catalog?q=a&sort=relevance&genre=%00', 'unknown genre'],
    [`/catalog?type=${'t'.repeat(8000)}`, 'unknown media type'],
    ['/catalog?from=19x5', 'not a year'],
    ['/catalog?to=99999', 'not a year'],
    ['/catalog?decade=1995s', 'not a decade'],
    ['/catalog?from=2000&to=1990', 'wrong way round'],
    ['/catalog?col=stars', 'unknown column'],
    ['/catalog?list=favourites', 'Sign in to filter'],
    [`/catalog?q=${'a'.repeat(300)}`, 'shortened'],
    ['/catalog?dir=sideways', 'direction'],
    ['/catalog?q=%00%01', ''],
  ])('corrects %s with a visible note instead of failing', async (url, note) => {
    const $ = await load(url);
    if (note) expect($('.notice[role="status"]').text()).toContain(note);
    expect($('#result-count')).toHaveLength(1);
  });

  it('shows the titles the other filters let through when a name in the URL does not exist', async () => {
    // The page is first read with the names as asked, and read again without the unknown ones.
    const everything = await load('/catalog');
    for (const url of ['/catalog?genre=Polka', '/catalog?class=written.zzz', '/catalog?type=vinyl&genre=Polka']) {
      const $ = await load(url);
      expect($('.notice[role="status"]').text()).toContain('unknown');
      expect($('#result-count').text()).toBe(everything('#result-count').text());
      expect($('#rows tr').length).toBe(everything('#rows tr').length);
    }
    const anime = await load('/catalog?type=anime&genre=Polka');
    expect(anime('.badge').text()).toContain('Anime');
    expect(anime('.badge').text()).not.toContain('Polka');
    expect(Number(anime('#rows tr').length)).toBeGreaterThan(0);
  });

  it('links a catalog URL back to the same state', () => {
    expect(
      catalogUrl(
        parseCatalogQuery({ type: 'anime' }, { types: TYPES, classes: [], genres: [], signedIn: false }).query,
      ),
    ).toBe('/catalog?type=anime');
  });
});

describe('reading the catalog query string', () => {
  const known = { types: TYPES, classes: ['video', 'written'], genres: ['Drama', 'Comedy'], signedIn: true };
  const defaults = {
    q: '',
    types: [],
    classes: [],
    genres: [],
    from: null,
    to: null,
    list: null,
    columns: null,
    sort: 'title',
    direction: 'asc',
    page: 1,
  };

  it('keeps known values and drops the rest, with a note for each kind dropped', () => {
    expect(
      parseCatalogQuery(
        {
          q: '  harry  ',
          type: ['book', 'nope'],
          class: 'written',
          genre: ['Drama', 'Drama', 'Polka'],
          sort: 'year',
          dir: 'desc',
          page: '2',
          col: ['none', 'genres', 'type'],
        },
        known,
      ),
    ).toEqual({
      query: {
        ...defaults,
        q: 'harry',
        types: ['book'],
        classes: ['written'],
        genres: ['Drama'],
        columns: ['type', 'genres'],
        sort: 'year',
        direction: 'desc',
        page: 2,
      },
      notes: ['An unknown media type was left out of the filter.', 'An unknown genre was left out of the filter.'],
    });
    expect(parseCatalogQuery({}, known).query).toEqual(defaults);
    expect(parseCatalogQuery({ q: 'x' }, known).query.sort).toBe('relevance');
  });

  it('reads a decade as a year range, and puts reversed years the right way round', () => {
    expect(parseCatalogQuery({ decade: '1990s' }, known).query).toMatchObject({ from: 1990, to: 1999 });
    expect(parseCatalogQuery({ decade: '1980' }, known).query).toMatchObject({ from: 1980, to: 1989 });
    const reversed = parseCatalogQuery({ from: '2005', to: '1995' }, known);
    expect(reversed.query).toMatchObject({ from: 1995, to: 2005 });
    expect(reversed.notes).toEqual(['The years were the wrong way round; showing 1995 to 2005.']);
    expect(parseCatalogQuery({ decade: 'nineties' }, known).notes[0]).toContain('not a decade');
  });

  it('offers the list filter to signed-in viewers only', () => {
    expect(parseCatalogQuery({ list: 'completed' }, known).query.list).toBe('completed');
    const anonymous = parseCatalogQuery({ list: 'completed' }, { ...known, signedIn: false });
    expect(anonymous.query.list).toBeNull();
    expect(anonymous.notes).toEqual(['Sign in to filter by your list.']);
  });

  it('writes the shortest URL for a state, and reads it back to the same state', () => {
    const { query } = parseCatalogQuery(
      { q: 'ghost', type: ['anime', 'movie'], decade: '1990', col: 'none', sort: 'year', dir: 'desc', page: '3' },
      known,
    );
    const url = catalogUrl(query);
    expect(url).toBe('/catalog?q=ghost&type=anime&type=movie&from=1990&to=1999&col=none&sort=year&dir=desc&page=3');
    const params = new URL(url, 'http://x').searchParams;
    const raw = Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key)]));
    expect(parseCatalogQuery(raw, known).query).toEqual(query);
    expect(catalogUrl(parseCatalogQuery({}, known).query)).toBe('/catalog');
  });
});

describe('a search read through media.search_terms', () => {
  let db: TestDatabase;
  let app: Express;
  const words = ['zorblatt', 'zorblatts', 'zorbly'];

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
    await db.knex('media.media').insert([
      // Both words the prefix "zorbl" stands for: shown once, counted once.
      { media_type: 'book', media_class: 'written.book', title: 'Zorblatt and the Zorblatts' },
      { media_type: 'game', media_class: 'interactive.game', title: 'Zorblatt' },
      { media_type: 'book', media_class: 'written.book', title: 'Return of the Zorblatts' },
      { media_type: 'movie', media_class: 'video.film', title: 'Quiet Days', creators: ['Ann Zorbly'] },
    ]);
  });

  afterAll(async () => {
    await db.drop();
  });

  const rowTitles = async (url: string) => {
    const response = await request(app).get(url);
    expect(response.status).toBe(200);
    const $ = cheerio.load(response.text);
    return {
      titles: $('#rows tr th[scope="row"] > a')
        .map((_, cell) => $(cell).text().trim())
        .get(),
      count: $('.result-count').text().trim(),
    };
  };

  const parsed = (raw: Record<string, unknown>) =>
    parseCatalogQuery(raw, { types: TYPES, classes: [], genres: [], signedIn: false }).query;

  it('reads one word’s titles when the search has one word and no filter, or a rare word', async () => {
    const plan = (await planSearch(db.knex, 'zorbl'))!;
    expect(plan.terms[0]!.words).toEqual(expect.arrayContaining(words));
    expect(termToRead(parsed({ q: 'zorbl' }), plan.terms)).toBe(plan.terms[0]);
    expect(termToRead(parsed({ q: 'zorbl', type: 'book' }), plan.terms)).toBe(plan.terms[0]);
    const broad = (await planSearch(db.knex, 'a the'))!;
    // Two words each in more titles than PROBED_TITLES (or a prefix too broad to spell out): the GIN index.
    expect(broad.terms.every((term) => term.words === null || term.titles > PROBED_TITLES)).toBe(true);
    expect(termToRead(parsed({ q: 'a the' }), broad.terms)).toBeNull();
    // A single word reads its titles even when it is in many.
    const the = (await planSearch(db.knex, 'the'))!;
    expect(termToRead(parsed({ q: 'the' }), the.terms)?.typed).toBe('the');
  });

  it('shows each matching title once, and counts it once', async () => {
    const { titles, count } = await rowTitles('/catalog?q=zorbl');
    expect([...titles].sort()).toEqual([
      'Quiet Days',
      'Return of the Zorblatts',
      'Zorblatt',
      'Zorblatt and the Zorblatts',
    ]);
    expect(count).toBe('1–4 of 4');
    // The title itself first: typed exactly, then titles with the word in them, then a creator.
    expect(titles[titles.length - 1]).toBe('Quiet Days');
  });

  it('applies the filters and the other words to the titles it reads', async () => {
    expect((await rowTitles('/catalog?q=zorbl&type=book')).titles.sort()).toEqual([
      'Return of the Zorblatts',
      'Zorblatt and the Zorblatts',
    ]);
    expect((await rowTitles('/catalog?q=zorblatts%20retu')).titles).toEqual(['Return of the Zorblatts']);
    expect((await rowTitles('/catalog?q=zorbly%20quiet')).titles).toEqual(['Quiet Days']);
  });

  it('reads a prefix of more words than it spells out from the range of its words, each title once', async () => {
    // 70 words starting "qwv", one title each, and one title with two of them.
    await db.knex.raw(
      `insert into media.media (media_type, media_class, title)
       select 'book', 'written.book'::ltree, 'Qwv' || chr(97 + n / 26) || chr(97 + n % 26) || ' Tale'
         from generate_series(0, 69) as n
       union all select 'game', 'interactive.game'::ltree, 'Qwvzz and Qwvzy'`,
    );
    const plan = (await planSearch(db.knex, 'qwv'))!;
    expect(plan.terms[0]!.words).toBeNull();
    expect(plan.tsquery).toBe("'qwv':*");
    expect(termToRead(parsed({ q: 'qwv' }), plan.terms)).toBe(plan.terms[0]);
    const page = await searchCatalog(db.knex, parsed({ q: 'qwv' }), null);
    expect(page.total).toBe(71);
    expect(new Set(page.rows.map((row) => row.id)).size).toBe(page.rows.length);
    const second = await searchCatalog(db.knex, { ...parsed({ q: 'qwv' }), page: 2 }, null);
    const all = [...page.rows, ...second.rows].map((row) => row.title);
    expect(all).toHaveLength(71);
    expect(new Set(all).size).toBe(71);
    expect(all).toContain('Qwvzz and Qwvzy');
  });

  it.each([
    ['two words it spells out', 'vexm', "'Vexmor ' || n", "'Vexmor Vexmors'"],
    [
      'more words than it spells out',
      'qwx',
      "'Qwx' || chr(97 + n / 26 / 26) || chr(97 + n / 26 % 26) || chr(97 + n % 26)",
      "'Qwxzzz Qwxzzy'",
    ],
  ])(
    'counts a title under %s once, so exactly RANKED_CANDIDATES titles are not "more than"',
    async (_case, typed, title, double) => {
      await db.knex.raw(
        `insert into media.media (media_type, media_class, title)
         select 'book', 'written.book'::ltree, ${title} from generate_series(1, ?::int) as n
         union all select 'game', 'interactive.game'::ltree, ${double}`,
        [RANKED_CANDIDATES - 1],
      );
      const page = await searchCatalog(db.knex, parsed({ q: typed }), null);
      expect({ total: page.total, capped: page.capped }).toEqual({ total: RANKED_CANDIDATES, capped: false });
    },
  );

  it('reads a search of two common words from the full-text index part by part, missing none', async () => {
    // Each word in more titles than are read one by one, and both together in a few: spread over
    // the index's parts by their random ids.
    await db.knex.raw(
      `insert into media.media (media_type, media_class, title)
       select 'book', 'written.book'::ltree, word || ' ' || n
         from unnest(array['Glimmerfen', 'Quarkstone']) as word, generate_series(1, ?::int) as n
       union all select 'game', 'interactive.game'::ltree, 'Glimmerfen Quarkstone ' || n from generate_series(1, 40) as n`,
      [PROBED_TITLES + 1],
    );
    // In the other order, so no title starts with what was typed: every match comes from the index.
    const query = parsed({ q: 'quarkstone glimmerfen' });
    const plan = (await planSearch(db.knex, query.q))!;
    expect(termToRead(query, plan.terms)).toBeNull();
    const page = await searchCatalog(db.knex, query, null);
    expect(page.total).toBe(40);
    expect(page.rows.every((row) => /^Glimmerfen Quarkstone \d+$/.test(row.title))).toBe(true);
    const parts = await db.knex.raw<{ rows: { parts: number }[] }>(
      `select count(distinct get_byte(uuid_send(id), 15) & 7)::int as parts from media.media where title like 'Glimmerfen Quarkstone %'`,
    );
    // Forty random ids fall in more than one part, so the search did read several.
    expect(parts.rows[0]!.parts).toBeGreaterThan(1);
  });

  it('finds what the full-text index finds, on a word of the seeded catalog', async () => {
    const plan = (await planSearch(db.knex, 'godfather'))!;
    const query = parsed({ q: 'godfather' });
    expect(termToRead(query, plan.terms)).not.toBeNull();
    const page = await searchCatalog(db.knex, query, null);
    const expected = (await db
      .knex('media.media')
      .whereRaw('search_vector @@ ?::tsquery', [plan.tsquery])
      .orWhereRaw("title_key like 'godfather%'")
      .pluck('id')) as string[];
    expect(expected.length).toBeLessThan(PAGE_SIZE);
    expect(page.rows.map((row) => row.id).sort()).toEqual([...expected].sort());
    expect(page.total).toBe(expected.length);
  });
});
