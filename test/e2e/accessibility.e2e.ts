import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { HtmlValidate } from 'html-validate';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from '../../src/paths';
import { createUser } from '../support/session';
import { launchBrowser, openVisitor, startApp, SWEPT_THEMES, type RunningApp } from './support/browser';
import { pagesFor } from './support/pages';

const SCREENSHOTS = path.join(projectRoot, 'test-output', 'screenshots');
// WCAG 2.2 A and AA, plus axe's best practices (heading order, unique landmarks, content in regions).
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
const PHONE = { width: 360, height: 740 };

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Prettier is not run over templates; these are matters of style, not validity.
    'no-trailing-whitespace': 'off',
    'attribute-boolean-style': 'off',
    'void-style': 'off',
    // A filter's checkboxes share their name: ?type=book&type=game.
    'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
  },
});

/**
 * Puts the keyboard back at the top of the page, as on arrival: focus on the body, so the next
 * Tab goes to the first focusable element (an autofocused message moves it otherwise).
 */
async function focusPageStart(page: Page) {
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
}

/**
 * Everything a mouse user could operate: native controls, and anything made clickable by role,
 * htmx attribute or handler. Closed <details> are opened first so their contents count too.
 */
async function operableElements(page: Page) {
  return page.evaluate(() => {
    document.querySelectorAll('details:not([open])').forEach((details) => details.setAttribute('open', ''));
    const selector = [
      'a[href]',
      'button:not(:disabled)',
      'input:not([type="hidden"]):not(:disabled)',
      'select:not(:disabled)',
      'textarea:not(:disabled)',
      'summary',
      '[tabindex]:not([tabindex="-1"])',
      '[onclick]',
      '[hx-get]',
      '[hx-post]',
      '[hx-put]',
      '[hx-patch]',
      '[hx-delete]',
      '[role="button"]',
      '[role="link"]',
      '[role="checkbox"]',
      '[role="switch"]',
      '[role="tab"]',
      '[role="menuitem"]',
      '[contenteditable]',
    ].join(', ');
    const all = [...document.querySelectorAll('*')];
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((element) => element.tagName !== 'FORM')
      .filter((element) => element.getClientRects().length > 0 || element.classList.contains('skip-link'))
      .filter((element) => !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked))
      .map((element) => ({
        key: `${element.tagName}#${all.indexOf(element)}`,
        description: element.outerHTML.slice(0, 80),
      }));
  });
}

/**
 * Tabs through the page until focus comes round again. At each stop the focus indicator must
 * be real: at least 8×8 px on screen, an outline (or shadow) that appears only on focus, drawn
 * in a colour with 3:1 contrast against the page background.
 */
async function tabThrough(page: Page, limit: number) {
  const stops: { key: string; visible: boolean; description: string }[] = [];
  await focusPageStart(page);
  let blanks = 0;
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const parse = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
        const channel = (value: number) => {
          const c = value / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      };
      const contrast = (a: number[], b: number[]) => {
        const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
        return (high + 0.05) / (low + 0.05);
      };
      const indicator = (style: CSSStyleDeclaration) => ({
        outline: style.outlineStyle !== 'none' ? `${style.outlineWidth} ${style.outlineColor}` : 'none',
        shadow: style.boxShadow,
      });
      const focused = getComputedStyle(element);
      const whenFocused = indicator(focused);
      const outlineColour = parse(focused.outlineColor);
      const background = parse(getComputedStyle(document.body).backgroundColor);
      const ring =
        (focused.outlineStyle !== 'none' &&
          parseFloat(focused.outlineWidth) >= 2 &&
          (outlineColour[3] ?? 1) > 0 &&
          contrast(outlineColour, background) >= 3) ||
        (focused.boxShadow !== 'none' && !/rgba\([^)]*,\s*0\)/.test(focused.boxShadow));
      element.blur();
      const whenBlurred = indicator(getComputedStyle(element));
      element.focus();
      const appearsOnFocus = JSON.stringify(whenFocused) !== JSON.stringify(whenBlurred);
      const box = element.getBoundingClientRect();
      const onScreen =
        box.width >= 8 &&
        box.height >= 8 &&
        box.bottom > 0 &&
        box.right > 0 &&
        box.top < innerHeight &&
        box.left < innerWidth;
      const index = [...document.querySelectorAll('*')].indexOf(element);
      return {
        key: `${element.tagName}#${index}`,
        visible: ring && appearsOnFocus && onScreen,
        description: `${element.tagName.toLowerCase()} "${(element.textContent ?? element.getAttribute('name') ?? '').trim().slice(0, 40)}"`,
      };
    });
    if (!stop) {
      // Past the last control focus leaves the page once; then it comes round to the top.
      blanks += 1;
      if (blanks > 1) break;
      continue;
    }
    if (stops.some((seen) => seen.key === stop.key)) break;
    stops.push(stop);
  }
  return stops;
}

/** Landmarks by what they are to assistive technology, with every navigation named uniquely. */
async function landmarks(page: Page) {
  return page.evaluate(() => {
    const navNames = [...document.querySelectorAll('nav')].map((nav) => nav.getAttribute('aria-label') ?? '');
    return {
      banner: document.querySelectorAll('body > header').length,
      main: document.querySelectorAll('main#main').length,
      contentinfo: document.querySelectorAll('body > footer').length,
      navigation: navNames.length > 0,
      navigationNamesUnique: new Set(navNames).size === navNames.length && !navNames.includes(''),
      unlabelledControls: [
        ...document.querySelectorAll<HTMLInputElement>('input:not([type="hidden"]), select, textarea'),
      ]
        .filter((control) => !control.labels || control.labels.length === 0)
        .map((control) => control.outerHTML.slice(0, 80)),
    };
  });
}

