import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startApp, type RunningApp } from './support/browser';

/**
 * The account journey, run three ways with the same assertions: JavaScript off, JavaScript on,
 * and keyboard only. Later journeys (catalog, list, media, home) join this runner.
 */
interface Driver {
  /** Follows a link or presses a button, by its accessible text. */
  activate(page: Page, role: 'link' | 'button', name: string): Promise<void>;
  /** Types into the field with this label. */
  fill(page: Page, label: string, value: string): Promise<void>;
  /** Submits the form the last field belongs to. */
  submit(page: Page, buttonName: string): Promise<void>;
}

const mouseAndTyping: Driver = {
  async activate(page, role, name) {
    await Promise.all([page.waitForNavigation(), page.getByRole(role, { name, exact: true }).click()]);
  },
  async fill(page, label, value) {
    await page.getByLabel(label, { exact: true }).fill(value);
  },
  async submit(page, buttonName) {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: buttonName, exact: true }).click()]);
  },
};

/**
 * Moves focus with the keyboard until the element is focused: backwards first for a few steps
 * (the field before, as a person going back would), then forwards, wrapping round the page.
 */
async function tabTo(page: Page, matches: (page: Page) => Promise<boolean>, label: string) {
  if (await matches(page)) return;
  for (let i = 0; i < 2; i += 1) {
    await page.keyboard.press('Shift+Tab');
    if (await matches(page)) return;
  }
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    if (await matches(page)) return;
  }
  throw new Error(`The keyboard could not reach ${label}`);
}

const focusedIs = (role: 'link' | 'button', name: string) => async (page: Page) =>
  page.evaluate(
    ({ role, name }) => {
      const element = document.activeElement as HTMLElement | null;
      if (!element) return false;
      const tag = role === 'link' ? 'A' : 'BUTTON';
      return element.tagName === tag && (element.textContent ?? '').replace(/\s+/g, ' ').trim() === name;
    },
    { role, name },
  );

const keyboardOnly: Driver = {
  async activate(page, role, name) {
    await tabTo(page, focusedIs(role, name), `${role} "${name}"`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press(role === 'button' ? 'Space' : 'Enter')]);
  },
  async fill(page, label, value) {
    const id = await page.getByLabel(label, { exact: true }).getAttribute('id');
    await tabTo(page, (p) => p.evaluate((id) => document.activeElement?.id === id, id), `field "${label}"`);
    await page.keyboard.type(value);
  },
  async submit(page) {
    // Enter in a text field submits its form, as it does for anyone using a keyboard.
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  },
};

const RUNS: { name: string; javaScriptEnabled: boolean; driver: Driver }[] = [
  { name: 'JavaScript off', javaScriptEnabled: false, driver: mouseAndTyping },
  { name: 'JavaScript on', javaScriptEnabled: true, driver: mouseAndTyping },
  { name: 'keyboard only', javaScriptEnabled: true, driver: keyboardOnly },
];

const statusText = (page: Page) => page.locator('[role="status"]').innerText();
const signedInAs = (page: Page) => page.locator('.signed-in-as').count();

interface Journey {
  name: string;
  walk(page: Page, driver: Driver): Promise<void>;
}

/** Each journey runs once per way of browsing in RUNS; later issues add theirs here. */
const JOURNEYS: Journey[] = [
  {
    name: 'account: register, sign out, sign in (wrong, then right), change theme, sign out',
    async walk(page, driver) {
      const username = `journey${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
      const password = 'a long and quiet road';
      await page.goto('/');
      await driver.activate(page, 'link', 'Create an account');
      expect(await page.getAttribute('body', 'data-page')).toBe('register');
      await driver.fill(page, 'Username', username);
      await driver.fill(page, 'Email address', `${username}@example.com`);
      await driver.fill(page, 'Password', password);
      await driver.fill(page, 'Confirm password', password);
      await driver.submit(page, 'Create account');
      expect(await statusText(page)).toContain(`Welcome, ${username}!`);
      expect(await signedInAs(page)).toBe(1);

      await driver.activate(page, 'button', 'Sign out');
      expect(await statusText(page)).toContain('You have signed out');
      expect(await signedInAs(page)).toBe(0);

      await driver.activate(page, 'link', 'Sign in');
      await driver.fill(page, 'Username or email', username);
      await driver.fill(page, 'Password', 'not the right one');
      await driver.submit(page, 'Sign in');
      expect(await page.locator('.error-summary').innerText()).toContain('The username or password is wrong');
      // The summary takes focus, so a screen reader reads it and the keyboard starts from it.
      expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
      expect(await page.getByLabel('Username or email', { exact: true }).inputValue()).toBe(username);
      await driver.fill(page, 'Password', password);
      await driver.submit(page, 'Sign in');
      expect(await signedInAs(page)).toBe(1);

      await driver.activate(page, 'link', 'Settings');
      await driver.activate(page, 'button', 'Dark');
      expect(await statusText(page)).toContain('Theme saved');
      // The message takes focus after the redirect, so it is announced.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('status');
      expect(await page.getAttribute('body', 'data-theme')).toBe('dark');
      expect(await page.getByRole('button', { name: 'Dark' }).getAttribute('aria-pressed')).toBe('true');

      await driver.activate(page, 'button', 'Sign out');
      expect(await signedInAs(page)).toBe(0);
      expect(await page.getAttribute('body', 'data-theme')).toBe('dark');
    },
  },
];

describe('journeys', () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startApp();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  for (const journey of JOURNEYS) {
    for (const { name, javaScriptEnabled, driver } of RUNS) {
      it(`${journey.name}: ${name}`, async () => {
        const context = await browser.newContext({ baseURL: running.baseUrl, javaScriptEnabled });
        const page = await context.newPage();
        // With JavaScript on, a script error or a refused (CSP) load is a failure, not a footnote.
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        // (A page answered with 401 or 422 is the journey working; its console line is not a problem.)
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded'))
            problems.push(`console: ${message.text()}`);
        });
        page.on('response', (response) => {
          if (response.request().resourceType() !== 'document' && response.status() >= 400)
            problems.push(`${response.status()} for ${response.url()}`);
        });
        try {
          await journey.walk(page, driver);
          if (javaScriptEnabled)
            expect(await page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }
});
