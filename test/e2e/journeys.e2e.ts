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

/** Tab (forward, wrapping) until the element is focused; Shift+Tab is tried when Tab cannot find it. */
async function tabTo(page: Page, matches: (page: Page) => Promise<boolean>, label: string) {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 60; i += 1) {
      if (await matches(page)) return;
      await page.keyboard.press(key);
    }
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

describe('the account journey', () => {
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

  for (const { name, javaScriptEnabled, driver } of RUNS) {
    it(`register, sign out, sign in (wrong, then right), change theme, sign out: ${name}`, async () => {
      const context = await browser.newContext({ baseURL: running.baseUrl, javaScriptEnabled });
      const page = await context.newPage();
      const username = `journey${name.replace(/\W/g, '')}${Date.now() % 100000}`;
      const password = 'a long and quiet road';
      try {
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
        expect(await page.getAttribute('body', 'data-theme')).toBe('dark');
        expect(await page.getByRole('button', { name: 'Dark' }).getAttribute('aria-pressed')).toBe('true');

        await driver.activate(page, 'button', 'Sign out');
        expect(await signedInAs(page)).toBe(0);
        expect(await page.getAttribute('body', 'data-theme')).toBe('dark');
      } finally {
        await context.close();
      }
    });
  }
});
