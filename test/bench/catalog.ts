/**
 * `npm run bench:catalog [-- --explain] [-- --reset]`: the catalog page (GET /catalog), measured
 * end to end over HTTP against the real app on a catalog of a million titles.
 *
 * It works in a database of its own, `omnimediatrak_bench`, on BENCH_DATABASE_URL's server, else
 * DATABASE_URL's, else postgres://postgres@127.0.0.1:5432; no other database is touched. The
 * first run migrates it, loads the open datasets, and generates titles (set-based, in SQL) up to
 * --rows; later runs find the rows there and go straight to measuring. docs/benchmarks.md says
 * how to read the output.
 *
 * Not a jest test (jest only collects *.test.ts): a measurement, so it exits 0 whatever the
 * figures, and non-zero only when a request fails or the set-up does.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createApp, type AppConfig } from '../../src/app';
import { loadDotEnv } from '../../src/config';
import { createKnex, describeDatabase, type Knex } from '../../src/database/connection';
import { createLogger } from '../../src/logger';
import { terminate } from '../../src/shutdown';
import {
  benchUrls,
  BENCH_DATABASE,
  DEFAULT_SERVER,
  describeDataset,
  ensureBenchDatabase,
  figures,
  percentile,
  prepareCatalog,
  readLogLevel,
  say,
  table,
} from './dataset';
import { CPU_COLUMN, cpuPerRequest, findPostmaster, readCpuTime } from './cpu';
import { FLOOR, makeClient, problemWith, startLoadProcess, startServerProcess, type Reply } from './load';

const TARGET_P95_MS = 50;
const POOL_MAX = 10;

const USAGE = `usage: npm run bench:catalog [-- options]
  --rows N          titles the catalog must hold before measuring (default 1000000)
  --requests N      measured requests per scenario (default 1000)
  --warmup N        warm-up requests per scenario, not measured (default 200)
  --server-warmup N requests over every URL of the run before the first scenario (default 1000)
  --concurrency N   requests in flight at once (default 10)
  --processes N     the app's WEB_CONCURRENCY (default: this machine's cores)
  --explain         also print EXPLAIN (ANALYZE, BUFFERS) of the SQL behind each scenario's URLs
  --reset           drop and re-create the ${BENCH_DATABASE} database first
  --prepare-only    build the dataset, then stop without measuring
  --only TEXT       run only the scenarios whose name contains TEXT (e.g. --only search)
Database: BENCH_DATABASE_URL, else DATABASE_URL, else ${DEFAULT_SERVER} (only its server is used).
The app logs nothing unless LOG_LEVEL is set (LOG_LEVEL=warn shows why a request failed).`;

function readOptions() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '200' },
      'server-warmup': { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '10' },
      processes: { type: 'string', default: String(os.availableParallelism()) },
      explain: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      'prepare-only': { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    terminate(0);
  }
  const whole = (name: 'rows' | 'requests' | 'warmup' | 'server-warmup' | 'concurrency' | 'processes', min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return value;
  };
  return {
    rows: whole('rows', 0),
    requests: whole('requests', 1),
    warmup: whole('warmup', 0),
    serverWarmup: whole('server-warmup', 0),
    concurrency: whole('concurrency', 1),
    processes: whole('processes', 1),
    explain: values.explain,
    reset: values.reset,
    prepareOnly: values['prepare-only'],
    only: values.only?.toLowerCase(),
    logLevel: readLogLevel(),
  };
}

interface Scenario {
  name: string;
  paths: string[];
  /** Text the answer must hold, for an answer that is not a catalog page. */
  expect?: string;
  /** Measured beside the others, with no target of its own (FLOOR). */
  floor?: boolean;
}

// Typos, prefixes, accents left off, real titles and generated words; each request takes the next.
const SEARCHES = [
  'godfathr',
  'harry pot',
  'nausicaa',
  'kingdm',
  'shad drag',
  'madchen',
  'star wars',
  'dra',
  'silent memry',
  'zqxj',
];

// Titles of the datasets as people type them: misspelt, the start only, in Chinese or Japanese
// (found through the titles a work is known by, media.title_keys).
const TITLE_SEARCHES = ['lord of the rngs', 'harry poter', 'shawshank', 'the matrix', '进击的巨人', '千と千尋の神隠し'];

