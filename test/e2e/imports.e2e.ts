import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import pino from 'pino';
import { startImportWorker, type ImportWorker } from '../../src/imports/worker';
import { projectRoot } from '../../src/paths';
import { launchBrowser, openVisitor, startApp, SWEPT_THEMES, type RunningApp } from './support/browser';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const SCREENSHOTS = path.join(projectRoot, 'test-output', 'screenshots');

/**
 * The whole import journey in Chromium, with JavaScript off and on: upload a Letterboxd file,
 * watch the job finish (the page refreshes itself with JavaScript; the Refresh button without),
 * settle the uncertain row, import, see the list, and undo. No import page has an axe violation
 * (checked on the JavaScript run: axe is a script).
 */
describe('importing a list in the browser', () => {
  let running: RunningApp;
  let browser: Browser;
  let worker: ImportWorker;

  beforeAll(async () => {
    running = await startApp();
    browser = await launchBrowser();
    // The test app has no worker of its own (src/server.ts starts one): the queue's, here.
    worker = startImportWorker(running.db.knex, pino({ level: 'silent' }), { intervalMs: 300 });
  });
  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await running?.close();
  });

  async function insertFilm(title: string, year: number): Promise<string> {
    const [row] = await running.db
      .knex('media.media')
      .insert({
        media_type: 'movie',
        media_class: 'video.film',
        title,
        release_date: `${year}-06-01`,
        release_date_precision: 'day',
      })
      .returning<{ id: string }[]>('id');
    return row!.id;
  }

  /** axe runs as a script in the page: checked on the JavaScript run (the markup is the same). */
  async function expectNoAxeViolations(page: Page, javaScript: boolean, shot: string) {
    // Kept for a person to look at, with the sweep's (test-output/screenshots).
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${shot}-js-${javaScript ? 'on' : 'off'}.png`),
      fullPage: true,
    });
    if (!javaScript) return;
    const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    expect(results.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
  }

  /** Waits (without JavaScript, by pressing Refresh) until the job's page shows `selector`. */
  async function untilShown(page: Page, selector: string, javaScript: boolean) {
    for (let attempt = 0; attempt < 60; attempt += 1) {
      if (await page.locator(selector).count()) return;
      if (javaScript) await page.waitForTimeout(500);
      else if (await page.getByRole('button', { name: 'Refresh', exact: true }).count())
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('button', { name: 'Refresh', exact: true }).click(),
        ]);
      else await page.waitForTimeout(300);
    }
    throw new Error(`the import page never showed ${selector}`);
  }

  for (const javaScript of [false, true]) {
    it(`uploads, reviews, imports and undoes with JavaScript ${javaScript ? 'on' : 'off'}`, async () => {
      const tag = crypto.randomBytes(3).toString('hex');
      const exact = `Harbour Lights ${tag}`;
      const nearby = `Glass Orchard ${tag}`;
      await insertFilm(exact, 2011);
      const nearbyId = await insertFilm(nearby, 2004);
      const file = [
        'Date,Name,Year,Letterboxd URI',
        `2024-03-01,${exact},2011,https://boxd.it/e${tag}`,
        `2024-03-02,${nearby},2005,https://boxd.it/n${tag}`,
        `2024-03-03,Nowhere ${tag},1999,https://boxd.it/x${tag}`,
      ].join('\r\n');
      const visitor = await openVisitor(browser, running, {
        signedIn: true,
        theme: SWEPT_THEMES[javaScript ? 1 : 0]!,
        javaScriptEnabled: javaScript,
      });
      const page = await visitor.context.newPage();
      try {
        await page.goto('/import');
        await expect(page.locator('h1').textContent()).resolves.toBe('Import a list');
        await expectNoAxeViolations(page, javaScript, 'import-form');
        await page.getByLabel('Export file', { exact: true }).setInputFiles({
          name: 'watched.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(file),
        });
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('button', { name: 'Upload and preview', exact: true }).click(),
        ]);
        expect(page.url()).toMatch(/\/import\/[0-9a-f-]{36}$/);
        await untilShown(page, '.import-counts', javaScript);
        await expect(page.locator('.import-counts').innerText()).resolves.toContain('To review: 1');
        await expectNoAxeViolations(page, javaScript, 'import-preview');

        // The uncertain row: the catalog's film a year off, picked.
        await page.getByLabel(`${nearby} (movie, 2004)`, { exact: true }).check();
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('button', { name: 'Use this title', exact: true }).click(),
        ]);
        await expect(page.locator('.import-counts').innerText()).resolves.toContain('To add: 2');
        await expect(page.locator('.flash').innerText()).resolves.toContain('Matched');

        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('button', { name: 'Import 2 titles', exact: true }).click(),
        ]);
        await untilShown(page, 'form[action$="/undo"]', javaScript);
        await expect(page.locator('.import-status').first().innerText()).resolves.toBe('Imported');
        await expectNoAxeViolations(page, javaScript, 'import-applied');

        await page.goto('/list');
        await expect(page.locator('#rows').innerText()).resolves.toContain(exact);
        await expect(page.locator('#rows').innerText()).resolves.toContain(nearby);

        await page.goBack();
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('button', { name: 'Undo this import', exact: true }).click(),
        ]);
        await untilShown(page, '.import-undo-result', javaScript);
        await expect(page.locator('.import-undo-result').innerText()).resolves.toContain('2 entries are as before');
        const left = await running.db
          .knex('interaction.user_media as e')
          .join('users.users as u', 'u.id', 'e.user_id')
          .where({ 'u.username': visitor.username, 'e.media_id': nearbyId });
        expect(left).toEqual([]);
      } finally {
        await visitor.context.close();
      }
    });
  }
});
