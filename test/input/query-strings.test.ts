import * as cheerio from 'cheerio';
import request from 'supertest';
import { useSeededApp } from '../support/seeded';
import { createUser, signedInAgent, type Agent } from '../support/session';

/**
 * A table's URL holding control characters: the value is dropped, the page says so, and nothing
 * in the page holds the raw character. Never an error, as for any other value that makes no sense.
 */
describe('query strings with control characters', () => {
  const seeded = useSeededApp();
  let member: Agent;
  beforeAll(async () => {
    member = await signedInAgent(seeded.app, await createUser(seeded.db.knex));
  });

  const pages = () =>
    [
      ['the catalog', () => request(seeded.app), '/catalog'],
      ['the list', () => member, '/list'],
    ] as const;

  async function load(agent: Agent, url: string, htmx = false) {
    const call = agent.get(url);
    if (htmx) call.set('HX-Request', 'true');
    const response = await call;
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(/[^\P{Cc}\t\n\r]/u);
    return cheerio.load(response.text);
  }

  it.each([
    ['q=a%00b', 'search held a control character'],
    ['q=%1B%5B31m', 'search held a control character'],
    ['type=movie%00', 'unknown media type'],
    ['class=written%00', 'unknown kind of media'],
    ['from=19%0090', 'not a year'],
    ['decade=1990s%00', 'not a decade'],
    ['sort=title%00', 'Sorting by'],
    ['dir=asc%00', 'direction'],
    ['page=2%00', 'There is no page'],
  ])('drops %s with a visible note, on the catalog and the list', async (query, note) => {
    for (const [, agent, path] of pages()) {
      for (const htmx of [false, true]) {
        const $ = await load(agent(), `${path}?${query}`, htmx);
        expect($('.notice[role="status"]').text()).toContain(note);
        // What was typed is quoted with the character marked, not sent back raw.
        if (!htmx) expect($('#searchBox').val()).toBe('');
      }
    }
  });

  it('drops a genre with a control character from the catalog (the list has no genre filter)', async () => {
    const $ = await load(request(seeded.app), '/catalog?genre=%00&genre=Drama');
    expect($('.notice[role="status"]').text()).toContain('unknown genre');
    expect($('.badge').text()).toContain('Drama');
  });

  it('keeps a search with tabs and line breaks, read as spaces', async () => {
    const $ = await load(request(seeded.app), '/catalog?q=the%09god%0Afather');
    expect($('#searchBox').val()).toBe('the god father');
    expect($('.notice[role="status"]').text()).not.toContain('control character');
  });

  it('keeps the other filters when one value is dropped', async () => {
    const $ = await load(request(seeded.app), '/catalog?q=%00&type=movie&sort=year');
    expect($('.notice[role="status"]').text()).toContain('search held a control character');
    expect($('.badge').text()).toContain('Movie');
    expect($('#searchBox').val()).toBe('');
  });

  it('drops rating bounds with control characters from the list', async () => {
    const $ = await load(member, '/list?rating_from=5%00');
    expect($('.notice[role="status"]').text()).toContain('not a rating');
  });
});
