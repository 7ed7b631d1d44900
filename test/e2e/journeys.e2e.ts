import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startApp, type RunningApp } from './support/browser';

/**
 * The account and catalog journeys, each run three ways with the same assertions: JavaScript
 * off, JavaScript on, and keyboard only. Later journeys (list, media, home) join this runner.
 */
interface Driver {
  /** Follows a link or presses a button, by its accessible text (within the element `scope` selects). */
  activate(page: Page, role: 'link' | 'button', name: string, scope?: string): Promise<void>;
  /** Types into the field with this label. */
  fill(page: Page, label: string, value: string): Promise<void>;
  /** Submits the form the last field belongs to. */
  submit(page: Page, buttonName: string): Promise<void>;
  /** Opens a disclosure (a <details>) by its summary. */
  disclose(page: Page, summary: string): Promise<void>;
  /** Ticks or clears the checkbox with this label. */
  toggle(page: Page, label: string): Promise<void>;
  /** Presses a control that changes the page in place (htmx) rather than loading another. */
  press(page: Page, role: 'link' | 'button', name: string, scope?: string): Promise<void>;
  /** Picks an option of the select with this label (within the element `scope` selects). */
  choose(page: Page, label: string, option: string, scope?: string): Promise<void>;
}

const mouseAndTyping: Driver = {
  async activate(page, role, name, scope) {
    const within = scope ? page.locator(scope) : page;
    await Promise.all([page.waitForNavigation(), within.getByRole(role, { name, exact: true }).click()]);
  },
  async fill(page, label, value) {
    await page.getByLabel(label, { exact: true }).fill(value);
  },
  async submit(page, buttonName) {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: buttonName, exact: true }).click()]);
  },
  async disclose(page, summary) {
    await page.locator('summary', { hasText: summary }).first().click();
  },
  async toggle(page, label) {
    await page.getByLabel(label, { exact: true }).click();
  },
  async press(page, role, name, scope) {
    await (scope ? page.locator(scope) : page).getByRole(role, { name, exact: true }).click();
  },
  async choose(page, label, option, scope) {
    await (scope ? page.locator(scope) : page).getByLabel(label, { exact: true }).selectOption({ label: option });
  },
};

/**
 * Moves focus forwards with the keyboard until the element is focused, wrapping round the page.
 * (Never backwards: Shift+Tab out of an open filter menu would close it.)
 */
async function tabTo(page: Page, matches: (page: Page) => Promise<boolean>, label: string) {
  if (await matches(page)) return;
  for (let i = 0; i < 250; i += 1) {
    await page.keyboard.press('Tab');
    if (await matches(page)) return;
  }
  throw new Error(`The keyboard could not reach ${label}`);
}

const focusedIs = (role: 'link' | 'button' | 'summary', name: string, scope?: string) => async (page: Page) =>
  page.evaluate(
    ({ role, name, scope }) => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || (scope && !element.closest(scope))) return false;
      const tag = role === 'link' ? 'A' : role === 'button' ? 'BUTTON' : 'SUMMARY';
      return element.tagName === tag && (element.textContent ?? '').replace(/\s+/g, ' ').trim() === name;
    },
    { role, name, scope },
  );

const focusedLabelled = (label: string) => async (page: Page) =>
  page.evaluate((label) => {
    const element = document.activeElement as HTMLInputElement | null;
    return Boolean(element?.labels && [...element.labels].some((l) => l.textContent?.trim() === label));
  }, label);

