import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Request } from 'playwright-core';
import { projectRoot } from '../../src/paths';
import { createUser } from '../support/session';
import { launchBrowser, openVisitor, startApp, SWEPT_THEMES, type RunningApp } from './support/browser';
import { pagesFor } from './support/pages';

/** Per page, over the wire (compressed, headers included), with an empty cache: the budget every page must keep. */
const BUDGET = { totalBytes: 50 * 1024, requests: 5, firstHtmlBytes: 14 * 1024 };

interface Weight {
  page: string;
  requests: number;
  htmlBytes: number;
  totalBytes: number;
}

const rows: Weight[] = [];

function table(weights: Weight[]): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const lines = weights.map(
    (row) =>
      `${row.page.padEnd(34)} ${String(row.requests).padStart(8)} ${kb(row.htmlBytes).padStart(10)} ${kb(row.totalBytes).padStart(10)}`,
  );
  return [
    '',
    `Page weight (budget: ${BUDGET.requests} requests, ${kb(BUDGET.totalBytes)} in all, first HTML under ${kb(BUDGET.firstHtmlBytes)})`,
    `${'page'.padEnd(34)} ${'requests'.padStart(8)} ${'HTML'.padStart(10)} ${'total'.padStart(10)}`,
    ...lines,
    '',
  ].join('\n');
}

describe('page weight', () => {
  let browser: Browser;
  let running: RunningApp;
  let publicProfile: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startApp();
    publicProfile = (await createUser(running.db.knex)).username;
  });

  afterAll(async () => {
    // The reporter prints this at the end of the run, after every file's output.
    fs.mkdirSync(path.join(projectRoot, 'test-output'), { recursive: true });
    fs.writeFileSync(path.join(projectRoot, 'test-output', 'weight.txt'), table(rows));
    await browser?.close();
    await running?.close();
  });

  for (const signedIn of [false, true]) {
    for (const pageCase of pagesFor(signedIn)) {
      const name = `${pageCase.name} (${signedIn ? 'signed in' : 'signed out'})`;

      it(`${name} stays within the budget`, async () => {
        const visitor = await openVisitor(browser, running, { signedIn, theme: SWEPT_THEMES[0]! });
        try {
          const page = await visitor.context.newPage();
          // Routing every request turns Chromium's cache off: pages reached through a form count
          // their CSS and scripts as a first visit would.
          await page.route('**/*', (route) => route.continue());
          // Count from the navigation that brings the page itself (forms lead to some pages).
          let requests: Request[] = [];
          page.on('request', (request) => {
            if (request.isNavigationRequest() && request.frame() === page.mainFrame()) requests = [];
            requests.push(request);
          });
          const response = await pageCase.open(page, { username: visitor.username, publicProfile, running });
          await page.waitForLoadState('networkidle');
          // A request the previous page started while the form was being sent (its favicon,
          // say) is cut off by the navigation: it is not part of this page, and has no size.
          const loaded = requests.filter((request) => request.failure()?.errorText !== 'net::ERR_ABORTED');
          const sizes = await Promise.all(
            loaded.map(async (request) => {
              const { responseBodySize, responseHeadersSize } = await request.sizes();
              const bytes = responseBodySize + responseHeadersSize;
              return { request, bytes };
            }),
          );
          const html = sizes.find((entry) => entry.request === response?.request());
          const weight: Weight = {
            page: name,
            requests: sizes.length,
            // The first round trip carries the headers too.
            htmlBytes: html?.bytes ?? 0,
            totalBytes: sizes.reduce((sum, entry) => sum + entry.bytes, 0),
          };
          rows.push(weight);
          expect(html).toBeDefined();
          expect(weight.requests).toBeLessThanOrEqual(BUDGET.requests);
          expect(weight.totalBytes).toBeLessThanOrEqual(BUDGET.totalBytes);
          expect(weight.htmlBytes).toBeLessThan(BUDGET.firstHtmlBytes);
        } finally {
          await visitor.context.close();
        }
      });
    }
  }
});
