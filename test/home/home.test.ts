import * as cheerio from 'cheerio';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestApp } from '../support/app';
import { createEmptyDatabase, createSeededDatabase, type TestDatabase } from '../support/database';

interface Page {
  status: number;
  contentType: string | undefined;
  $: cheerio.CheerioAPI;
}

async function getPage(app: Express, path: string): Promise<Page> {
  const response = await request(app).get(path);
  return { status: response.status, contentType: response.headers['content-type'], $: cheerio.load(response.text) };
}

/** "16,524" → 16524. */
function parseCount(text: string): number {
  return Number(text.replace(/[^\d]/g, ''));
}

/** The catalog's size per media type, counted straight from the table. */
async function countsInDatabase(knex: Knex): Promise<Record<string, number>> {
  const rows = await knex('media.media')
    .select('media_type')
    .count<{ media_type: string; count: number }[]>({ count: '*' })
    .groupBy('media_type');
  return Object.fromEntries(rows.map((row) => [row.media_type, Number(row.count)]));
}

/** The newest titles released up to today, in the order the home page promises. */
async function newestInDatabase(knex: Knex, limit: number): Promise<{ id: string; title: string }[]> {
  return knex('media.media')
    .select<{ id: string; title: string }[]>('id', 'title')
    .where('release_date', '<=', knex.raw('current_date'))
    .orderBy([
      { column: 'release_date', order: 'desc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit);
}

describe('home page', () => {
  let db: TestDatabase;
  let home: Page;

  beforeAll(async () => {
    db = await createSeededDatabase();
    home = await getPage(createTestApp(db.knex), '/');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('answers 200 with an HTML page', () => {
    expect(home.status).toBe(200);
    expect(home.contentType).toMatch(/^text\/html/);
  });

  describe('layout', () => {
    it('declares English as the page language', () => {
      expect(home.$('html').attr('lang')).toBe('en');
    });

    it('has one non-empty title of its own, different from other pages', async () => {
      const titles = home.$('head > title');
      expect(titles).toHaveLength(1);
      const title = titles.text().trim();
      expect(title).not.toBe('');

      const notFound = await getPage(createTestApp(db.knex), '/no-such-page');
      expect(notFound.$('title').text().trim()).not.toBe(title);
    });

    it('has exactly one h1', () => {
      expect(home.$('h1')).toHaveLength(1);
      expect(home.$('h1').text().trim()).not.toBe('');
    });

    it('puts the skip link first in the body, pointing at main#main', () => {
      const first = home.$('body').children().first();
      expect(first.is('a.skip-link')).toBe(true);
      expect(first.attr('href')).toBe('#main');
      expect(home.$('main#main')).toHaveLength(1);
    });

    it('has the header, navigation and footer landmarks', () => {
      expect(home.$('header')).toHaveLength(1);
      expect(home.$('nav > ul > li').length).toBeGreaterThan(0);
      expect(home.$('footer')).toHaveLength(1);
    });

    it('marks Home, and only Home, as the current section on the list item, with aria-current on its link', () => {
      const active = home.$('nav > ul > li.active');
      expect(active).toHaveLength(1);
      const link = active.children('a');
      expect(link.text().trim()).toBe('Home');
      expect(link.attr('href')).toBe('/');
      expect(link.attr('aria-current')).toBe('page');
      expect(home.$('nav [aria-current]')).toHaveLength(1);
    });

    it('names the page "home" and follows the system theme when nobody chose one', () => {
      const body = home.$('body');
      expect(body.attr('data-page')).toBe('home');
      expect(body.attr('data-theme')).toBe('system');
    });
  });

  describe('content', () => {
    it('has the intro, welcome and donate blocks inside main', () => {
      expect(home.$('main .intro')).toHaveLength(1);
      expect(home.$('main .welcome')).toHaveLength(1);
      expect(home.$('main .donate')).toHaveLength(1);
    });

    it('counts the catalog per media type exactly as the database does', async () => {
      const expected = await countsInDatabase(db.knex);
      const shown = Object.fromEntries(
        home
          .$('.welcome [data-media-type]')
          .toArray()
          .map((item): [string, number] => [
            home.$(item).attr('data-media-type')!,
            parseCount(home.$(item).find('.count').text()),
          ]),
      );
      expect(Object.keys(expected).length).toBeGreaterThan(1);
      expect(shown).toEqual(expected);
    });

    it('shows the catalog total as the sum over all media types', async () => {
      const expected = Object.values(await countsInDatabase(db.knex)).reduce((sum, count) => sum + count, 0);
      expect(expected).toBeGreaterThan(0);
      expect(parseCount(home.$('.welcome strong').first().text())).toBe(expected);
    });

    it('lists the newest releases up to today, newest first', async () => {
      const tiles = home.$('[aria-labelledby="tiles-newest-heading"] .media-tile');
      expect(tiles.length).toBeGreaterThan(0);
      const expected = await newestInDatabase(db.knex, tiles.length);

      expect(tiles.first().find('.media-title').text().trim()).toBe(expected[0]?.title);
      expect(tiles.toArray().map((tile) => home.$(tile).attr('data-media-id'))).toEqual(expected.map((row) => row.id));
    });

    it('leaves titles that are not released yet out of the newest releases', async () => {
      const [future] = await db
        .knex('media.media')
        .insert({
          media_type: 'movie',
          media_class: 'video.film',
          title: 'A Film From The Future',
          release_date: db.knex.raw("current_date + interval '1 year'"),
        })
        .returning<{ id: string }[]>('id');
      try {
        const page = await getPage(createTestApp(db.knex), '/');
        expect(page.$('[aria-labelledby="tiles-newest-heading"] .media-tile').length).toBeGreaterThan(0);
        expect(
          page.$(`[aria-labelledby="tiles-newest-heading"] .media-tile[data-media-id="${future!.id}"]`),
        ).toHaveLength(0);
      } finally {
        await db.knex('media.media').where({ id: future!.id }).delete();
      }
    });

    it('explains the donate block but links nowhere when no donate URL is configured', () => {
      expect(home.$('.donate').text().trim()).not.toBe('');
      expect(home.$('.donate a')).toHaveLength(0);
    });

    it('links the donate block to the configured donate URL', async () => {
      const page = await getPage(createTestApp(db.knex, { donateUrl: 'https://example.org/donate' }), '/');
      const links = page.$('.donate a');
      expect(links).toHaveLength(1);
      expect(links.attr('href')).toBe('https://example.org/donate');
    });
  });

  describe('what the Content Security Policy allows', () => {
    it('has no inline script, no style element and no style attribute', () => {
      expect(home.$('script:not([src])')).toHaveLength(0);
      expect(home.$('style')).toHaveLength(0);
      expect(home.$('[style]')).toHaveLength(0);
    });

    it('has no inline event handler attributes', () => {
      const handlers = home
        .$('*')
        .toArray()
        .flatMap((element) => Object.keys(home.$(element).attr() ?? {}))
        .filter((name) => name.toLowerCase().startsWith('on'));
      expect(handlers).toEqual([]);
    });

    it('loads htmx deferred from our own /static/vendor/ URL', () => {
      const htmx = home.$('script[src*="htmx"]');
      expect(htmx).toHaveLength(1);
      expect(htmx.attr('src')).toMatch(/^\/static\/vendor\/htmx[^/]*\.js\?v=[0-9a-f]+$/);
      expect(htmx.attr('defer')).toBeDefined();
    });

    it('links the stylesheet under /static/ with a content hash in ?v=', () => {
      const stylesheets = home.$('link[rel="stylesheet"]');
      expect(stylesheets.length).toBeGreaterThan(0);
      for (const link of stylesheets.toArray()) {
        expect(home.$(link).attr('href')).toMatch(/^\/static\/[^?]+\.css\?v=[0-9a-f]+$/);
      }
    });
  });
});

describe('home page with an empty catalog', () => {
  let db: TestDatabase;

  // A new install's database: migrated, never seeded (deleting the seeded catalog instead wrote
  // more than anything else in the suite, for the same empty catalog).
  beforeAll(async () => {
    db = await createEmptyDatabase();
    await db.knex.migrate.latest();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('still renders and says the catalog is empty, with no counts and no tiles', async () => {
    const page = await getPage(createTestApp(db.knex), '/');
    expect(page.status).toBe(200);
    expect(page.$('body').attr('data-page')).toBe('home');
    expect(page.$('.welcome').text()).toMatch(/catalog is empty/i);
    expect(page.$('.welcome [data-media-type]')).toHaveLength(0);
    expect(page.$('.media-tile')).toHaveLength(0);
  });
});
