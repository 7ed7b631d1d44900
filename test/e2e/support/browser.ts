import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createKnex } from '../../../src/database/connection';
import { findFreePort } from '../../../src/database/embedded';
import { createTestApp } from '../../support/app';
import { createSeededDatabase, type TestDatabase } from '../../support/database';
import { createUser } from '../../support/session';

/** Debian's Chromium (apt-get install chromium), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Throws the install hint when Chromium is missing (checked once, before any database work). */
export function assertChromiumInstalled(executablePath = CHROMIUM_PATH): void {
  try {
    fs.accessSync(executablePath, fs.constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not installed at ${executablePath}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH) and run npm run test:e2e again`,
    );
  }
}

/** Starts headless Chromium; fails with a clear message (never a skip) when it is not installed. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  assertChromiumInstalled(executablePath);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export interface RunningApp {
  baseUrl: string;
  /** The same app over a database whose catalog is broken: its home page is the 500 page. */
  brokenBaseUrl: string;
  /** The same app over a database that refuses connections: every page is the 503 page. */
  unavailableBaseUrl: string;
  db: TestDatabase;
  close(): Promise<void>;
}

async function listen(app: ReturnType<typeof createTestApp>): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The real app on a free port over a fresh copy of the seeded database (and a broken twin). */
export async function startApp(): Promise<RunningApp> {
  const db = await createSeededDatabase();
  const brokenDb = await createSeededDatabase();
  // Sessions and accounts work there; the home page's catalog query fails, as a real fault would.
  await brokenDb.knex.raw('alter table media.media_types rename to media_types_gone');
  const options = { donateUrl: 'https://example.org/donate' };
  const main = await listen(createTestApp(db.knex, options));
  const broken = await listen(createTestApp(brokenDb.knex, options));
  // A port nobody listens on: every connection is refused, as when the database server is down.
  const unreachable = createKnex(`postgres://postgres@127.0.0.1:${await findFreePort()}/none`, { poolMax: 1 });
  const unavailable = await listen(createTestApp(unreachable, options));
  return {
    baseUrl: main.url,
    brokenBaseUrl: broken.url,
    unavailableBaseUrl: unavailable.url,
    db,
    async close() {
      for (const { server } of [main, broken, unavailable]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await db.drop();
      await brokenDb.drop();
      await unreachable.destroy();
    },
  };
}

export type Theme = 'light' | 'dark' | 'high-contrast';

/** The themes the sweep covers: each chosen theme, and "system" under a dark device setting. */
export interface SweptTheme {
  name: string;
  cookie: Theme | 'system';
  dataTheme: string;
  colorScheme: 'light' | 'dark';
}

export const SWEPT_THEMES: SweptTheme[] = [
  { name: 'light', cookie: 'light', dataTheme: 'light', colorScheme: 'light' },
  { name: 'dark', cookie: 'dark', dataTheme: 'dark', colorScheme: 'light' },
  { name: 'high-contrast', cookie: 'high-contrast', dataTheme: 'high-contrast', colorScheme: 'light' },
  { name: 'system-dark', cookie: 'system', dataTheme: 'system', colorScheme: 'dark' },
];

export interface Visitor {
  context: BrowserContext;
  /** The signed-in user's name, for signed-in visitors. */
  username?: string;
}

/**
 * A fresh browser context in the given theme: a cookie for an anonymous visitor, the stored
 * preference for a signed-in one (who is made and signed in through the real form endpoints).
 */
export async function openVisitor(
  browser: Browser,
  running: RunningApp,
  options: { signedIn: boolean; theme: SweptTheme; javaScriptEnabled?: boolean },
): Promise<Visitor> {
  const context = await browser.newContext({
    baseURL: running.baseUrl,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: 1280, height: 800 },
    colorScheme: options.theme.colorScheme,
  });
  await context.addCookies([{ name: 'omt.theme', value: options.theme.cookie, url: running.baseUrl }]);
  if (!options.signedIn) return { context };
  // One account per theme, signed in once through the real form endpoints; later visitors in
  // that theme reuse its cookies (signing in costs two password hashes).
  let account = signedInAccounts.get(options.theme.name);
  if (!account) {
    const user = await createUser(running.db.knex);
    await running.db.knex('users.preferences').where({ user_id: user.id }).update({ theme: options.theme.cookie });
    const form = await context.request.get('/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    const response = await context.request.post('/login', {
      form: { username: user.username, password: user.password, _csrf: token ?? '' },
      maxRedirects: 0,
    });
    if (response.status() !== 303) throw new Error(`Signing in the test visitor failed with ${response.status()}`);
    account = { username: user.username, cookies: (await context.storageState()).cookies };
    signedInAccounts.set(options.theme.name, account);
  } else {
    await context.addCookies(account.cookies);
  }
  return { context, username: account.username };
}

type Cookies = Awaited<ReturnType<BrowserContext['storageState']>>['cookies'];
const signedInAccounts = new Map<string, { username: string; cookies: Cookies }>();
