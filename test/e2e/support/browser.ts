import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
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

/** Starts headless Chromium; fails with a clear message (never a skip) when it is not installed. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH) and run npm run test:e2e again`,
    );
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export interface RunningApp {
  baseUrl: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real app on a free port over a fresh copy of the seeded database. */
export async function startApp(): Promise<RunningApp> {
  const db = await createSeededDatabase();
  const app = createTestApp(db.knex);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.drop();
    },
  };
}

export type Theme = 'light' | 'dark' | 'high-contrast';
export const THEMES: Theme[] = ['light', 'dark', 'high-contrast'];

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
  options: {
    signedIn: boolean;
    theme: Theme;
    javaScriptEnabled?: boolean;
    viewport?: { width: number; height: number };
  },
): Promise<Visitor> {
  const context = await browser.newContext({
    baseURL: running.baseUrl,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  await context.addCookies([{ name: 'omt.theme', value: options.theme, url: running.baseUrl }]);
  if (!options.signedIn) return { context };
  const user = await createUser(running.db.knex);
  await running.db.knex('users.preferences').where({ user_id: user.id }).update({ theme: options.theme });
  const form = await context.request.get('/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  const response = await context.request.post('/login', {
    form: { username: user.username, password: user.password, _csrf: token ?? '' },
    maxRedirects: 0,
  });
  if (response.status() !== 303) throw new Error(`Signing in the test visitor failed with ${response.status()}`);
  return { context, username: user.username };
}
