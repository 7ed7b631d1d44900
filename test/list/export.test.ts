import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { catalogSources } from '../../src/attribution/sources';
import { EXPORT_COLUMNS } from '../../src/entries/queries';
import { ADAPTERS } from '../../src/ingest/adapters';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, signedInAgent } from '../support/session';

/** A CSV text (RFC 4180) read back: rows of fields, quotes and line breaks inside fields kept. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += char;
  }
  if (field !== '' || row.length) throw new Error('The CSV does not end with a line break');
  return rows;
}

/** The list export (/list/export.csv, /list/export.json): every entry, stable columns, exact text. */
describe('exporting the list', () => {
  let db: TestDatabase;
  let app: Express;
  const awkward = {
    title: 'Commas, "quotes", and\nline breaks — Mädchen 東京',
    notes: 'Said: "no", then, later,\r\nyes. ✓',
  };

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  async function userWithEntries(count: number) {
    const user = await createUser(db.knex);
    const [odd] = await db
      .knex('media.media')
      .insert({ media_type: 'book', media_class: 'written.book', title: awkward.title, attributes: { pages: 412 } })
      .returning<{ id: string }[]>('id');
    const others = await db
      .knex('media.media')
      .orderBy('title')
      .limit(count - 1)
      .pluck('id');
    await db.knex('interaction.user_media').insert([
      {
        user_id: user.id,
        media_id: odd!.id,
        status: 'in_progress',
        progress: 130,
        rating: 80,
        notes: awkward.notes,
        started_at: '2026-03-04T00:00:00Z',
      },
      ...others.map((id: string) => ({ user_id: user.id, media_id: id, status: 'planning' })),
    ]);
    return { user, agent: await signedInAgent(app, user), odd: odd!.id };
  }

  it('writes every entry as CSV with the documented columns, quoting what needs it', async () => {
    const { agent, odd } = await userWithEntries(1203);
    // Another user's entries never appear.
    const other = await createUser(db.knex);
    const [elsewhere] = await db.knex('media.media').orderBy('title', 'desc').limit(1).pluck<string[]>('id');
    await db.knex('interaction.user_media').insert({ user_id: other.id, media_id: elsewhere, status: 'dropped' });

    const response = await agent.get('/list/export.csv');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="omnimediatrak-list-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const [header, ...rows] = parseCsv(response.text);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(1203);
    const ids = rows.map((row) => row[0]);
    // Read 500 at a time: every entry once, none lost between batches.
    expect(new Set(ids).size).toBe(1203);
    expect(ids).not.toContain(elsewhere);
    const record = Object.fromEntries(
      EXPORT_COLUMNS.map((column, index) => [column, rows.find((row) => row[0] === odd)![index]]),
    );
    expect(record).toMatchObject({
      title: awkward.title,
      media_type: 'book',
      status: 'in_progress',
      rating: '80',
      progress: '130',
      progress_unit: 'pages',
      total: '412',
      started_on: '2026-03-04',
      completed_on: '',
      notes: awkward.notes,
    });
  });

  it('writes the same entries as a JSON array, with numbers and nulls as such', async () => {
    const { agent, odd } = await userWithEntries(3);
    const response = await agent.get('/list/export.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const { entries } = JSON.parse(response.text) as { entries: Record<string, unknown>[] };
    expect(entries).toHaveLength(3);
    for (const entry of entries) expect(Object.keys(entry)).toEqual([...EXPORT_COLUMNS]);
    expect(entries.find((entry) => entry.media_id === odd)).toMatchObject({
      title: awkward.title,
      rating: 80,
      progress: 130,
      total: 412,
      completed_on: null,
      notes: awkward.notes,
    });
  });

  it('gives an empty list as a header alone, or []', async () => {
    const agent = await signedInAgent(app, await createUser(db.knex));
    expect((await agent.get('/list/export.csv')).text).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`);
    expect(JSON.parse((await agent.get('/list/export.json')).text)).toMatchObject({ entries: [] });
  });

  it('credits the catalog’s datasets: in the JSON file, and beside the CSV in a Link header', async () => {
    const { agent } = await userWithEntries(2);
    const json = await agent.get('/list/export.json');
    const file = JSON.parse(json.text) as {
      attribution: {
        note: string;
        details: string;
        sources: { name: string; homepage: string; licences: { name: string; url: string }[]; credit: string }[];
      };
      entries: unknown[];
    };
    // The credit comes first, so a reader of the file meets it before the data.
    expect(Object.keys(file)).toEqual(['attribution', 'entries']);
    expect(file.entries).toHaveLength(2);
    const { attribution } = file;
    expect(attribution.details).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/about\/data$/);
    expect(attribution.note).toContain(attribution.details);
    expect(attribution.note).toMatch(/goodbooks-10k.* is under CC BY-SA 4\.0/);
    expect(attribution.sources.map((source) => source.name)).toEqual(catalogSources().map((source) => source.name));
    for (const adapter of ADAPTERS) {
      const source = attribution.sources.find((candidate) => candidate.name === adapter.name)!;
      expect(source.homepage).toBe(adapter.homepage);
      expect(source.licences[0]!.url).toMatch(/^https:\/\//);
      expect(source.credit).toContain(source.licences[0]!.name);
    }

    for (const path of ['/list/export.csv', '/list/export.json']) {
      const response = await agent.get(path);
      // supertest serves each request on a port of its own: the host is the request's.
      expect(response.headers.link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/about\/data>; rel="license"$/);
    }
    // The CSV itself stays a plain table: its first line is the header row.
    const csv = await agent.get('/list/export.csv');
    expect(csv.text.split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','));
  });

  it('says on the list page that the download carries catalog data, with a link to its credits', async () => {
    const { agent } = await userWithEntries(1);
    const $ = cheerio.load((await agent.get('/list')).text);
    const note = $('.list-export');
    expect(note.text()).toMatch(/open datasets/);
    expect(note.find('a[href="/about/data"]')).toHaveLength(1);
  });

  it('is for the signed-in user only', async () => {
    const response = await request(app).get('/list/export.csv');
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/login\?next=/);
  });
});
