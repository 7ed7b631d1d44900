import type { Page, Response } from 'playwright-core';
import type { RunningApp } from './browser';

/**
 * Every page of the site, once. New pages join this list, and with it the accessibility sweep,
 * the markup check, the weight budget and the screenshots.
 */
export interface PageCase {
  name: string;
  /** The page this is a state of (the same page after an action shares its title). */
  variantOf?: string;
  /** Who can see it: anonymous visitors, signed-in users, or both. */
  who: 'anonymous' | 'signed-in' | 'both';
  /** Opens the page; returns the response that delivered its HTML. */
  open(
    page: Page,
    visitor: { username?: string; publicProfile: string; running: RunningApp },
  ): Promise<Response | null>;
}

/**
 * Submits a form after breaking it in the page, to reach an error page the way a browser would.
 * A plain submit: htmx, which would answer in place, is not asked.
 */
async function submitAltered(
  page: Page,
  action: string,
  alter: 'drop-csrf' | 'huge' | 'as-typed',
): Promise<Response | null> {
  const navigation = page.waitForNavigation();
  await page.evaluate(
    ({ action, alter }) => {
      const form = document.querySelector<HTMLFormElement>(`form[action="${action}"]`);
      if (!form) throw new Error(`No form for ${action}`);
      if (alter === 'drop-csrf') form.querySelector('input[name="_csrf"]')?.remove();
      if (alter === 'huge') {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = 'padding';
        input.value = 'x'.repeat(100_000);
        form.append(input);
      }
      form.submit();
    },
    { action, alter },
  );
  return navigation;
}

/** Presses a form's submit button and returns the response of the page it leads to. */
async function submitByButton(page: Page, name: string): Promise<Response | null> {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  return response;
}

/**
 * Puts a film (in progress, rated, with notes) and a book (completed) in the signed-in visitor's
 * list, unless they are there already; returns the film's id.
 */
async function withEntries(visitor: { username?: string; running: RunningApp }): Promise<string> {
  const { knex } = visitor.running.db;
  const user = await knex('users.users').where({ username: visitor.username }).first<{ id: string }>('id');
  const film = await knex('media.media').where({ media_type: 'movie' }).orderBy('title').first<{ id: string }>('id');
  const book = await knex('media.media').where({ media_type: 'book' }).orderBy('title').first<{ id: string }>('id');
  await knex('interaction.user_media')
    .insert([
      {
        user_id: user.id,
        media_id: film.id,
        status: 'in_progress',
        progress: 40,
        rating: 70,
        notes: 'Halfway through.',
      },
      { user_id: user.id, media_id: book.id, status: 'completed', rating: 90, completed_at: '2026-01-02T00:00:00Z' },
    ])
    .onConflict(['user_id', 'media_id'])
    .ignore();
  return film.id;
}

/** A title with sequels and prequels (so its page shows related titles and a watch order). */
async function linkedTitle(running: RunningApp): Promise<string> {
  const row = await running.db
    .knex('media.relationships as r')
    .join('media.media as m', 'm.id', 'r.source_id')
    .where('r.kind', 'sequel')
    .whereNotNull('m.collection_path')
    .orderBy('m.title')
    .first<{ id: string }>('m.id as id');
  return row.id;
}