const SCENARIOS: Scenario[] = [
  { name: FLOOR.name, paths: [FLOOR.target.path], expect: FLOOR.target.expect, floor: true },
  { name: 'first page', paths: ['/catalog'] },
  { name: 'deep page (150)', paths: ['/catalog?page=150'] },
  { name: 'filter: anime 1990s', paths: ['/catalog?type=anime&from=1990&to=1999'] },
  { name: 'filter: written, Drama', paths: ['/catalog?class=written&genre=Drama'] },
  { name: 'search (10 queries)', paths: SEARCHES.map((q) => `/catalog?q=${encodeURIComponent(q)}`) },
  {
    name: 'search: real titles (6 queries)',
    paths: TITLE_SEARCHES.map((q) => `/catalog?q=${encodeURIComponent(q)}`),
  },
  { name: 'sort: popularity desc', paths: ['/catalog?sort=popularity&dir=desc'] },
];

const decode = (html: string) =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** What the page said about a URL: its result count and any notes (a parameter it ignored, say). */
function pageSummary(body: string): string {
  const result = /id="result-count"[^>]*>([\s\S]*?)<\/p>/.exec(body)?.[1];
  const notes = [...body.matchAll(/<p class="notice"[^>]*>([\s\S]*?)<\/p>/g)].map((match) => decode(match[1] ?? ''));
  return [result ? decode(result) : '(no result count)', ...notes.map((note) => `note: ${note}`)].join(' | ');
}

