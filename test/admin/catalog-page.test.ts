import * as cheerio from 'cheerio';
import { HtmlValidate } from 'html-validate';
import request from 'supertest';
import { useSeededApp } from '../support/seeded';
import { createUser, csrfTokenFrom, signedInAgent, type Agent } from '../support/session';
import { conflictRow, insertConflict, insertRun, insertWork, unique } from './catalog-fixtures';

/** GET /admin/catalog and its run logs, and Keep apart: what an administrator sees and judges. */
describe('the catalog administration page', () => {
  const seeded = useSeededApp();
  let admin: Agent;
  let member: Agent;

  beforeAll(async () => {
    admin = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
    member = await signedInAgent(seeded.app, await createUser(seeded.db.knex));
  });

  async function page(path = '/admin/catalog') {
    const response = await admin.get(path);
    expect(response.status).toBe(200);
    return cheerio.load(response.text);
  }

  /** The row of a table that holds a link to `href`. */
  const rowLinkingTo = ($: cheerio.CheerioAPI, href: string) => $(`a[href="${href}"]`).closest('tr');

  async function keepApart(duplicateId: string, keptId: string) {
    const token = await csrfTokenFrom(admin, '/admin/catalog');
    return admin
      .post(`/admin/catalog/pairs/${duplicateId}/${keptId}/keep-apart`)
      .type('form')
      .send({ _csrf: token, next: '/admin/catalog' });
  }

  /** A film found twice: a Wikipedia record made a work of its own, a year off the Netflix one. */
  async function conflictPair(reason = 'year_off_by_one') {
    const title = unique('Twice Told Film');
    const kept = await insertWork(seeded.db.knex, {
      title,
      year: 2001,
      links: { netflix_dataset_show_id: unique('s') },
    });
    const key = unique('Twice_Told_Film').replace(' ', '_');
    const duplicate = await insertWork(seeded.db.knex, { title, year: 2002, links: { enwiki: key } });
    const jobId = await insertRun(seeded.db.knex, 'wikipedia-movie-data');
    const conflictId = await insertConflict(seeded.db.knex, {
      jobId,
      source: 'wikipedia-movie-data',
      key,
      mediaId: kept,
      reason,
    });
    return { title, kept, duplicate, key, jobId, conflictId };
  }

  it('sends a visitor to sign in, refuses a member (403) and shows an administrator the page', async () => {
    const visitor = await request(seeded.app).get('/admin/catalog');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toBe('/login?next=%2Fadmin%2Fcatalog');
    expect((await member.get('/admin/catalog')).status).toBe(403);
    const $ = await page();
    expect($('h1').text()).toBe('Catalog administration');
    expect($('body').attr('data-page')).toBe('admin-catalog');
  });

  it('shows the Admin link in the main navigation to administrators only', async () => {
    const adminNav = cheerio.load((await admin.get('/')).text);
    expect(adminNav('nav[aria-label="Main"] a[href="/admin/catalog"]').text()).toBe('Admin');
    const memberNav = cheerio.load((await member.get('/')).text);
    expect(memberNav('a[href="/admin/catalog"]')).toHaveLength(0);
    const $ = await page();
    const current = $('nav[aria-label="Main"] li.active a');
    expect(current.attr('href')).toBe('/admin/catalog');
    expect(current.attr('aria-current')).toBe('page');
  });

  it('lists each source with its last run: status, time, counts, error, and a link to its log', async () => {
    const { knex } = seeded.db;
    // Hours ahead of the runs other tests make, so these stay the last ones.
    await insertRun(knex, 'wikipedia-movie-data', { summary: { records: 5 }, minutes: 10_000 });
    const last = await insertRun(knex, 'wikipedia-movie-data', {
      summary: { records: 1234, inserted: 1000, conflicts: 7 },
      minutes: 10_001,
    });
    const failed = await insertRun(knex, 'netflix-titles', {
      status: 'failed',
      error: 'the file could not be read',
      summary: { records: 12 },
      minutes: 10_001,
    });
    const described = await knex('media.external_links').where('source_name', 'enwiki').count<{ count: number }[]>();
    const $ = await page();

    const wikipedia = rowLinkingTo($, `/admin/catalog/runs/${last}`);
    expect(wikipedia.find('th').text()).toContain('Wikipedia movie data');
    const cells = wikipedia.find('td');
    expect(cells.eq(0).text().trim()).toBe(Number(described[0]!.count).toLocaleString('en'));
    expect(cells.eq(1).text()).toContain('Succeeded');
    expect(cells.eq(1).text()).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC, took 42\.0 seconds/);
    const counts = cells
      .eq(2)
      .find('dl div')
      .toArray()
      .map((item) => $(item).text().replace(/\s+/g, ' ').trim());
    expect(counts).toEqual(['Records read 1,234', 'New works 1,000', 'Conflicts recorded 7']);

    const netflix = rowLinkingTo($, `/admin/catalog/runs/${failed}`);
    expect(netflix.find('td').eq(1).text()).toContain('Failed');
    expect(netflix.find('.run-error').text()).toBe('Error: the file could not be read');
  });

  it('shows a run’s log a hundred lines a page, and 404 for a run that is not there', async () => {
    const { knex } = seeded.db;
    const jobId = await insertRun(knex, 'goodbooks-10k', { summary: { records: 150, skipped: 150 } });
    await knex('ingest.import_logs').insert(
      Array.from({ length: 150 }, (_, index) => ({
        job_id: jobId,
        level: 'warn',
        message: `skipped: line ${index + 1}`,
        details: JSON.stringify({ line: index + 1 }),
      })),
    );
    const first = await page(`/admin/catalog/runs/${jobId}`);
    expect(first('h1').text()).toBe('Run of goodbooks-10k (Goodreads metadata)');
    expect(first('tbody tr')).toHaveLength(100);
    expect(first('tbody tr').first().text()).toContain('skipped: line 1');
    expect(first('main').text()).toContain('150 lines; lines 1 to 100 shown.');
    expect(first('a[rel="next"]').attr('href')).toBe(`/admin/catalog/runs/${jobId}?page=2`);
    const second = await page(`/admin/catalog/runs/${jobId}?page=2`);
    expect(second('tbody tr')).toHaveLength(50);
    expect(second('tbody tr').last().text()).toContain('{"line":150}');

    expect((await admin.get('/admin/catalog/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.get('/admin/catalog/runs/not-a-run')).status).toBe(404);
    expect((await member.get(`/admin/catalog/runs/${jobId}`)).status).toBe(403);
  });

  it('lists an open conflict as its two works side by side, in plain words, filtered by reason', async () => {
    const pair = await conflictPair();
    // A second conflict of the same record and work (an id they share) is the same question.
    await insertConflict(seeded.db.knex, {
      jobId: pair.jobId,
      source: 'wikipedia-movie-data',
      key: pair.key,
      mediaId: pair.kept,
      reason: 'id_on_two_works',
      externalId: 'tmdb:movie/424242',
    });
    const mergeUrl = `/admin/catalog/pairs/${pair.duplicate}/${pair.kept}/merge`;
    const $ = await page();
    const row = rowLinkingTo($, mergeUrl);
    expect(row).toHaveLength(1);
    expect(row.closest('section').find('h2').text()).toBe('Open conflicts');
    const [why, duplicate, kept] = row
      .find('td')
      .toArray()
      .map((cell) => $(cell).text().replace(/\s+/g, ' '));
    expect(why).toContain('Same title and type, release years one apart');
    expect(why).toContain('An id the record carries already names the other work');
    expect(why).toContain('tmdb:movie/424242');
    expect(duplicate).toContain(`${pair.title} Movie, 2002 From: Wikipedia movie data`);
    expect(kept).toContain(`${pair.title} Movie, 2001 From: Netflix Movies and TV Shows`);
    expect(row.find(`form[action="/admin/catalog/pairs/${pair.duplicate}/${pair.kept}/keep-apart"]`)).toHaveLength(1);

    const filtered = await page('/admin/catalog?reason=type_mismatch');
    expect(filtered('#reason option[selected]').attr('value')).toBe('type_mismatch');
    expect(rowLinkingTo(filtered, mergeUrl)).toHaveLength(0);
    expect(rowLinkingTo(await page('/admin/catalog?reason=id_on_two_works'), mergeUrl)).toHaveLength(1);
    const unknown = await page('/admin/catalog?reason=%3Cscript%3E');
    expect(unknown('.notice').text()).toContain('every reason is shown');
    expect(rowLinkingTo(unknown, mergeUrl)).toHaveLength(1);
  });

  it('lists the conflict of an ids-only source, whose record is the work its payload names', async () => {
    const { knex } = seeded.db;
    await knex('ingest.sources')
      .insert({ name: 'anime-relations', label: 'anime-relations' })
      .onConflict('name')
      .ignore();
    const title = unique('Sequel Named Twice');
    const named = await insertWork(knex, { title, mediaType: 'tv', year: 2010 });
    const other = await insertWork(knex, { title, mediaType: 'tv', year: 2010 });
    const jobId = await insertRun(knex, 'anime-relations');
    await knex('ingest.conflicts').insert({
      job_id: jobId,
      media_id: other,
      source_name: 'anime-relations',
      external_key: 'mal:1 anilist:2',
      reason: 'id_on_two_works',
      payload: JSON.stringify({ work: named, externalId: 'anilist:2' }),
    });
    const row = rowLinkingTo(await page(), `/admin/catalog/pairs/${named}/${other}/merge`);
    expect(row.text()).toContain('Record: anime-relations mal:1 anilist:2; ids anilist:2');
  });

  it('pages through the open conflicts twenty at a time', async () => {
    for (let n = 0; n < 21; n += 1) await conflictPair('type_mismatch');
    const first = await page('/admin/catalog?reason=type_mismatch');
    const conflictLinks = ($: cheerio.CheerioAPI) =>
      $('#conflicts-heading').closest('section').find('a[href$="/merge"]').length;
    expect(conflictLinks(first)).toBe(20);
    const next = first('nav[aria-label="Pages of open conflicts"] a[rel="next"]').attr('href');
    expect(next).toBe('/admin/catalog?reason=type_mismatch&conflicts=2#conflicts-heading');
    const second = await page(next);
    expect(conflictLinks(second)).toBeGreaterThan(0);
    expect(second('nav[aria-label="Pages of open conflicts"] li[aria-current="page"]').text()).toMatch(/^Page 2 of/);
  });

  it('keeps a conflict’s works apart: its conflicts resolved as kept, with the time, and gone from the list', async () => {
    const pair = await conflictPair();
    const other = await insertConflict(seeded.db.knex, {
      jobId: pair.jobId,
      source: 'wikipedia-movie-data',
      key: pair.key,
      mediaId: pair.kept,
      reason: 'ambiguous_title',
    });
    const before = Date.now();
    const response = await keepApart(pair.duplicate, pair.kept);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin/catalog');
    for (const id of [pair.conflictId, other]) {
      const row = await conflictRow(seeded.db.knex, id);
      expect(row).toMatchObject({ resolution: 'kept', media_id: pair.kept });
      expect(row.resolved_at!.getTime()).toBeGreaterThan(before - 60_000);
    }
    const $ = await page();
    expect($('.flash').text()).toContain('are kept apart');
    expect(rowLinkingTo($, `/admin/catalog/pairs/${pair.duplicate}/${pair.kept}/merge`)).toHaveLength(0);
    // Both works are still there, and a second Keep apart changes nothing.
    expect(await seeded.db.knex('media.media').whereIn('id', [pair.duplicate, pair.kept]).count()).toEqual([
      { count: 2 },
    ]);
    expect((await keepApart(pair.duplicate, pair.kept)).status).toBe(303);
    expect((await page())('.flash').text()).toContain('were kept apart already');
  });

  it('lists likely duplicates: one type, a title in common, years one apart, sources that differ, not judged', async () => {
    const { knex } = seeded.db;
    // A title that sorts first, so the pair is on the first page whatever the seed catalog holds.
    const title = unique('0 Likely Film');
    const kept = await insertWork(knex, { title, year: 1999, links: { enwiki: unique('Likely').replace(' ', '_') } });
    const duplicate = await insertWork(knex, { title, year: 2000, links: { netflix_dataset_show_id: unique('s') } });
    // Not likely: the same source twice, another type, years two apart.
    const sameSource = await insertWork(knex, {
      title,
      year: 1999,
      links: { enwiki: unique('Other').replace(' ', '_') },
    });
    const series = await insertWork(knex, {
      title,
      mediaType: 'tv',
      year: 1999,
      links: { netflix_dataset_show_id: unique('s') },
    });
    const later = await insertWork(knex, { title, year: 2002, links: { netflix_dataset_show_id: unique('s') } });

    const $ = await page();
    const section = $('#duplicates-heading').closest('section');
    const links = section
      .find('a[href$="/merge"]')
      .toArray()
      .map((link) => $(link).attr('href'));
    expect(links).toContain(`/admin/catalog/pairs/${duplicate}/${kept}/merge`);
    // The same-source work pairs with the Netflix film (different sources), never with the other Wikipedia one.
    expect(links).toContain(`/admin/catalog/pairs/${sameSource}/${duplicate}/merge`);
    const mentions = (id: string) => links.filter((href) => href?.includes(id));
    expect(mentions(series)).toEqual([]);
    expect(mentions(later)).toEqual([]);
    expect(links.filter((href) => href?.includes(kept) && href.includes(sameSource))).toEqual([]);
  });

  it('keeps a likely duplicate apart with a judgement of its own, and does not suggest the pair again', async () => {
    const { knex } = seeded.db;
    const title = unique('0 Judged Film');
    const key = unique('Judged').replace(' ', '_');
    const kept = await insertWork(knex, { title, year: 1999, links: { netflix_dataset_show_id: unique('s') } });
    const duplicate = await insertWork(knex, { title, year: 1999, links: { enwiki: key } });
    await insertRun(knex, 'wikipedia-movie-data');
    // The judgement is filed under the source's last run (another test may have made a later one).
    const lastRun = await knex('ingest.import_jobs')
      .where('source_name', 'wikipedia-movie-data')
      .orderBy('created_at', 'desc')
      .first<{ id: string }>('id');
    const mergeUrl = `/admin/catalog/pairs/${duplicate}/${kept}/merge`;
    expect(rowLinkingTo(await page(), mergeUrl)).toHaveLength(1);

    expect((await keepApart(duplicate, kept)).status).toBe(303);
    const judgements = await knex('ingest.conflicts')
      .where({ source_name: 'wikipedia-movie-data', external_key: key })
      .select('job_id', 'media_id', 'reason', 'resolution');
    expect(judgements).toEqual([
      { job_id: lastRun.id, media_id: kept, reason: 'likely_duplicate', resolution: 'kept' },
    ]);
    const $ = await page();
    expect(rowLinkingTo($, mergeUrl)).toHaveLength(0);
    // A judgement is no open conflict.
    expect($('#conflicts-heading').closest('section').find(`a[href="${mergeUrl}"]`)).toHaveLength(0);
  });

  it('refuses to keep apart what it cannot record, a work and itself, or works that are not there', async () => {
    const { knex } = seeded.db;
    const title = unique('0 Unrecorded Film');
    // Ids of no ingest source: there is no run to file a judgement under.
    const first = await insertWork(knex, { title, year: 1999, links: { tmdb: unique('movie') } });
    const second = await insertWork(knex, { title, year: 1999, links: { tmdb: unique('movie') } });
    const refused = await keepApart(second, first);
    expect(refused.status).toBe(409);
    expect(cheerio.load(refused.text)('main').text()).toContain('no run to record the judgement under');
    expect(await knex('ingest.conflicts').whereIn('media_id', [first, second]).count()).toEqual([{ count: 0 }]);

    const same = await keepApart(first, first);
    expect(same.status).toBe(422);
    expect(cheerio.load(same.text)('main').text()).toContain('cannot be merged with itself');
    expect((await keepApart(first, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await keepApart('no-such-work', first)).status).toBe(404);
  });

  it('draws pages that html-validate accepts', async () => {
    const pair = await conflictPair();
    const validator = new HtmlValidate({
      extends: ['html-validate:recommended'],
      rules: { 'no-trailing-whitespace': 'off', 'attribute-boolean-style': 'off', 'void-style': 'off' },
    });
    for (const path of [
      '/admin/catalog',
      `/admin/catalog/runs/${pair.jobId}`,
      `/admin/catalog/pairs/${pair.duplicate}/${pair.kept}/merge`,
      `/admin/catalog/pairs/${pair.kept}/${pair.kept}/merge`,
    ]) {
      const response = await admin.get(path);
      const report = await validator.validateString(response.text);
      const problems = report.results.flatMap((result) =>
        result.messages.map((message) => `${path}: ${message.ruleId} at ${message.line}: ${message.message}`),
      );
      expect(problems).toEqual([]);
    }
  });
});
