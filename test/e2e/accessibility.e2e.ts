import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { HtmlValidate } from 'html-validate';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from '../../src/paths';
import { createUser } from '../support/session';
import { launchBrowser, openVisitor, startApp, THEMES, type RunningApp } from './support/browser';
import { pagesFor } from './support/pages';

const SCREENSHOTS = path.join(projectRoot, 'test-output', 'screenshots');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PHONE = { width: 360, height: 740 };

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Prettier is not run over templates; these are matters of style, not validity.
    'no-trailing-whitespace': 'off',
    'attribute-boolean-style': 'off',
    'void-style': 'off',
    // The error summary takes focus on load on purpose (as GOV.UK's does), so it is announced.
    'no-autoplay': 'off',
  },
});

/**
 * Puts the keyboard back at the top of the page, as on arrival: focus on the body, so the next
 * Tab goes to the first focusable element (an autofocused error summary moves it otherwise).
 */
async function focusPageStart(page: Page) {
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
}

/** Tabs through the page; returns, for each stop, what it was and whether its focus ring shows. */
async function tabThrough(page: Page, limit = 80) {
  const stops: { key: string; visible: boolean; description: string }[] = [];
  await focusPageStart(page);
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
      const box = element.getBoundingClientRect();
      const onScreen =
        box.width > 0 &&
        box.height > 0 &&
        box.bottom > 0 &&
        box.right > 0 &&
        box.top < innerHeight &&
        box.left < innerWidth;
      const index = [...document.querySelectorAll('*')].indexOf(element);
      return {
        key: `${element.tagName}#${index}`,
        visible: ring && onScreen,
        description: `${element.tagName.toLowerCase()} "${(element.textContent ?? element.getAttribute('name') ?? '').trim().slice(0, 40)}"`,
      };
    });
    if (!stop || stops.some((seen) => seen.key === stop.key)) break;
    stops.push(stop);
  }
  return stops;
}

/** Every element a mouse user could operate, keyed like tabThrough's stops. */
async function operableElements(page: Page) {
  return page.evaluate(() => {
    const selector =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const all = [...document.querySelectorAll('*')];
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((element) => element.getClientRects().length > 0 || element.classList.contains('skip-link'))
      .filter((element) => !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked))
      .map((element) => ({
        key: `${element.tagName}#${all.indexOf(element)}`,
        description: element.outerHTML.slice(0, 80),
      }));
  });
}

describe('every page, in every theme, signed in and out', () => {
  let browser: Browser;
  let running: RunningApp;
  let publicProfile: string;
  const titles = new Map<string, string>();

  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startApp();
    publicProfile = (await createUser(running.db.knex)).username;
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  for (const signedIn of [false, true]) {
    for (const theme of THEMES) {
      for (const pageCase of pagesFor(signedIn)) {
        const label = `${pageCase.name} (${signedIn ? 'signed in' : 'signed out'}, ${theme})`;

        it(`${label}: no axe violations; one h1, landmarks, unique title, valid HTML; all by keyboard; fits a phone`, async () => {
          const visitor = await openVisitor(browser, running, { signedIn, theme });
          try {
            const page = await visitor.context.newPage();
            const response = await pageCase.open(page, { username: visitor.username, publicProfile });
            expect(response).not.toBeNull();
            expect(await page.getAttribute('body', 'data-theme')).toBe(theme);

            const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
            const violations = results.violations.map(
              (violation) =>
                `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
            );
            expect({ axe: violations }).toEqual({ axe: [] });

            expect(await page.locator('h1').count()).toBe(1);
            for (const landmark of ['header', 'nav', 'main#main', 'footer']) {
              expect({ landmark, count: await page.locator(landmark).count() }).toEqual({ landmark, count: 1 });
            }
            const title = await page.title();
            expect(title).not.toBe('');
            const clash = [...titles.entries()].find(([name, seen]) => seen === title && name !== pageCase.name);
            expect({ title, sharedWith: clash?.[0] }).toEqual({ title, sharedWith: undefined });
            titles.set(pageCase.name, title);

            const report = await validator.validateString(await response!.text());
            const problems = report.results.flatMap((result) =>
              result.messages.map(
                (message) => `${message.ruleId} at ${message.line}:${message.column}: ${message.message}`,
              ),
            );
            expect({ htmlValidate: problems }).toEqual({ htmlValidate: [] });

            const stops = await tabThrough(page);
            const noRing = stops.filter((stop) => !stop.visible).map((stop) => stop.description);
            expect({ focusNotVisible: noRing }).toEqual({ focusNotVisible: [] });
            const reached = new Set(stops.map((stop) => stop.key));
            const unreachable = (await operableElements(page)).filter((element) => !reached.has(element.key));
            expect({ notReachableByKeyboard: unreachable.map((element) => element.description) }).toEqual({
              notReachableByKeyboard: [],
            });
            await focusPageStart(page);
            await page.keyboard.press('Tab');
            expect(await page.evaluate(() => document.activeElement?.classList.contains('skip-link'))).toBe(true);
            await page.keyboard.press('Enter');
            expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

            const name = `${pageCase.name}-${signedIn ? 'in' : 'out'}-${theme}`;
            await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
            await page.setViewportSize(PHONE);
            await pageCase.open(page, { username: visitor.username, publicProfile });
            await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
            const overflow = await page.evaluate(
              () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            );
            expect({ sidewaysScrollAt360px: overflow }).toEqual({ sidewaysScrollAt360px: 0 });
          } finally {
            await visitor.context.close();
          }
        });
      }
    }
  }
});