const keyboardOnly: Driver = {
  async activate(page, role, name, scope) {
    await tabTo(page, focusedIs(role, name, scope), `${role} "${name}"`);
    if (role === 'link') {
      // Wait for the link's own address: tabbing out of a field on the way fires its change, and
      // htmx's answer to that pushes an address too, which waitForNavigation would take for this.
      const href = await page.evaluate(() => (document.activeElement as HTMLAnchorElement).href);
      await Promise.all([page.waitForURL(href), page.keyboard.press('Enter')]);
      return;
    }
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
  async disclose(page, summary) {
    await tabTo(page, focusedIs('summary', summary), `summary "${summary}"`);
    await page.keyboard.press('Enter');
  },
  async toggle(page, label) {
    await tabTo(page, focusedLabelled(label), `checkbox "${label}"`);
    await page.keyboard.press('Space');
  },
  async press(page, role, name, scope) {
    await tabTo(page, focusedIs(role, name, scope), `${role} "${name}"`);
    await page.keyboard.press(role === 'button' ? 'Space' : 'Enter');
  },
  async choose(page, label, option, scope) {
    const id = await (scope ? page.locator(scope) : page).getByLabel(label, { exact: true }).getAttribute('id');
    await tabTo(page, (p) => p.evaluate((id) => document.activeElement?.id === id, id), `select "${label}"`);
    // Typing an option's first letters picks it in a closed select, as a keyboard user does. When
    // no other option starts with its first letter, that letter alone is what a person types: a
    // select that saves on change (htmx) is redrawn after it, and more letters would land on the
    // new one and pick again ("p" for Paused).
    const labels = await page.evaluate(
      (id) => [...(document.getElementById(id!) as HTMLSelectElement).options].map((o) => o.label.toLowerCase()),
      id,
    );
    const initial = option.charAt(0).toLowerCase();
    const unique = labels.filter((l) => l.startsWith(initial)).length === 1;
    await page.keyboard.type(unique ? initial : option);
  },
};

const RUNS: { name: string; javaScriptEnabled: boolean; driver: Driver }[] = [
  { name: 'JavaScript off', javaScriptEnabled: false, driver: mouseAndTyping },
  { name: 'JavaScript on', javaScriptEnabled: true, driver: mouseAndTyping },
  { name: 'keyboard only', javaScriptEnabled: true, driver: keyboardOnly },
];

const statusText = (page: Page) => page.locator('.flash[role="status"]').innerText();
const signedInAs = (page: Page) => page.locator('.signed-in-as').count();

interface Journey {
  name: string;
  walk(page: Page, driver: Driver, javaScriptEnabled: boolean, running: RunningApp): Promise<void>;
}

/** Makes an account through the form and leaves it signed in. */
async function register(page: Page, driver: Driver): Promise<string> {
  const username = `journey${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
  const password = 'a long and quiet road';
  await page.goto('/register');
  await driver.fill(page, 'Username', username);
  await driver.fill(page, 'Email address', `${username}@example.com`);
  await driver.fill(page, 'Password', password);
  await driver.fill(page, 'Confirm password', password);
  await driver.submit(page, 'Create account');
  expect(await page.locator('.signed-in-as').count()).toBe(1);
  return username;
}

/**
 * Does something that changes the catalog's results: with JavaScript, htmx swaps them in place
 * (no page load) and pushes the URL; without, the Apply button (or a link) loads the page.
 */
async function changeResults(
  page: Page,
  javaScriptEnabled: boolean,
  change: () => Promise<void>,
  noJs?: () => Promise<void>,
) {
  if (!javaScriptEnabled) {
    await change();
    if (noJs) await noJs();
    return;
  }
  const swapped = page.waitForResponse((response) => response.request().headers()['hx-request'] === 'true');
  await change();
  await swapped;
  // The swap (and the pushed URL) land after the response: wait until htmx is done.
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling'));
}

/** Whatever the route, the page must show what its URL says. */
async function expectPageMatchesUrl(page: Page) {
  const url = new URL(page.url());
  expect(await page.locator('#searchBox').inputValue()).toBe(url.searchParams.get('q') ?? '');
  const checkedTypes = await page
    .locator('input[name="type"]:checked')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
  expect(checkedTypes).toEqual(url.searchParams.getAll('type'));
  expect(await page.locator('#year-from').inputValue()).toBe(url.searchParams.get('from') ?? '');
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
  {
    name: 'catalog: find by a misspelling, filter by type and decade, hide a column, sort, page, add, go back',
    async walk(page, driver, javaScriptEnabled) {
      await page.goto('/catalog?q=godfather');
      await driver.activate(page, 'link', 'Sign in to add The Godfather');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/catalog?q=godfather');
      await register(page, driver);
      await page.goto('/catalog');

      await changeResults(
        page,
        javaScriptEnabled,
        () => driver.fill(page, 'Search', 'godfathr'),
        () => driver.submit(page, 'Apply'),
      );
      expect(new URL(page.url()).searchParams.get('q')).toBe('godfathr');
      expect(await page.locator('#rows th[scope="row"]').allInnerTexts()).toContain('The Godfather');

      // The misspelling found it; now browse instead: the badge's remove link drops the search.
      await driver.activate(page, 'link', 'remove Search: godfathr');
      expect(new URL(page.url()).searchParams.has('q')).toBe(false);

      await driver.disclose(page, 'Type');
      // A type's label ends with its number of titles: "Movies (3,934)".
      const movies = (await page.locator('label[for^="type-"]', { hasText: /^Movies \(/ }).innerText()).trim();
      expect(movies).toMatch(/^Movies \([\d,]+\)$/);
      await changeResults(page, javaScriptEnabled, () => driver.toggle(page, movies));
      await driver.disclose(page, 'Released');
      await driver.fill(page, 'From year', '1970');
      // Enter in the field applies the filter, with or without JavaScript.
      await changeResults(page, javaScriptEnabled, async () => {
        if (javaScriptEnabled) await page.keyboard.press('Enter');
        else await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      });
      expect(new URL(page.url()).search).toContain('type=movie');
      expect(new URL(page.url()).search).toContain('from=1970');
      await expectPageMatchesUrl(page);
      expect(await page.locator('.result-count').innerText()).toMatch(/^1–50 of /);
      expect(await page.locator('.filter-status .badge').allInnerTexts()).toEqual(
        expect.arrayContaining([
          expect.stringContaining('Type: Movie'),
          expect.stringContaining('Released: from 1970'),
        ]),
      );

      await driver.disclose(page, 'Columns');
      await changeResults(
        page,
        javaScriptEnabled,
        async () => {
          await driver.toggle(page, 'Creators');
          // Done with the menu: Escape closes it (with JavaScript; without, Apply loads the page).
          await page.keyboard.press('Escape');
        },
        () => driver.submit(page, 'Apply'),
      );
      expect(await page.locator('thead th').allInnerTexts()).not.toContain('Creators');

      await changeResults(page, javaScriptEnabled, () =>
        javaScriptEnabled
          ? driver.press(page, 'link', 'Released (sort descending)')
          : driver.activate(page, 'link', 'Released (sort descending)'),
      );
      expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('Released');
      const years = await page
        .locator('#rows time')
        .evaluateAll((times) => times.map((t) => t.getAttribute('datetime')));
      expect(years).toEqual([...years].sort().reverse());

      await changeResults(page, javaScriptEnabled, () =>
        javaScriptEnabled ? driver.press(page, 'link', 'Next page') : driver.activate(page, 'link', 'Next page'),
      );
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      expect(await page.locator('.result-count').innerText()).toMatch(/^51–/);

      // A title that appears once on the page, so its button's name is unique.
      const titles = await page
        .locator('#rows th[scope="row"]')
        .evaluateAll((cells) => cells.map((cell) => cell.firstChild?.textContent?.trim() ?? ''));
      const index = titles.findIndex((title) => titles.indexOf(title) === titles.lastIndexOf(title));
      const title = titles[index]!;
      const row = page.locator('#rows tr').nth(index);
      if (javaScriptEnabled) {
        await driver.press(page, 'button', `Add ${title}`);
        await row.locator('.entry-status').waitFor();
        expect(await page.locator('#announcer').innerText()).toContain(`Added “${title}” to your list as Planning.`);
        // Focus stays in the row, on its new status, not lost to the top of the page. It moves once
        // htmx has settled the swap, a moment after the row is in: waited for, not sampled.
        await page.waitForFunction(() => document.activeElement?.classList.contains('entry-status'), null, {
          timeout: 5000,
        });
      } else {
        await driver.activate(page, 'button', `Add ${title}`);
        expect(await statusText(page)).toContain(`Added “${title}” to your list as Planning.`);
        expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      }
      expect(await page.locator('#rows tr').first().locator('.entry-status').innerText()).toContain(
        'In your list: Planning',
      );

      // Back and reload show exactly what the URL says.
      // With htmx, Back reads the page afresh (no stale snapshot from history): wait for that load.
      if (javaScriptEnabled) await Promise.all([page.waitForEvent('load'), page.goBack()]);
      else await page.goBack();
      await expectPageMatchesUrl(page);
      await page.reload();
      await expectPageMatchesUrl(page);
      expect(await page.locator('thead th').allInnerTexts()).not.toContain('Creators');
    },
  },
  {
    name: 'list: add three titles, start one and finish it, rate it, note it, remove one and undo',
    async walk(page, driver, javaScriptEnabled) {
      await register(page, driver);
      /** Adds a title from a catalog search, in place (htmx) or by a form post. */
      const add = async (search: string, title: string) => {
        await page.goto(`/catalog?q=${encodeURIComponent(search)}`);
        if (javaScriptEnabled) {
          await driver.press(page, 'button', `Add ${title}`);
          await page.locator('#announcer', { hasText: `Added “${title}”` }).waitFor();
        } else {
          await driver.activate(page, 'button', `Add ${title}`);
          expect(await statusText(page)).toContain(`Added “${title}”`);
        }
      };
      await add('righteous kill', 'Righteous Kill');
      await add('godfather', 'The Godfather');
      await add('godfather', 'Tokyo Godfathers');

      await driver.activate(page, 'link', 'My list');
      const titles = () =>
        page
          .locator('#rows th[scope="row"]')
          .evaluateAll((cells) => cells.map((cell) => cell.firstChild?.textContent?.trim() ?? ''));
      expect(new Set(await titles())).toEqual(new Set(['Righteous Kill', 'The Godfather', 'Tokyo Godfathers']));

      const film = page.locator('#rows tr', { hasText: 'Righteous Kill' });
      const status = () => film.locator('select[name="status"] option:checked').innerText();
      const progress = () => film.locator('input[name="progress"]').inputValue();
      /** A change to the row: htmx saves it and swaps the row; without JavaScript, Save posts the form. */
      const editRow = async (change: () => Promise<void>) => {
        if (!javaScriptEnabled) {
          await change();
          await driver.activate(page, 'button', 'Save Righteous Kill');
          expect(await statusText(page)).toContain('Saved “Righteous Kill”');
          return;
        }
        await changeResults(page, true, change);
        expect(await page.locator('#announcer').innerText()).toContain('Saved “Righteous Kill”');
      };

      await editRow(() => driver.choose(page, 'Status of Righteous Kill', 'In progress'));
      expect(await status()).toBe('In progress');
      const progressLabel = 'Progress of Righteous Kill, in min, out of 101';
      // A typed value is saved by Enter (the row's form submits), as a select is saved by choosing.
      await editRow(async () => {
        await driver.fill(page, progressLabel, '100');
        if (javaScriptEnabled) await page.keyboard.press('Enter');
      });
      expect(await progress()).toBe('100');
      // +1 reaches the film's length: it is completed.
      if (javaScriptEnabled) {
        await changeResults(page, true, () => driver.press(page, 'button', '+1 to the progress of Righteous Kill'));
        // Focus stays on the button the user pressed.
        expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toContain('+1');
      } else await driver.activate(page, 'button', '+1 to the progress of Righteous Kill');
      expect(await progress()).toBe('101');
      expect(await status()).toBe('Completed');
      // Enter in the rating field saves the row as Save does, not as +1 (the first button in the row).
      await driver.fill(page, 'Rating of Righteous Kill, 1 to 10', '8');
      if (javaScriptEnabled) {
        await changeResults(page, true, () => page.keyboard.press('Enter'));
        expect(await page.locator('#announcer').innerText()).toContain('Saved “Righteous Kill”');
      } else {
        await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
        expect(await statusText(page)).toContain('Saved “Righteous Kill”');
      }
      expect(await film.locator('input[name="rating"]').inputValue()).toBe('8');
      expect(await progress()).toBe('101');

      if (javaScriptEnabled) {
        // Arrowing through a closed select changes it at each step (on Windows and Linux): the row
        // saves once, after the last, so passing Completed on the way to Paused leaves no trace.
        const anime = page.locator('#rows tr', { hasText: 'Tokyo Godfathers' });
        await anime.locator('select[name="status"]').focus();
        await changeResults(page, true, async () => {
          for (let step = 0; step < 3; step += 1) await page.keyboard.press('ArrowDown');
        });
        expect(await page.locator('#announcer').innerText()).toContain('Saved “Tokyo Godfathers”');
        expect(await anime.locator('select[name="status"] option:checked').innerText()).toBe('Paused');
        expect(await anime.locator('input[name="progress"]').inputValue()).toBe('');
        // A rating typed, then Tab on to +1 before the save goes out: the save is the rating alone.
        await anime.locator('input[name="rating"]').fill('6');
        await changeResults(page, true, async () => {
          await page.keyboard.press('Tab');
          await page.keyboard.press('Tab');
        });
        expect(await anime.locator('input[name="rating"]').inputValue()).toBe('6');
        expect(await anime.locator('input[name="progress"]').inputValue()).toBe('');

        // A change made while the row's save is on its way is saved after it, not lost when the
        // answer redraws the row: the save of Dropped is held until the rating has been changed.
        let release = () => {};
        const held = new Promise<void>((resolve) => (release = resolve));
        let sawSave = () => {};
        const saving = new Promise<void>((resolve) => (sawSave = resolve));
        await page.route(
          (url) => /^\/list\/[0-9a-f-]{36}$/.test(url.pathname),
          async (route) => {
            sawSave();
            await held;
            await route.continue();
          },
          { times: 1 },
        );
        await anime.locator('select[name="status"]').selectOption({ label: 'Dropped' });
        await saving;
        await anime.locator('input[name="rating"]').fill('9');
        await anime.locator('input[name="rating"]').dispatchEvent('change');
        // Past the row's 400 ms: the second save is waiting behind the first.
        await page.waitForTimeout(600);
        const ratingSaved = page.waitForResponse(
          (response) =>
            response.request().method() === 'POST' && /rating=9(&|$)/.test(response.request().postData() ?? ''),
        );
        release();
        expect((await ratingSaved).status()).toBe(200);
        await page.reload();
        expect(await anime.locator('select[name="status"] option:checked').innerText()).toBe('Dropped');
        expect(await anime.locator('input[name="rating"]').inputValue()).toBe('9');
      }

      await driver.activate(page, 'link', 'Edit Righteous Kill');
      await driver.fill(page, 'Notes', 'Tense, and long.');
      if (javaScriptEnabled && driver !== mouseAndTyping) {
        // In a textarea Enter is a new line: the keyboard goes on to the Save button.
        await driver.activate(page, 'button', 'Save');
      } else await driver.submit(page, 'Save');
      expect(await statusText(page)).toContain('Saved “Righteous Kill”: notes.');

      if (javaScriptEnabled) {
        await changeResults(page, true, () => driver.press(page, 'button', 'Remove The Godfather'));
        expect(await page.locator('#rows tr.removed-row').innerText()).toContain('Removed “The Godfather”');
        await changeResults(page, true, () => driver.press(page, 'button', 'Undo removing The Godfather'));
      } else {
        await driver.activate(page, 'button', 'Remove The Godfather');
        expect(await statusText(page)).toContain('Removed “The Godfather”');
        expect(await titles()).not.toContain('The Godfather');
        await driver.activate(page, 'button', 'Undo');
        expect(await statusText(page)).toContain('“The Godfather” is back in your list.');
      }
      expect(new Set(await titles())).toEqual(new Set(['Righteous Kill', 'The Godfather', 'Tokyo Godfathers']));

      await page.reload();
      expect(new Set(await titles())).toEqual(new Set(['Righteous Kill', 'The Godfather', 'Tokyo Godfathers']));
      expect(await status()).toBe('Completed');
      expect(await progress()).toBe('101');
      expect(await film.locator('input[name="rating"]').inputValue()).toBe('8');
      expect(await film.locator('.notes-cell').innerText()).toBe('Tense, and long.');
    },
  },
  {
    name: 'media: open a title from the catalog, follow a sequel and back, read the watch order, track it; link two titles as an administrator',
    async walk(page, driver, javaScriptEnabled, running) {
      const username = await register(page, driver);
      /** Does something in place with htmx, or by a form post without JavaScript, and checks what it says. */
      const act = async (message: string, action: () => Promise<void>, withJs = action) => {
        if (javaScriptEnabled) {
          await changeResults(page, true, withJs);
          expect(await page.locator('#announcer').innerText()).toContain(message);
        } else {
          await action();
          expect(await statusText(page)).toContain(message);
        }
      };

      await page.goto('/catalog?q=catching+fire');
      await driver.activate(page, 'link', 'Catching Fire');
      expect(await page.getAttribute('body', 'data-page')).toBe('media');
      expect(await page.locator('h1').innerText()).toBe('Catching Fire');
      const titlePage = page.url();
      expect(await page.locator('.watch-order li').allInnerTexts()).toEqual([
        'The Hunger Games (Book, 2008)',
        'Catching Fire (Book, 2009)',
        'Mockingjay (Book, 2010)',
      ]);
      expect(await page.locator('.watch-order [aria-current="page"]').innerText()).toBe('Catching Fire');

      // The sequel, by its link under Related (the watch order links it too), and back.
      await driver.activate(page, 'link', 'Mockingjay', '#related');
      expect(await page.locator('h1').innerText()).toBe('Mockingjay');
      expect(await page.locator('#related h3').allInnerTexts()).toContain('Prequel');
      await page.goBack();
      expect(page.url()).toBe(titlePage);
      expect(await page.locator('h1').innerText()).toBe('Catching Fire');

      // Add it from its page, as In progress, then note how far.
      await driver.choose(page, 'Status', 'In progress');
      await act(
        'Added “Catching Fire” to your list as In progress.',
        () => driver.activate(page, 'button', 'Add to your list'),
        () => driver.press(page, 'button', 'Add to your list'),
      );
      if (javaScriptEnabled) {
        // Focus moves to the entry's status, where the Add button was.
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('status');
      }
      expect(await page.locator('#status option:checked').innerText()).toBe('In progress');
      await driver.fill(page, 'Progress', '120');
      await act(
        'Saved “Catching Fire”: progress 120',
        () => driver.submit(page, 'Save'),
        // Enter in the field submits the panel's form; htmx sends it.
        () => (driver === keyboardOnly ? page.keyboard.press('Enter') : driver.press(page, 'button', 'Save')),
      );
      // The sequel, added in place from Related.
      await act(
        'Added “Mockingjay” to your list as Planning.',
        () => driver.activate(page, 'button', 'Add Mockingjay to your list'),
        () => driver.press(page, 'button', 'Add Mockingjay to your list'),
      );
      await page.reload();
      expect(await page.locator('#status option:checked').innerText()).toBe('In progress');
      expect(await page.locator('#progress').inputValue()).toBe('120');
      expect(await page.locator('#related li', { hasText: 'Mockingjay' }).innerText()).toContain(
        'In your list: Planning',
      );

      // An administrator links the film of The Shining to the book, from the book's page.
      const { knex } = running.db;
      const shining = (type: string) =>
        knex('media.media').where({ title: 'The Shining', media_type: type }).first<{ id: string } | undefined>('id');
      const [book, film] = [(await shining('book'))!.id, (await shining('movie'))!.id];
      await knex('media.relationships').whereIn('source_id', [book, film]).whereIn('target_id', [book, film]).delete();
      await knex('users.users').where({ username }).update({ role: 'admin' });
      await page.goto(`/media/${book}`);
      await driver.choose(page, 'This title’s relation to it', 'Adaptation');
      // Copied from the film's page, as an administrator would.
      await driver.fill(page, 'The other title’s page address or id', `${running.baseUrl}/media/${film}`);
      await act(
        'Linked: adaptation',
        () => driver.submit(page, 'Link'),
        () => (driver === keyboardOnly ? page.keyboard.press('Enter') : driver.press(page, 'button', 'Link')),
      );
      expect(await page.locator('#related h3').allInnerTexts()).toContain('Adaptation');
      // Both pages show it: the film's page says where it came from.
      await driver.activate(page, 'link', 'The Shining', '#related');
      expect(page.url()).toContain(film);
      const source = page.locator('#related li', { hasText: 'The Shining' });
      expect(await source.locator('a').getAttribute('href')).toBe(`/media/${book}`);
      expect(await page.locator('#related h3').allInnerTexts()).toContain('Source');

      // Removed from the film's page, it is gone from both.
      await act(
        'The link is removed, on both titles.',
        () => driver.activate(page, 'button', 'Remove link to The Shining (Source)'),
        () => driver.press(page, 'button', 'Remove link to The Shining (Source)'),
      );
      expect(await page.locator('#related h3').allInnerTexts()).not.toContain('Source');
      await page.goto(`/media/${book}`);
      expect(await page.locator('#related h3').allInnerTexts()).not.toContain('Adaptation');
    },
  },
  {
    name: 'home: add two titles from the tiles, start one, bump it, finish it; the profile agrees',
    async walk(page, driver, javaScriptEnabled) {
      const username = await register(page, driver);
      const tile = (kind: string) => `[aria-labelledby="tiles-${kind}-heading"]`;
      /** An action on a tile: in place with htmx (the live region says what happened), else a post back to /. */
      const act = async (message: string, action: () => Promise<void>, withJs: () => Promise<void>) => {
        if (javaScriptEnabled) {
          await changeResults(page, true, withJs);
          expect(await page.locator('#announcer').innerText()).toContain(message);
        } else {
          await action();
          expect(new URL(page.url()).pathname).toBe('/');
          expect(await statusText(page)).toContain(message);
        }
      };
      const total = async (name: string) => page.locator(`.welcome [data-total="${name}"] .count`).innerText();

      await page.goto('/');
      expect(await total('list-size')).toBe('0');
      const titles = await page
        .locator(`${tile('newest')} .media-title`)
        .evaluateAll((links) => links.slice(0, 2).map((link) => link.textContent?.trim() ?? ''));
      expect(titles).toHaveLength(2);
      const [first, second] = titles as [string, string];
      for (const title of titles) {
        await act(
          `Added “${title}” to your list as Planning.`,
          () => driver.activate(page, 'button', `Add ${title}`, tile('newest')),
          () => driver.press(page, 'button', `Add ${title}`, tile('newest')),
        );
      }
      await page.goto('/');
      expect(await total('list-size')).toBe('2');
      expect(await page.locator(`${tile('up-next')} .media-title`).allInnerTexts()).toEqual([second, first]);

      // Start the first from Up next: choosing saves it with htmx, Save posts it without.
      await act(
        `Saved “${first}”: status In progress`,
        async () => {
          await driver.choose(page, `Status of ${first}`, 'In progress', tile('up-next'));
          await driver.activate(page, 'button', `Save ${first}`, tile('up-next'));
        },
        () => driver.choose(page, `Status of ${first}`, 'In progress', tile('up-next')),
      );
      await page.goto('/');
      expect(await page.locator(`${tile('continue')} .media-title`).allInnerTexts()).toEqual([first]);
      expect(await total('in-progress')).toBe('1');

      await act(
        `Saved “${first}”: progress 1`,
        () => driver.activate(page, 'button', `+1 to the progress of ${first}`, tile('continue')),
        () => driver.press(page, 'button', `+1 to the progress of ${first}`, tile('continue')),
      );
      expect(await page.locator(`${tile('continue')} .tile-progress`).innerText()).toMatch(/^Progress: 1\b/);
      await act(
        `Saved “${first}”: status Completed`,
        async () => {
          await driver.choose(page, `Status of ${first}`, 'Completed', tile('continue'));
          await driver.activate(page, 'button', `Save ${first}`, tile('continue'));
        },
        () => driver.choose(page, `Status of ${first}`, 'Completed', tile('continue')),
      );

      await page.goto('/');
      expect(await total('in-progress')).toBe('0');
      expect(await total('completed-this-year')).toBe('1');
      expect(await total('list-size')).toBe('2');

      // The profile shows the same numbers, and each chart agrees with its table.
      await page.goto(`/users/${username}`);
      const table = (id: string) =>
        page
          .locator(`#${id} tbody tr`)
          .evaluateAll((rows) =>
            rows.map((row) => [
              row.querySelector('th')?.textContent?.trim(),
              row.querySelector('td')?.textContent?.trim(),
            ]),
          );
      expect(await table('chart-status')).toEqual([
        ['Planning', '1'],
        ['In progress', '0'],
        ['Completed', '1'],
        ['Paused', '0'],
        ['Dropped', '0'],
      ]);
      for (const id of ['chart-status', 'chart-years']) {
        const rows = await table(id);
        expect(await page.locator(`#${id} desc`).textContent()).toBe(
          `${rows.map(([label, value]) => `${label}: ${value}`).join('; ')}.`,
        );
        // A bar per row, as long as its number says (the longest is the largest).
        const widths = await page
          .locator(`#${id} rect`)
          .evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect().width));
        const values = rows.map(([, value]) => Number(value));
        const longest = Math.max(...widths);
        widths.forEach((width, i) => expect(width / longest).toBeCloseTo(values[i]! / Math.max(...values), 1));
      }
      expect((await table('chart-years')).at(-1)).toEqual([String(new Date().getUTCFullYear()), '1']);
      expect(await page.locator('.activity li').allInnerTexts()).toContainEqual(
        expect.stringContaining(`${first}: Status Completed`),
      );
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
          await journey.walk(page, driver, javaScriptEnabled, running);
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
