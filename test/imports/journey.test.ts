import * as cheerio from 'cheerio';
import pino from 'pino';
import request from 'supertest';
import { claimNextImportJob } from '../../src/imports/queries';
import { runImportSteps, runNextImportStep } from '../../src/imports/worker';
import { insertWork, unique } from '../admin/catalog-fixtures';
import { createTestApp } from '../support/app';
import { useSeededApp } from '../support/seeded';
import { createUser, csrfTokenFrom, signedInAgent, type Agent } from '../support/session';
import { makeZip } from './zip-writer';

/**
 * A person's import from upload to undo, through the app and the queue's worker, on a real
 * PostgreSQL: the preview's counts and field changes, the review queue, both ways of treating an
 * entry one has, applying twice, undoing (also after a later import), and files refused.
 */
describe('importing a list', () => {
  const seeded = useSeededApp();
  const logger = pino({ level: 'silent' });
  const work = () => runImportSteps(seeded.db.knex, logger);

  async function person() {
    const user = await createUser(seeded.db.knex);
    return { user, agent: await signedInAgent(seeded.app, user) };
  }

  /** Uploads a file as the import form does (multipart, with its CSRF token); the response. */
  async function upload(agent: Agent, name: string, content: string | Buffer, fields: Record<string, string> = {}) {
    const token = await csrfTokenFrom(agent, '/import');
    let post = agent.post('/import').field('_csrf', token);
    for (const [field, value] of Object.entries(fields)) post = post.field(field, value);
    return post.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  }

  /** Uploads and reads a file: the job's page path. */
  async function uploaded(agent: Agent, name: string, content: string | Buffer, fields: Record<string, string> = {}) {
    const response = await upload(agent, name, content, fields);
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/import\/[0-9a-f-]{36}$/);
    await work();
    return response.headers.location as string;
  }

  async function page(agent: Agent, path: string) {
    const response = await agent.get(path);
    expect(response.status).toBe(200);
    return cheerio.load(response.text);
  }

  /** The preview's counts, by label ("To add": 2). */
  async function counts(agent: Agent, jobPath: string): Promise<Record<string, number>> {
    const $ = await page(agent, jobPath);
    return Object.fromEntries<number>(
      $('.import-counts li')
        .toArray()
        .map((item) => {
          const [label, count] = $(item).text().trim().split(': ');
          return [label ?? '', Number(count)];
        }),
    );
  }

  async function post(agent: Agent, from: string, action: string, fields: Record<string, string> = {}) {
    const token = await csrfTokenFrom(agent, from);
    return agent
      .post(action)
      .type('form')
      .send({ _csrf: token, ...fields });
  }

  async function apply(agent: Agent, jobPath: string) {
    const response = await post(agent, jobPath, `${jobPath}/apply`);
    expect(response.status).toBe(303);
    await work();
  }

  async function entryOf(userId: string, mediaId: string) {
    return seeded.db
      .knex('interaction.user_media')
      .where({ user_id: userId, media_id: mediaId })
      .first<Record<string, unknown> | undefined>();
  }

  /** A job's row: its status and summary. */
  async function jobRow(jobId: string) {
    return seeded.db
      .knex('ingest.import_jobs')
      .where('id', jobId)
      .first<{ status: string; summary: Record<string, number> }>('status', 'summary');
  }

  const letterboxdWatched = (rows: [string, number, string][]) =>
    [
      '\uFEFFDate,Name,Year,Letterboxd URI',
      ...rows.map(([name, year, uri]) => `2024-03-01,"${name.replace(/"/g, '""')}",${year},${uri}`),
    ].join('\r\n');

  it('previews a Letterboxd file, settles the uncertain row, applies, changes nothing the second time, and undoes', async () => {
    const { user, agent } = await person();
    const exact = unique('Quiet Harbour');
    const nearby = unique('Paper Lantern');
    const missing = unique('Nowhere Film');
    const exactId = await insertWork(seeded.db.knex, { title: exact, year: 2011 });
    const nearbyId = await insertWork(seeded.db.knex, { title: nearby, year: 2004 });
    const file = letterboxdWatched([
      [exact, 2011, `https://boxd.it/${unique('a').slice(-8)}`],
      [nearby, 2005, `https://boxd.it/${unique('b').slice(-8)}`],
      [missing, 1999, `https://boxd.it/${unique('c').slice(-8)}`],
    ]);
    const jobPath = await uploaded(agent, 'watched.csv', file);

    expect(await counts(agent, jobPath)).toEqual({ 'To review': 1, 'To add': 1, 'Not found in the catalog': 1 });
    // The job's log has a line per row: what it came to, and why for a row left out.
    const rowLines = async () =>
      seeded.db
        .knex('ingest.import_logs')
        .where('job_id', jobPath.split('/').pop())
        .where('message', 'like', 'row %')
        .orderBy('id')
        .select<{ level: string; message: string; details: { reason?: string } }[]>('level', 'message', 'details');
    const read = await rowLines();
    expect(read.map(({ level, message }) => [level, message])).toEqual([
      ['info', 'row 1: add'],
      ['warn', 'row 2: uncertain'],
      ['warn', 'row 3: unmatched'],
    ]);
    expect(read[2]!.details.reason).toContain('no movie or anime or tv called');
    // Nothing is written before the person confirms.
    expect(await entryOf(user.id, exactId)).toBeUndefined();

    // The uncertain row: a year off by one, with the catalog's title offered.
    const review = await page(agent, `${jobPath}?show=uncertain`);
    const pickForm = review('form.import-pick');
    expect(pickForm.find(`input[value="${nearbyId}"]`)).toHaveLength(1);
    const pick = await post(agent, jobPath, pickForm.attr('action')!, { media: nearbyId });
    expect(pick.status).toBe(303);
    expect(await counts(agent, jobPath)).toEqual({ 'To add': 2, 'Not found in the catalog': 1 });

    // The unmatched row is downloadable with why.
    const notImported = await agent.get(`${jobPath}/not-imported.csv`);
    expect(notImported.status).toBe(200);
    expect(notImported.text).toContain(missing);
    expect(notImported.text).toContain('no movie or anime or tv called');

    await apply(agent, jobPath);
    expect(await entryOf(user.id, exactId)).toMatchObject({ status: 'completed' });
    expect(await entryOf(user.id, nearbyId)).toMatchObject({ status: 'completed' });
    const done = await page(agent, jobPath);
    expect(done('.import-status').text()).toBe('Imported');
    expect((await rowLines()).slice(3).map(({ message }) => message)).toEqual([
      'row 1: written',
      'row 2: written',
      'row 3: unmatched, not written',
    ]);

    // The confirmed match is remembered: the same file again matches it by its Letterboxd id.
    const again = await uploaded(agent, 'watched.csv', file);
    expect(await counts(agent, again)).toEqual({ Unchanged: 2, 'Not found in the catalog': 1 });
    await apply(agent, again);
    const second = await jobRow(again.split('/').pop()!);
    expect(second.summary.written).toBe(0);

    // Undo the first: the entries it added are gone, nothing else changed.
    const undo = await post(agent, jobPath, `${jobPath}/undo`);
    expect(undo.status).toBe(303);
    await work();
    expect(await entryOf(user.id, exactId)).toBeUndefined();
    expect(await entryOf(user.id, nearbyId)).toBeUndefined();
    const undone = await page(agent, jobPath);
    expect(undone('.import-undo-result').text()).toContain('2 entries are as before');
    expect((await rowLines()).slice(6).map(({ message }) => message)).toEqual([
      'row 1: put back as it was',
      'row 2: put back as it was',
    ]);
  });

  it('lets an administrator promote an id a person confirmed, so that everyone’s imports match it', async () => {
    const first = await person();
    const nearby = unique('Glass Orchard');
    const nearbyId = await insertWork(seeded.db.knex, { title: nearby, year: 2010 });
    const uri = `https://boxd.it/${unique('p').slice(-8)}`;
    const file = letterboxdWatched([[nearby, 2011, uri]]);
    const jobPath = await uploaded(first.agent, 'watched.csv', file);
    expect(await counts(first.agent, jobPath)).toEqual({ 'To review': 1 });
    const review = await page(first.agent, `${jobPath}?show=uncertain`);
    const pick = await post(first.agent, jobPath, review('form.import-pick').attr('action')!, { media: nearbyId });
    expect(pick.status).toBe(303);

    // Only administrators see the suggestions.
    expect((await first.agent.get('/admin/catalog/links')).status).toBe(403);
    const admin = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
    const listed = await page(admin, '/admin/catalog/links');
    const row = listed('.link-table tbody tr').filter((_, item) => listed(item).text().includes(uri));
    expect(row).toHaveLength(1);
    expect(row.find('th').text()).toContain('Letterboxd');
    expect(row.find(`a[href="/media/${nearbyId}"]`).text()).toBe(nearby);
    expect(row.text()).toContain('1 person');

    const fields = Object.fromEntries(
      row
        .find('form input[type="hidden"]')
        .toArray()
        .map((input) => [listed(input).attr('name')!, listed(input).attr('value')!]),
    );
    const promoted = await admin.post('/admin/catalog/links/promote').type('form').send(fields);
    expect(promoted.status).toBe(303);
    expect(promoted.headers.location).toBe('/admin/catalog/links');
    const after = await page(admin, '/admin/catalog/links');
    expect(after('.flash').text()).toContain(`Letterboxd id ${uri} now names “${nearby}”`);
    expect(after('.link-table').text()).not.toContain(uri);
    expect(
      await seeded.db
        .knex('media.external_links')
        .where({ source_name: 'letterboxd', external_key: uri })
        .select('media_id'),
    ).toEqual([{ media_id: nearbyId }]);

    // Another person's import now matches it by id, with nothing to review.
    const second = await person();
    const theirs = await uploaded(second.agent, 'watched.csv', file);
    expect(await counts(second.agent, theirs)).toEqual({ 'To add': 1 });

    // Promoting it again says so; an id nobody confirmed is a 404; a form that is no form a 422.
    const token = await csrfTokenFrom(admin, '/admin/catalog/links');
    const again = await admin
      .post('/admin/catalog/links/promote')
      .type('form')
      .send({ ...fields, _csrf: token });
    expect(again.status).toBe(303);
    expect((await page(admin, '/admin/catalog/links'))('[role="status"]').text()).toContain('in the catalog already');
    const unconfirmed = await admin
      .post('/admin/catalog/links/promote')
      .type('form')
      .send({ ...fields, _csrf: token, key: `${uri}x` });
    expect(unconfirmed.status).toBe(404);
    const nonsense = await admin
      .post('/admin/catalog/links/promote')
      .type('form')
      .send({ _csrf: token, source: 'Not A Kind', key: '', media_id: 'nope' });
    expect(nonsense.status).toBe(422);
  });

  it('shows an id the catalog gives to another work as a disagreement, and refuses to promote it (409)', async () => {
    const { user } = await person();
    const mine = await insertWork(seeded.db.knex, { title: unique('Left Work'), year: 2003 });
    const other = await insertWork(seeded.db.knex, { title: unique('Right Work'), year: 2003 });
    const key = `tt${Math.floor(Math.random() * 1e9)}`;
    await seeded.db.knex('media.external_links').insert({ source_name: 'imdb', external_key: key, media_id: other });
    await seeded.db
      .knex('ingest.user_links')
      .insert({ user_id: user.id, source_name: 'imdb', external_key: key, media_id: mine });
    const admin = await signedInAgent(seeded.app, await createUser(seeded.db.knex, { role: 'admin' }));
    const listed = await page(admin, '/admin/catalog/links');
    const row = listed('.link-table tbody tr').filter((_, item) => listed(item).text().includes(key));
    expect(row.find(`a[href="/media/${other}"]`)).toHaveLength(1);
    expect(row.find('form')).toHaveLength(0);
    const token = await csrfTokenFrom(admin, '/admin/catalog/links');
    const refused = await admin
      .post('/admin/catalog/links/promote')
      .type('form')
      .send({ _csrf: token, source: 'imdb', key, media_id: mine });
    expect(refused.status).toBe(409);
    expect(cheerio.load(refused.text)('[role="alert"]').text()).toContain('merge them');
    expect(
      await seeded.db.knex('media.external_links').where({ source_name: 'imdb', external_key: key }).select('media_id'),
    ).toEqual([{ media_id: other }]);
  });

  it('flags only the rows where bytes that were not UTF-8 were replaced, and imports them all', async () => {
    const { user, agent } = await person();
    const clean = unique('Clean Pages');
    const marred = unique('Marred Pages');
    const cleanId = await insertWork(seeded.db.knex, { title: clean, mediaType: 'book', year: 2010 });
    const marredId = await insertWork(seeded.db.knex, { title: marred, mediaType: 'book', year: 2011 });
    const header =
      'Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies';
    const row = (id: string, title: string, year: number, notes: string) =>
      `${id},"${title}",Someone,,,,,4,3.9,,,,${year},${year},,2024/01/02,,,read,,,${notes},1,0`;
    // A Latin-1 "é" where UTF-8 was expected, in the second book's notes.
    const [before, after] = `${header}\n${row('', clean, 2010, 'fine')}\n${row('', marred, 2011, 'caf@')}\n`.split('@');
    const file = Buffer.concat([Buffer.from(before!), Buffer.from([0xe9]), Buffer.from(after!)]);
    const jobPath = await uploaded(agent, 'goodreads_library_export.csv', file);
    expect(await counts(agent, jobPath)).toEqual({ 'To add': 2 });
    const reasons = await seeded.db
      .knex('ingest.import_rows')
      .where('job_id', jobPath.split('/').pop())
      .orderBy('row_number')
      .pluck('reason');
    expect(reasons[0]).toBeNull();
    expect(reasons[1]).toContain('not UTF-8');
    await apply(agent, jobPath);
    expect(await entryOf(user.id, cleanId)).toMatchObject({ notes: 'fine' });
    expect(await entryOf(user.id, marredId)).toMatchObject({ notes: 'caf\uFFFD' });
  });

  it('shows the progress of the step under way, not the last one’s', async () => {
    const { agent } = await person();
    const titles = [unique('Step One'), unique('Step Two')];
    for (const title of titles) await insertWork(seeded.db.knex, { title, year: 2012 });
    const jobPath = await uploaded(
      agent,
      'watched.csv',
      letterboxdWatched(
        titles.map((title, index) => [title, 2012, `https://boxd.it/${unique(`s${index}`).slice(-8)}`]),
      ),
    );
    const jobId = jobPath.split('/').pop()!;
    const progress = () =>
      seeded.db.knex('ingest.import_progress').where('job_id', jobId).first('step', 'done', 'total');
    expect(await progress()).toEqual({ step: 'matching', done: 2, total: 2 });

    // Confirmed, not yet taken by the queue: the reading's counts are not the applying's.
    const confirm = await post(agent, jobPath, `${jobPath}/apply`);
    expect(confirm.status).toBe(303);
    const waiting = await page(agent, jobPath);
    expect(waiting('#progress-label').text()).toBe('Adding to your list.');
    expect(waiting('progress').attr('value')).toBeUndefined();

    await work();
    expect(await progress()).toEqual({ step: 'applying', done: 2, total: 2 });
    // Half-way through applying, as the page would find it.
    await seeded.db.knex('ingest.import_jobs').where('id', jobId).update({ status: 'applying' });
    await seeded.db.knex('ingest.import_progress').where('job_id', jobId).update({ done: 1 });
    const halfway = await page(agent, jobPath);
    expect(halfway('#progress-label').text()).toBe('Adding to your list: 1 of 2 entries.');
    expect(halfway('progress').attr('value')).toBe('1');
    await seeded.db.knex('ingest.import_jobs').where('id', jobId).update({ status: 'succeeded' });
  });

  it('keeps the person’s values and fills gaps by default, lets the import win when asked, and never drops notes', async () => {
    const { user, agent } = await person();
    const title = unique('Long Winter');
    const mediaId = await insertWork(seeded.db.knex, { title, year: 2016 });
    await seeded.db.knex('interaction.user_media').insert({
      user_id: user.id,
      media_id: mediaId,
      status: 'planning',
      rating: 60,
      notes: 'mine',
    });
    const csv = [
      'Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors',
      `tt9900${Math.floor(Math.random() * 100000)},8,2024-05-06,"${title}","${title}",https://www.imdb.com/title/tt1/,Movie,7.1,100,2016,Drama,10,2016-01-01,Someone`,
    ].join('\n');
    const jobPath = await uploaded(agent, 'ratings.csv', csv);
    const preview = await page(agent, `${jobPath}?show=change`);
    const changes = preview('.import-changes li')
      .toArray()
      .map((item) => preview(item).text().replace(/\s+/g, ' ').trim());
    // Keep mine: the status and rating stay; the finish date the person lacked is filled.
    expect(changes).toEqual(['Finished: — → 2024-05-06']);

    const wins = await post(agent, jobPath, `${jobPath}/mode`, { mode: 'wins' });
    expect(wins.status).toBe(303);
    const winning = await page(agent, `${jobPath}?show=change`);
    expect(
      winning('.import-changes li')
        .toArray()
        .map((item) => winning(item).text().replace(/\s+/g, ' ').trim()),
    ).toEqual(['Status: Planning → Completed', 'Rating: 60 / 100 → 80 / 100', 'Finished: — → 2024-05-06']);
    await apply(agent, jobPath);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'completed', rating: 80, notes: 'mine' });
  });

  it('undoes an import after a later one changed entries, leaving those entries and naming them', async () => {
    const { user, agent } = await person();
    const title = unique('Salt Road');
    const second = unique('Tin Bridge');
    const mediaId = await insertWork(seeded.db.knex, { title, year: 2019 });
    const secondId = await insertWork(seeded.db.knex, { title: second, year: 2018 });
    const rows: [string, number, string][] = [
      [title, 2019, 'https://boxd.it/zz1'],
      [second, 2018, 'https://boxd.it/zz2'],
    ];
    const first = await uploaded(agent, 'watchlist.csv', letterboxdWatched(rows));
    await apply(agent, first);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'planning' });
    const later = await uploaded(agent, 'watched.csv', letterboxdWatched(rows), { mode: 'wins' });
    await apply(agent, later);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'completed' });

    await post(agent, first, `${first}/undo`);
    await work();
    const $ = await page(agent, first);
    expect($('.import-undo-result').text()).toContain('2 entries were changed after the import');
    expect($('.import-undo-result').text()).toContain(title);
    expect($('.import-undo-result').text()).toContain(second);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'completed' });
    // Undoing the later one puts back what the first import left.
    await post(agent, later, `${later}/undo`);
    await work();
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'planning' });
    expect(await entryOf(user.id, secondId)).toMatchObject({ status: 'planning' });
  });

  it('imports a title picked for two rows once, the second row listed as a duplicate', async () => {
    const { user, agent } = await person();
    const title = unique('Hunter Moon');
    const mediaId = await insertWork(seeded.db.knex, { title, year: 2011 });
    const jobPath = await uploaded(
      agent,
      'watched.csv',
      letterboxdWatched([
        [title, 2012, 'https://boxd.it/h1'],
        [`${title} Again`, 1990, 'https://boxd.it/h2'],
      ]),
    );
    const review = await page(agent, `${jobPath}?show=uncertain`);
    await post(agent, jobPath, review('form.import-pick').attr('action')!, { media: mediaId });
    // The second row, not found, is searched for and given the same title. The words in another
    // order start no title: the search then finds the titles that have them.
    const reordered = title.split(' ').reverse().join(' ');
    const search = await page(agent, `${jobPath}/rows/2?q=${encodeURIComponent(reordered)}`);
    expect(search(`form.import-pick input[value="${mediaId}"]`)).toHaveLength(1);
    const pick = await post(agent, jobPath, search('form.import-pick').attr('action')!, { media: mediaId });
    expect(pick.status).toBe(303);
    expect(await counts(agent, jobPath)).toEqual({ 'To add': 1, 'Listed twice in the file': 1 });
    await apply(agent, jobPath);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'completed' });
  });

  it('drops NUL characters from a file rather than failing the import', async () => {
    const { user, agent } = await person();
    const mediaId = await insertWork(seeded.db.knex, { title: unique('Null Island'), year: 2001 });
    const exported = JSON.stringify({
      attribution: {},
      entries: [
        { media_id: mediaId, title: 'Null Island', media_type: 'movie', status: 'completed', notes: 'a\u0000b' },
      ],
    });
    const jobPath = await uploaded(agent, 'list.json', exported);
    expect(await counts(agent, jobPath)).toEqual({ 'To add': 1 });
    await apply(agent, jobPath);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ notes: 'ab' });
  });

  it('asks what a Letterboxd file lists when its name does not say, and reads it once answered', async () => {
    const { user, agent } = await person();
    const title = unique('Open Question');
    const mediaId = await insertWork(seeded.db.knex, { title, year: 2020 });
    const jobPath = await uploaded(agent, 'export.csv', letterboxdWatched([[title, 2020, 'https://boxd.it/q1']]));
    const asking = await page(agent, jobPath);
    expect(asking('.import-question legend').text()).toContain('What does this file list?');
    const answer = await post(agent, jobPath, `${jobPath}/answer`, { list_kind: 'watchlist' });
    expect(answer.status).toBe(303);
    await work();
    expect(await counts(agent, jobPath)).toEqual({ 'To add': 1 });
    await apply(agent, jobPath);
    expect(await entryOf(user.id, mediaId)).toMatchObject({ status: 'planning' });
  });

  it('brings our own export into a new account as the same list (the round trip)', async () => {
    const { user, agent } = await person();
    const a = await insertWork(seeded.db.knex, { title: unique('Round Trip One'), year: 2001 });
    const b = await insertWork(seeded.db.knex, { title: unique('Round Trip Two'), mediaType: 'book', year: 1999 });
    await seeded.db.knex('interaction.user_media').insert([
      {
        user_id: user.id,
        media_id: a,
        status: 'completed',
        rating: 75,
        progress: 1,
        notes: 'Line one,\n"quoted" and, commas',
        started_at: '2020-01-02T00:00:00Z',
        completed_at: '2020-02-03T00:00:00Z',
        created_at: '2019-12-30T10:11:12Z',
        updated_at: '2020-02-03T20:21:22Z',
      },
      {
        user_id: user.id,
        media_id: b,
        status: 'in_progress',
        progress: 120,
        created_at: '2021-06-01T08:00:00Z',
        updated_at: '2021-06-02T09:30:00Z',
      },
    ]);
    for (const extension of ['csv', 'json']) {
      const exported = await agent.get(`/list/export.${extension}`).buffer(true);
      expect(exported.status).toBe(200);
      const other = await person();
      const jobPath = await uploaded(other.agent, `list.${extension}`, exported.text);
      expect(await counts(other.agent, jobPath)).toEqual({ 'To add': 2 });
      await apply(other.agent, jobPath);
      // Down to when each entry was added and last changed: the list sorts by the latter.
      const fields = [
        'media_id',
        'status',
        'rating',
        'progress',
        'notes',
        'started_at',
        'completed_at',
        'created_at',
        'updated_at',
      ];
      const listOf = (userId: string) =>
        seeded.db.knex('interaction.user_media').where('user_id', userId).orderBy('media_id').select(fields);
      expect(await listOf(other.user.id)).toEqual(await listOf(user.id));
    }
  });

  it('refuses files it cannot read at the upload, with the form again and nothing stored', async () => {
    const { user, agent } = await person();
    const before = await seeded.db.knex('ingest.import_jobs').where('user_id', user.id).count({ n: '*' });
    const unknown = await upload(agent, 'notes.txt', 'just some words\nnothing like an export\n');
    expect(unknown.status).toBe(422);
    const $ = cheerio.load(unknown.text);
    expect($('#file-error').text()).toContain('not an export we can read');
    expect($('#file').attr('aria-invalid')).toBe('true');

    const binary = await upload(agent, 'picture.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]));
    expect(binary.status).toBe(422);

    const small = createTestApp(seeded.db.knex, { config: { importMaxBytes: 1_000_000 } });
    const smallAgent = await signedInAgent(small, user);
    const tooBig = await (async () => {
      const token = await csrfTokenFrom(smallAgent, '/import');
      return smallAgent
        .post('/import')
        .field('_csrf', token)
        .attach('file', Buffer.alloc(1_500_000, 0x41), 'watched.csv');
    })();
    expect(tooBig.status).toBe(413);
    expect(cheerio.load(tooBig.text)('#file-error').text()).toContain('larger than 1 MB');
    // A ZIP whose members claim more than the limit is refused before it is unpacked.
    const bomb = makeZip([{ name: 'watched.csv', data: 'Date,Name,Year,Letterboxd URI\n', declaredSize: 300_000_000 }]);
    const refusedZip = await upload(agent, 'letterboxd.zip', bomb);
    expect(refusedZip.status).toBe(422);

    const noFile = await (async () => {
      const token = await csrfTokenFrom(agent, '/import');
      return agent.post('/import').field('_csrf', token).field('source', '');
    })();
    expect(noFile.status).toBe(422);

    const after = await seeded.db.knex('ingest.import_jobs').where('user_id', user.id).count({ n: '*' });
    expect(after).toEqual(before);
  });

  it('fails an XML file with a DTD with a message, writing nothing', async () => {
    const { user, agent } = await person();
    const xml = `<?xml version="1.0"?><!DOCTYPE myanimelist [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<myanimelist><myinfo><user_export_type>1</user_export_type></myinfo>
<anime><series_animedb_id>1</series_animedb_id><series_title>&x;</series_title><my_status>Completed</my_status></anime></myanimelist>`;
    const jobPath = await uploaded(agent, 'animelist.xml', xml, { source: 'myanimelist' });
    const $ = await page(agent, jobPath);
    expect($('.import-failed').text()).toMatch(/DTD|entit/i);
    expect(await seeded.db.knex('interaction.user_media').where('user_id', user.id)).toEqual([]);
  });

  it('needs the CSRF token, a signed-in person, and shows an import to its owner alone', async () => {
    const { agent } = await person();
    const noToken = await agent.post('/import').attach('file', Buffer.from('a,b\n1,2\n'), 'x.csv');
    expect(noToken.status).toBe(403);
    const visitor = await request(seeded.app).get('/import');
    expect(visitor.status).toBe(303);

    const title = unique('Private Import');
    await insertWork(seeded.db.knex, { title, year: 2010 });
    const jobPath = await uploaded(agent, 'watched.csv', letterboxdWatched([[title, 2010, 'https://boxd.it/p1']]));
    const stranger = await person();
    expect((await stranger.agent.get(jobPath)).status).toBe(404);
    const token = await csrfTokenFrom(stranger.agent, '/import');
    const theirApply = await stranger.agent.post(`${jobPath}/apply`).type('form').send({ _csrf: token });
    expect(theirApply.status).toBe(404);
    expect((await jobRow(jobPath.split('/').pop()!)).status).toBe('ready');
  });

  it('leaves a job whose worker died mid-step to be taken again, not lost', async () => {
    const { agent } = await person();
    const title = unique('Resumed Import');
    await insertWork(seeded.db.knex, { title, year: 2012 });
    const response = await upload(agent, 'watched.csv', letterboxdWatched([[title, 2012, 'https://boxd.it/r1']]));
    const jobId = (response.headers.location as string).split('/').pop()!;
    // A worker has taken the job and holds it: another worker passes it by.
    const dying = await seeded.db.knex.transaction();
    const held = await claimNextImportJob(dying);
    expect(held?.id).toBe(jobId);
    expect(await runNextImportStep(seeded.db.knex, logger)).toBe(false);
    // Its process dies: the transaction is rolled back, and the job is taken again at once.
    await dying.rollback();
    expect(await runNextImportStep(seeded.db.knex, logger)).toBe(true);
    const job = await jobRow(jobId);
    expect(job.status).toBe('ready');
    expect(job.summary.add).toBe(1);
  });
});
