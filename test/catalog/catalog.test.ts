import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { parseCatalogQuery, PAGE_SIZE } from '../../src/catalog/validation';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';

const TYPES = ['movie', 'tv', 'anime', 'manga', 'book', 'web_novel', 'game', 'visual_novel', 'podcast'];

describe('the catalog', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  const load = async (url: string) => {
    const response = await request(app).get(url);
    expect(response.status).toBe(200);
    return cheerio.load(response.text);
  };
  const titles = ($: cheerio.CheerioAPI) =>
    $('#rows tr td:first-child')
      .map((_, cell) => $(cell).contents().first().text().trim())
      .get();

  it('lists the whole catalog by title, 50 to a page, with the count and the controls bar', async () => {
    const $ = await load('/catalog');
    expect($('body').attr('data-page')).toBe('catalog');
    expect($('nav li.active a').text()).toBe('Catalog');
    expect($('form.controls-bar[method="get"][role="search"] #searchBox[name="q"]')).toHaveLength(1);
    expect($('label[for="searchBox"]').text()).toBe('Search');
    expect($('details.filter-dropdown summary').text()).toBe('Type');
    const total = Number((await db.knex('media.media').count({ n: '*' }))[0]!.n);
    expect($('.result-count').text()).toBe(`1–50 of ${total.toLocaleString('en')}`);
    expect($('#rows tr')).toHaveLength(PAGE_SIZE);
    const expected = await db
      .knex('media.media')
      .orderBy([{ column: 'title' }, { column: 'id' }])
      .limit(PAGE_SIZE)
      .pluck('title');
    expect(titles($)).toEqual(expected);
    expect($('th[aria-sort="ascending"] a').text()).toContain('Title');
    expect($('.filter-status')).toHaveLength(0);
    expect($('nav[aria-label="Pagination"] a[rel="next"]').attr('href')).toBe('/catalog?page=2');
  });

  it.each([
    ['a typo', 'godfathr', 'The Godfather'],
    ['a prefix', 'harry pot', "Harry Potter and the Sorcerer's Stone"],
    ['no accents', 'pokemon', null],
  ])('finds titles from %s ("%s")', async (_case, q, expected) => {
    const $ = await load(`/catalog?q=${encodeURIComponent(q)}`);
    const found = titles($);
    expect(found.length).toBeGreaterThan(0);
    if (expected) expect(found.slice(0, 10)).toContain(expected);
    else expect(found.some((title) => /pok[eé]mon/i.test(title))).toBe(true);
    expect($('.badge').first().text()).toContain(`Search: ${q}`);
  });

  it('ranks the best match first when searching', async () => {
    const $ = await load('/catalog?q=the+godfather');
    expect(titles($)[0]).toBe('The Godfather');
  });

  it('filters by one or more types, with a badge per type that removes only that type', async () => {
    const $ = await load('/catalog?type=book&type=game');
    const types = $('#rows tr td:nth-child(2)')
      .map((_, cell) => $(cell).text())
      .get();
    expect(new Set(types)).toEqual(new Set(['Book', 'Game']));
    const count = Number(
      (await db.knex('media.media').whereIn('media_type', ['book', 'game']).count({ n: '*' }))[0]!.n,
    );
    expect($('.result-count').text()).toContain(`of ${count.toLocaleString('en')}`);
    const badges = $('.filter-status .badge');
    expect(badges).toHaveLength(2);
    expect(badges.eq(0).find('a').attr('href')).toBe('/catalog?type=game');
    expect($('.filter-status a.link-button').attr('href')).toBe('/catalog');
    expect($('#type-book').attr('checked')).toBeDefined();
  });

  it('sorts by year both ways, marking the sorted column with aria-sort', async () => {
    const ascending = await load('/catalog?sort=year');
    expect(ascending('th[aria-sort="ascending"] a').text()).toContain('Released');
    const oldest = await db.knex('media.media').whereNotNull('release_date').min({ d: 'release_date' });
    expect(ascending('#rows tr').first().find('time').attr('datetime')).toBe(oldest[0]!.d);
    const descending = await load('/catalog?sort=year&dir=desc');
    expect(descending('th[aria-sort="descending"]')).toHaveLength(1);
    const newest = await db.knex('media.media').max({ d: 'release_date' });
    expect(descending('#rows tr').first().find('time').attr('datetime')).toBe(newest[0]!.d);
  });

  it('pages deep into the catalog and says when nothing matches', async () => {
    const page3 = await load('/catalog?page=3');
    expect(page3('.result-count').text()).toMatch(/^101–150 of /);
    expect(page3('a[rel="prev"]').attr('href')).toBe('/catalog?page=2');
    const none = await load('/catalog?q=zzzzqqqqxxxx');
    expect(none('.result-count').text()).toContain('Nothing matches');
    expect(none('table')).toHaveLength(0);
  });

  it.each([
    ['/catalog?sort=popularity; drop table x', 'Sorting by'],
    ['/catalog?page=abc', 'There is no page'],
    ['/catalog?page=999999', 'Pages past'],
    ['/catalog?type=vinyl', 'unknown media type'],
    [`/catalog?q=${'a'.repeat(300)}`, 'shortened'],
    ['/catalog?dir=sideways', 'direction'],
  ])('corrects %s with a visible note instead of failing', async (url, note) => {
    const $ = await load(url);
    expect($('.notice[role="status"]').text()).toContain(note);
    expect($('#rows tr').length).toBeGreaterThanOrEqual(0);
  });
});

describe('reading the catalog query string', () => {
  it('keeps known values and drops the rest', () => {
    expect(
      parseCatalogQuery({ q: '  harry  ', type: ['book', 'nope'], sort: 'year', dir: 'desc', page: '2' }, TYPES),
    ).toEqual({
      query: { q: 'harry', types: ['book'], sort: 'year', direction: 'desc', page: 2 },
      notes: ['An unknown media type was left out of the filter.'],
    });
    expect(parseCatalogQuery({}, TYPES).query).toEqual({ q: '', types: [], sort: 'title', direction: 'asc', page: 1 });
    expect(parseCatalogQuery({ q: 'x' }, TYPES).query.sort).toBe('relevance');
  });
});