export const PAGES: PageCase[] = [
  {
    name: 'home',
    who: 'both',
    open: async (page, visitor) => {
      // Signed in, the tiles show the visitor's own titles, with their actions.
      if (visitor.username) await withEntries(visitor);
      return page.goto('/');
    },
  },
  { name: 'catalog', who: 'both', open: (page) => page.goto('/catalog') },
  {
    name: 'catalog-filtered',
    variantOf: 'catalog',
    who: 'both',
    open: (page) => page.goto('/catalog?q=harry&type=book&sort=year'),
  },
  {
    // Manga has no titles: the page says so, and which chosen type can still match.
    name: 'catalog-empty-type',
    variantOf: 'catalog',
    who: 'both',
    open: (page) => page.goto('/catalog?type=manga&type=book'),
  },
  {
    name: 'list',
    who: 'signed-in',
    open: async (page, visitor) => {
      await withEntries(visitor);
      return page.goto('/list');
    },
  },
  {
    name: 'list-filtered',
    variantOf: 'list',
    who: 'signed-in',
    open: async (page, visitor) => {
      await withEntries(visitor);
      return page.goto('/list?status=in_progress&sort=rating&col=notes&col=started');
    },
  },
  {
    name: 'list-edit',
    who: 'signed-in',
    open: async (page, visitor) => page.goto(`/list/${await withEntries(visitor)}/edit`),
  },
  {
    name: 'list-edit-error',
    variantOf: 'list-edit',
    who: 'signed-in',
    open: async (page, visitor) => {
      await page.goto(`/list/${await withEntries(visitor)}/edit`);
      await page.getByLabel('Rating', { exact: true }).fill('11');
      return submitByButton(page, 'Save');
    },
  },
  {
    name: 'media',
    who: 'both',
    open: async (page, { running }) => page.goto(`/media/${await linkedTitle(running)}`),
  },
  {
    name: 'media-tracked',
    variantOf: 'media',
    who: 'signed-in',
    open: async (page, visitor) => page.goto(`/media/${await withEntries(visitor)}`),
  },
  {
    name: 'media-admin-error',
    variantOf: 'media',
    who: 'signed-in',
    open: async (page, visitor) => {
      // The visitor is an administrator for this page only: its link form, refused.
      const users = () => visitor.running.db.knex('users.users').where({ username: visitor.username });
      await users().update({ role: 'admin' });
      try {
        const id = await linkedTitle(visitor.running);
        await page.goto(`/media/${id}`);
        await page.getByLabel('The other title’s page address or id', { exact: true }).fill('not an id');
        return await submitAltered(page, `/media/${id}/relationships`, 'as-typed');
      } finally {
        await users().update({ role: 'member' });
      }
    },
  },
  {
    name: 'collection',
    who: 'both',
    open: async (page, { running }) => {
      const row = await running.db
        .knex('media.media')
        .where('id', await linkedTitle(running))
        .first<{ path: string }>(running.db.knex.raw('collection_path::text as path'));
      return page.goto(`/collections/${row.path}`);
    },
  },
  { name: 'register', who: 'anonymous', open: (page) => page.goto('/register') },
  { name: 'login', who: 'anonymous', open: (page) => page.goto('/login') },
  {
    name: 'login-error',
    who: 'anonymous',
    open: async (page) => {
      await page.goto('/login');
      return submitByButton(page, 'Sign in');
    },
  },
  {
    name: 'register-error',
    who: 'anonymous',
    open: async (page) => {
      await page.goto('/register');
      await page.getByLabel('Username', { exact: true }).fill('x');
      await page.getByLabel('Email address', { exact: true }).fill('not an email');
      return submitByButton(page, 'Create account');
    },
  },
  { name: 'settings', who: 'both', open: (page) => page.goto('/settings') },
  {
    name: 'settings-error',
    who: 'signed-in',
    open: async (page) => {
      await page.goto('/settings');
      await page.getByLabel('Current password', { exact: true }).fill('not my password');
      await page.getByLabel('New password', { exact: true }).fill('short');
      return submitByButton(page, 'Change password');
    },
  },
  {
    name: 'settings-saved',
    variantOf: 'settings',
    who: 'signed-in',
    open: async (page) => {
      await page.goto('/settings');
      return submitByButton(page, 'Save');
    },
  },
  {
    name: 'profile',
    who: 'both',
    open: async (page, visitor) => {
      // Signed in, the visitor's own profile, with statistics and charts to show.
      if (visitor.username) await withEntries(visitor);
      return page.goto(`/users/${encodeURIComponent(visitor.username ?? visitor.publicProfile)}`);
    },
  },
  { name: 'about-data', who: 'both', open: (page) => page.goto('/about/data') },
  { name: 'import', who: 'signed-in', open: (page) => page.goto('/import') },
  {
    name: 'admin-catalog',
    who: 'signed-in',
    open: async (page, visitor) => {
      // The visitor is an administrator for this page only.
      const users = () => visitor.running.db.knex('users.users').where({ username: visitor.username });
      await users().update({ role: 'admin' });
      try {
        return await page.goto('/admin/catalog');
      } finally {
        await users().update({ role: 'member' });
      }
    },
  },
  {
    name: 'admin-links',
    who: 'signed-in',
    open: async (page, visitor) => {
      const { knex } = visitor.running.db;
      const users = () => knex('users.users').where({ username: visitor.username });
      // An id the visitor confirmed in an import, for the page to list with its Promote form.
      const person = await users().first<{ id: string }>('id');
      const work = await knex('media.media').orderBy('id').first<{ id: string }>('id');
      await knex('ingest.user_links')
        .insert({ user_id: person.id, source_name: 'imdb', external_key: 'tt0000001', media_id: work.id })
        .onConflict(['user_id', 'source_name', 'external_key'])
        .ignore();
      await users().update({ role: 'admin' });
      try {
        return await page.goto('/admin/catalog/links');
      } finally {
        await users().update({ role: 'member' });
      }
    },
  },
  { name: 'not-found', who: 'both', open: (page) => page.goto('/no-such-page') },
  { name: 'server-error', who: 'anonymous', open: (page, { running }) => page.goto(`${running.brokenBaseUrl}/`) },
  {
    name: 'unavailable',
    who: 'anonymous',
    open: (page, { running }) => page.goto(`${running.unavailableBaseUrl}/catalog`),
  },
  {
    name: 'form-expired',
    who: 'both',
    open: async (page) => {
      await page.goto('/settings');
      return submitAltered(page, '/settings/theme', 'drop-csrf');
    },
  },
  {
    name: 'request-too-large',
    who: 'both',
    open: async (page) => {
      await page.goto('/settings');
      return submitAltered(page, '/settings/theme', 'huge');
    },
  },
];

/** The page cases a visitor sees, signed in or not. */
export function pagesFor(signedIn: boolean): PageCase[] {
  return PAGES.filter((page) => page.who === 'both' || page.who === (signedIn ? 'signed-in' : 'anonymous'));
}