describe('every page, in every theme, signed in and out', () => {
  let browser: Browser;
  let running: RunningApp;
  let publicProfile: string;
  const titles: { page: string; title: string }[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startApp();
    const owner = await createUser(running.db.knex);
    publicProfile = owner.username;
    // Something for its statistics to show visitors: a few titles in each status, some rated.
    await running.db.knex.raw(
      `insert into interaction.user_media (user_id, media_id, status, rating, progress, completed_at)
       select ?, id, (array['planning','in_progress','completed','paused','dropped'])[1 + n % 5],
              case when n % 3 = 0 then 10 + n * 7 % 90 end, n % 40, now() - make_interval(days => (n * 97 % 1500)::int)
         from (select id, row_number() over (order by title, id) as n from media.media limit 40) m`,
      [owner.id],
    );
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  /** One h1, the landmarks by role, a label for every control, a title, and valid markup. */
  async function checkStructure(page: Page, pageName: string, html: string) {
    expect(await page.locator('h1').count()).toBe(1);
    expect(await landmarks(page)).toEqual({
      banner: 1,
      main: 1,
      contentinfo: 1,
      navigation: true,
      navigationNamesUnique: true,
      unlabelledControls: [],
    });
    const title = await page.title();
    expect(title).not.toBe('');
    titles.push({ page: pageName, title });
    const report = await validator.validateString(html);
    const problems = report.results.flatMap((result) =>
      result.messages.map((message) => `${message.ruleId} at ${message.line}:${message.column}: ${message.message}`),
    );
    expect({ htmlValidate: problems }).toEqual({ htmlValidate: [] });
  }

  for (const signedIn of [false, true]) {
    for (const [themeIndex, theme] of SWEPT_THEMES.entries()) {
      const fullCheck = themeIndex === 0;
      // Another state of a page (variantOf) has that page's styles: its colours are checked once.
      const pageCases = pagesFor(signedIn).filter((pageCase) => fullCheck || !pageCase.variantOf);
      for (const pageCase of pageCases) {
        const label = `${pageCase.name} (${signedIn ? 'signed in' : 'signed out'}, ${theme.name})`;

        const checks = fullCheck
          ? 'no axe violations; one h1, landmarks, labels, valid HTML; all by keyboard; focus shows; fits a phone'
          : 'no colour violations; focus shows; fits a phone';
        it(`${label}: ${checks}`, async () => {
          const visitor = await openVisitor(browser, running, { signedIn, theme });
          try {
            const page = await visitor.context.newPage();
            const opened = { username: visitor.username, publicProfile, running };
            const response = await pageCase.open(page, opened);
            expect(response).not.toBeNull();
            expect(await page.getAttribute('body', 'data-theme')).toBe(theme.dataTheme);
            const name = `${pageCase.name}-${signedIn ? 'in' : 'out'}-${theme.name}`;
            await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });

            // A theme changes colours only: the first theme gets every rule, the others the colour rules.
            const axe = new AxeBuilder({ page });
            const results = await (fullCheck ? axe.withTags(AXE_TAGS) : axe.withRules(COLOUR_RULES)).analyze();
            const violations = results.violations.map(
              (violation) =>
                `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
            );
            expect({ axe: violations }).toEqual({ axe: [] });

            // Structure, markup and keyboard reach do not depend on the theme: checked once per page.
            if (fullCheck) await checkStructure(page, pageCase.variantOf ?? pageCase.name, await response!.text());

            const operable = await operableElements(page);
            // The focus ring's colour is the theme's, the same on every control: in the other themes
            // the first 60 stops (the header, the controls bar and the first rows' controls: every
            // kind of control the site has) are enough. The first theme goes through all of them.
            const stops = await tabThrough(page, fullCheck ? operable.length + 10 : Math.min(operable.length + 10, 60));
            const noRing = stops.filter((stop) => !stop.visible).map((stop) => stop.description);
            expect({ focusNotVisible: noRing }).toEqual({ focusNotVisible: [] });
            if (fullCheck) {
              const reached = new Set(stops.map((stop) => stop.key));
              const unreachable = operable.filter((element) => !reached.has(element.key));
              expect({ notReachableByKeyboard: unreachable.map((element) => element.description) }).toEqual({
                notReachableByKeyboard: [],
              });
              await focusPageStart(page);
              await page.keyboard.press('Tab');
              expect(await page.evaluate(() => document.activeElement?.classList.contains('skip-link'))).toBe(true);
              await page.keyboard.press('Enter');
              expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
            }

            // The layout answers the new width at once: no need to load the page again.
            await page.setViewportSize(PHONE);
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

  it('gives no two different pages the same title', () => {
    const byTitle = new Map<string, Set<string>>();
    for (const { page, title } of titles) byTitle.set(title, (byTitle.get(title) ?? new Set()).add(page));
    const shared = [...byTitle.entries()]
      .filter(([, pages]) => pages.size > 1)
      .map(([title, pages]) => `${title}: ${[...pages].join(', ')}`);
    expect(titles.length).toBeGreaterThan(0);
    expect(shared).toEqual([]);
  });
});