/** The SQL the app runs for one URL (caught from Knex's query events), each with its plan. */
async function explainPath(knex: Knex, get: (path: string) => Promise<Reply>, path: string): Promise<void> {
  const queries: { sql: string; bindings: unknown[] }[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) =>
    queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  try {
    await get(path);
  } finally {
    knex.off('query', listener);
  }
  say(`\n=== ${path}`);
  // Knex types its client as any: the pool calls used here, with the pg connection they lend.
  const client = knex.client as {
    acquireConnection(): Promise<{
      query(text: string, values: unknown[]): Promise<{ rows: Record<string, string>[] }>;
    }>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    for (const query of queries) {
      // Reads of the catalog only: EXPLAIN ANALYZE runs the statement, and a write must not run twice.
      if (!/^\s*(select|with)\b/i.test(query.sql) || !/\bmedia"?\."?media\b/.test(query.sql)) continue;
      say(`\n-- ${query.sql}\n-- bindings: ${JSON.stringify(query.bindings)}`);
      const { rows } = await connection.query(`explain (analyze, buffers) ${query.sql}`, query.bindings);
      for (const row of rows) say(Object.values(row)[0]);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  loadDotEnv();
  const { adminUrl, benchUrl } = benchUrls();
  say(`database: ${describeDatabase(benchUrl)}`);
  await ensureBenchDatabase(adminUrl, options.reset);

  // The app's own logs stay quiet unless asked for (LOG_LEVEL=warn shows why a request failed).
  const logger = createLogger(options.logLevel);
  const knex = createKnex(benchUrl, { poolMax: POOL_MAX, logger });
  let server: http.Server | undefined;
  let client: ReturnType<typeof makeClient> | undefined;
  let load: ReturnType<typeof startLoadProcess> | undefined;
  let stopServer: (() => Promise<void>) | undefined;
  try {
    await prepareCatalog(knex, logger, options.rows);
    if (options.prepareOnly) {
      for (const line of await describeDataset(knex)) say(`dataset: ${line}`);
      return;
    }

    const { rows: version } = await knex.raw<{ rows: { server_version: string }[] }>('show server_version');
    const cpus = os.cpus();
    const machine = [
      `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      `load average ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
      `${os.type()} ${os.release()}`,
      `Node ${process.version}`,
      `PostgreSQL ${version[0]?.server_version ?? '?'}`,
    ].join(', ');
    const dataset = await describeDataset(knex);

    // The app measured: src/server.ts in a process of its own, as `npm start` runs it.
    const served = await startServerProcess({
      databaseUrl: benchUrl,
      processes: options.processes,
      poolMax: POOL_MAX,
      logLevel: options.logLevel,
    });
    stopServer = served.stop;
    // The same app in this process, for untimed requests: what each URL shows, and with
    // --explain the SQL it runs (caught from this Knex's query events).
    const config: AppConfig = {
      env: 'production',
      isProduction: true,
      donateUrl: undefined,
      trustProxy: false,
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 24,
      registrationsPerHour: 0,
      sessionSecrets: ['a-bench-secret-that-is-at-least-32-characters-long'],
    };
    const listening = createApp({ knex, logger, config }).listen(0, '127.0.0.1');
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('listening', resolve);
      listening.once('error', reject);
    });
    const { port } = listening.address() as AddressInfo;
    client = makeClient(port, options.concurrency);
    const { get } = client;
    // Timed requests come from a process of their own, to the server process.
    const loader = startLoadProcess();
    load = loader;
    const cpuOf = { app: served.pid, client: loader.pid, database: await findPostmaster(knex) };
    const phase = (paths: string[], total: number, expect?: string) =>
      loader.run({
        port: served.port,
        targets: paths.map((path) => ({ path, expect })),
        total,
        concurrency: options.concurrency,
      });

    say(`\nmachine: ${machine}`);
    for (const line of dataset) say(`dataset: ${line}`);
    say(
      `load: ${options.serverWarmup} warm-up requests over all URLs, then per scenario ${options.requests} requests after ${options.warmup} warm-up, ${options.concurrency} in flight, keep-alive, gzip, anonymous visitor; the app in ${options.processes} process(es) (WEB_CONCURRENCY), each with a pool of ${POOL_MAX} connections`,
    );

    const results: string[][] = [
      ['scenario', 'requests', 'p50 ms', 'p95 ms', 'max ms', 'req/s', '÷ floor', 'errors', 'p95<50', CPU_COLUMN],
    ];
    // Each scenario's throughput as a share of the health check's in the same run: a figure that
    // a slow spell of the machine moves far less than the times themselves.
    let floorRate: number | undefined;
    const perPath: string[][] = [['url (scenarios with several)', 'requests', 'p50 ms', 'p95 ms', 'max ms']];
    const seen: string[] = [];
    let totalErrors = 0;
    // The floor runs with any --only: it is what the others' figures are read against.
    const scenarios = SCENARIOS.filter(
      (scenario) => !options.only || scenario.floor || scenario.name.includes(options.only),
    );
    if (options.only && !scenarios.some((scenario) => scenario.name.includes(options.only!)))
      throw new Error(`--only ${options.only}: no scenario has that in its name`);
    // A server that has run a while: every URL of the run, before any scenario, so the first
    // scenario does not pay for compiling the code paths the later ones share.
    const pages = scenarios.filter((scenario) => !scenario.floor).flatMap((scenario) => scenario.paths);
    if (options.serverWarmup && pages.length) await phase(pages, options.serverWarmup);
    for (const scenario of scenarios) {
      // What each URL matched, and whether the page ignored a parameter, before timing anything.
      for (const path of scenario.paths) {
        const reply = await get(path);
        const problem = problemWith(reply, scenario.expect);
        const summary = scenario.floor ? reply.body : pageSummary(reply.body);
        seen.push(`${path}  →  ${problem ? `ERROR ${problem}` : summary}`);
      }
      if (options.warmup) await phase(scenario.paths, options.warmup, scenario.expect);
      const cpuBefore = readCpuTime(cpuOf);
      const measured = await phase(scenario.paths, options.requests, scenario.expect);
      const cpu = cpuPerRequest(cpuBefore, readCpuTime(cpuOf), options.requests);
      totalErrors += measured.errors;
      const { cells, p95 } = figures(measured);
      const rate = (measured.latencies.length / measured.wallMs) * 1000;
      if (scenario.floor) floorRate = rate;
      results.push([
        scenario.name,
        String(options.requests),
        ...cells,
        floorRate ? (rate / floorRate).toFixed(3) : '?',
        String(measured.errors),
        scenario.floor ? '—' : p95 < TARGET_P95_MS ? 'yes' : 'no',
        cpu,
      ]);
      if (scenario.paths.length > 1) {
        for (const [path, times] of measured.byPath) {
          const ordered = [...times].sort((a, b) => a - b);
          perPath.push([
            path,
            String(ordered.length),
            percentile(ordered, 50).toFixed(1),
            percentile(ordered, 95).toFixed(1),
            (ordered.at(-1) ?? NaN).toFixed(1),
          ]);
        }
      }
      say(
        `  ${scenario.name}: done (p95 ${p95.toFixed(1)} ms)${measured.firstError ? `, first error: ${measured.firstError}` : ''}`,
      );
    }

    say('\nWhat each URL showed (first request):');
    for (const line of seen) say(`  ${line}`);
    say(`\nResults (target: p95 < ${TARGET_P95_MS} ms):`);
    for (const line of table(results)) say(line);
    if (perPath.length > 1) {
      say('');
      for (const line of table(perPath)) say(line);
    }

    if (options.explain) {
      say('\nPlans (EXPLAIN (ANALYZE, BUFFERS)), from one more request per URL after the measurements:');
      for (const path of pages) await explainPath(knex, get, path);
    }
    if (totalErrors) {
      say(`\n${totalErrors} requests failed`);
      process.exitCode = 1;
    }
  } finally {
    client?.close();
    load?.close();
    await stopServer?.();
    if (server) await new Promise((resolve) => server?.close(resolve));
    await knex.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:catalog failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
