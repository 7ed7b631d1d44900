import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { PROBED_TITLES } from '../../src/catalog/search-plan';
import { PAGE_SIZE } from '../../src/catalog/validation';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, signedInAgent, type Agent } from '../support/session';

/**
 * The catalog's page query must read an index, not the whole catalog, on a catalog the size of
 * the seed. The SQL is the app's own: captured from Knex while the page is requested, then
 * EXPLAINed with the same bindings.
 */

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

interface CapturedQuery {
  sql: string;
  bindings: unknown[];
}

/**
 * A plan as lines such as "  Index Scan using media_title_idx on media", children indented under
 * their parent: easy to match, and a failure prints the whole plan.
 */
function planLines(node: PlanNode, depth = 0): string[] {
  const using = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  // A sort says how many rows it expects, and of which tables: sorting one page is fine, sorting
  // the catalog is not (the genres the filter offers ride along in the same statement).
  const rows = node['Node Type'].endsWith('Sort')
    ? ` (${node['Plan Rows']} rows of ${relationsBelow(node).join(', ')})`
    : '';
  return [
    `${'  '.repeat(depth)}${node['Node Type']}${using}${on}${rows}`,
    ...(node.Plans ?? []).flatMap((child) => planLines(child, depth + 1)),
  ];
}

function relationsBelow(node: PlanNode): string[] {
  return [
    ...new Set([
      ...(node['Relation Name'] ? [node['Relation Name']] : []),
      ...(node.Plans ?? []).flatMap(relationsBelow),
    ]),
  ];
}

/** A line of the plan, at any depth. */
const step = (text: string) => expect.stringMatching(new RegExp(`^ *${text}$`)) as jest.AsymmetricMatcher;

describe('the catalog’s query plans on the seeded catalog', () => {
  let db: TestDatabase;
  let app: Express;
  let explainer: pg.Client;
  let member: Agent;
  let captured: CapturedQuery[] = [];

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
    explainer = new pg.Client({ connectionString: db.url });
    await explainer.connect();
    // Two words each in more titles than a search reads one by one (PROBED_TITLES), and together in few.
    await db.knex.raw(
      `insert into media.media (media_type, media_class, title)
       select 'book', 'written.book'::ltree, word || ' ' || n
         from unnest(array['Vorpal', 'Snark']) as word, generate_series(1, ?::int) as n
       union all select 'book', 'written.book', 'Vorpal Snark ' || n from generate_series(1, 5) as n`,
      [PROBED_TITLES + 100],
    );
    await explainer.query('analyze');
    member = await signedInAgent(app, await createUser(db.knex));
    db.knex.on('query', (query: { sql: string; bindings?: unknown[] }) => {
      captured.push({ sql: query.sql, bindings: query.bindings ?? [] });
    });
  });

  afterAll(async () => {
    await explainer.end();
    await db.drop();
  });

  /** Requests the page and returns the plan of the query that read its rows. */
  const planOfPage = async (viewer: 'anonymous' | 'signed in', url: string): Promise<string[]> => {
    captured = [];
    const response = await (viewer === 'anonymous' ? request(app) : member).get(url);
    expect(response.status).toBe(200);
    // The page's rows: the row columns, from the catalog, one page at a time (not the count).
    const pageQueries = captured.filter(
      ({ sql }) => sql.includes('select "m"."id", "m"."title"') && sql.includes(' limit '),
    );
    expect(pageQueries).toHaveLength(1);
    const { sql, bindings } = pageQueries[0]!;
    const { rows } = await explainer.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `explain (format json) ${sql}`,
      bindings,
    );
    return planLines(rows[0]!['QUERY PLAN'][0]!.Plan);
  };

  describe.each(['anonymous', 'signed in'] as const)('for a viewer who is %s', (viewer) => {
    it.each([
      ['the default listing, by title', '/catalog', 'media_title_idx'],
      ['the listing by year, newest first', '/catalog?sort=year&dir=desc', 'media_release_date_desc_idx'],
    ])('%s reads the titles in index order (%s uses %s)', async (_case, url, index) => {
      const plan = await planOfPage(viewer, url);
      expect(plan).toContainEqual(step(`Index (Only )?Scan using ${index} on media`));
      expect(plan).not.toContainEqual(step('Seq Scan on media'));
      // In index order, so the limit stops the scan: no sort of the whole catalog first, only
      // of the page's rows once their columns are read.
      const sorted = plan
        .flatMap((line) => /Sort.* \((\d+) rows of [^)]*\bmedia\b[^)]*\)$/.exec(line)?.[1] ?? [])
        .map(Number);
      for (const rows of sorted) expect(rows).toBeLessThanOrEqual(PAGE_SIZE);
    });

    it.each([
      ['a typo', '/catalog?q=godfathr', '(Bitmap )?Index (Only )?Scan using search_terms_pkey( on search_terms)?'],
      [
        'two prefixes',
        '/catalog?q=harry%20pot',
        '(Bitmap )?Index (Only )?Scan using search_terms_pkey( on search_terms)?',
      ],
      // Words in more titles than a search reads one by one: the GIN index intersects them.
      ['two common words', '/catalog?q=vorpal%20snark', 'Bitmap Index Scan using media_search_vector_part[0-7]_idx'],
    ])('a search for %s (%s) finds its titles through the search indexes', async (_case, url, scan) => {
      const plan = await planOfPage(viewer, url);
      // Typos are corrected against the word list first, so the search itself reads an index of words.
      expect(plan).toContainEqual(step(scan));
      expect(plan).not.toContainEqual(step('Seq Scan on media'));
      expect(plan).not.toContainEqual(step('Seq Scan on search_terms'));
      // The works known by a title that starts with what was typed (or meant): the title keys in
      // byte order, from their own index.
      expect(plan).toContainEqual(step('Index (Only )?Scan using title_keys_prefix_idx on title_keys'));
      expect(plan).not.toContainEqual(step('Seq Scan on title_keys'));
    });
  });
});
