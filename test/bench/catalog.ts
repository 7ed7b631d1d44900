/**
 * `npm run bench:catalog [-- --explain] [-- --reset]`: the catalog page (GET /catalog), measured
 * end to end over HTTP against the real app on a catalog of a million titles.
 *
 * It works in a database of its own, `omnimediatrak_bench`, on BENCH_DATABASE_URL's server, else
 * DATABASE_URL's, else postgres://postgres@127.0.0.1:5432; no other database is touched. The
 * first run migrates it, loads the open datasets, and generates titles (set-based, in SQL) up to
 * --rows; later runs find the rows there and go straight to measuring. With `--catalog seed` the
 * real titles are the older seed catalog instead (database `omnimediatrak_bench_seed`), and
 * `--compare` measures both in turns in one run. docs/benchmarks.md says how to read the output.
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
import { createLogger, type Logger } from '../../src/logger';
import { terminate } from '../../src/shutdown';
import {
  BENCH_CATALOGS,
  benchDatabase,
  benchUrls,
  DEFAULT_SERVER,
  type BenchCatalog,
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
import {
  FLOOR,
  makeClient,
  problemWith,
  startLoadProcess,
  startServerProcess,
  type PhaseResult,
  type Reply,
} from './load';

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
  --reset           drop and re-create the bench database(s) first
  --prepare-only    build the dataset, then stop without measuring
  --only TEXT       run only the scenarios whose name contains TEXT (e.g. --only search)
  --catalog NAME    the real titles under the generated ones: datasets (default, what npm start
                    loads; database ${benchDatabase('datasets')}) or seed (the older seed catalog;
                    database ${benchDatabase('seed')})
  --compare         both catalogs, one server each, measured in turns; prints each scenario's
                    throughput ÷ the floor's on each, and the one divided by the other
  --rounds N        with --compare, how many turns each catalog gets (default 3)
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
      catalog: { type: 'string', default: 'datasets' },
      compare: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    terminate(0);
  }
  const whole = (
    name: 'rows' | 'requests' | 'warmup' | 'server-warmup' | 'concurrency' | 'processes' | 'rounds',
    min: number,
  ) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return value;
  };
  const catalog = BENCH_CATALOGS.find((candidate) => candidate === values.catalog);
  if (!catalog) throw new Error(`--catalog must be one of ${BENCH_CATALOGS.join(', ')}`);
  if (values.compare && values.explain) throw new Error('--explain measures one catalog: leave out --compare');
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
    catalog,
    compare: values.compare,
    rounds: whole('rounds', 1),
    logLevel: readLogLevel(),
  };
}

type Options = ReturnType<typeof readOptions>;

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

/** One scenario's measured figures. */
interface Measured {
  scenario: Scenario;
  phase: PhaseResult;
  /** Requests a second, and that divided by the floor's in the same pass. */
  rate: number;
  ratio: number | undefined;
  cpu: string;
}

/** What a pass over the scenarios needs: the load process, whose CPU to read, and the options. */
interface Bench {
  options: Options;
  scenarios: Scenario[];
  loader: ReturnType<typeof startLoadProcess>;
  postmaster: number | undefined;
}

/** The app under measurement: src/server.ts in a process of its own, on one catalog's database. */
interface Served {
  catalog: BenchCatalog;
  port: number;
  pid: number;
  stop: () => Promise<void>;
}

const phaseOn = (bench: Bench, served: Served, paths: string[], total: number, expect?: string) =>
  bench.loader.run({
    port: served.port,
    targets: paths.map((path) => ({ path, expect })),
    total,
    concurrency: bench.options.concurrency,
  });

/** A server that has run a while: every URL of the run, before any scenario is timed. */
async function warmServer(bench: Bench, served: Served): Promise<void> {
  const pages = bench.scenarios.filter((scenario) => !scenario.floor).flatMap((scenario) => scenario.paths);
  if (bench.options.serverWarmup && pages.length) await phaseOn(bench, served, pages, bench.options.serverWarmup);
}

/** What each URL showed on one request (its result count, any note), or what went wrong. */
async function describeUrls(bench: Bench, get: (path: string) => Promise<Reply>): Promise<string[]> {
  const seen: string[] = [];
  for (const scenario of bench.scenarios) {
    for (const path of scenario.paths) {
      const reply = await get(path);
      const problem = problemWith(reply, scenario.expect);
      const summary = scenario.floor ? reply.body : pageSummary(reply.body);
      seen.push(`${path}  →  ${problem ? `ERROR ${problem}` : summary}`);
    }
  }
  return seen;
}

/** Every scenario once against `served`, the floor first: its throughput is what the others are read against. */
async function measureScenarios(
  bench: Bench,
  served: Served,
  label = '',
  scenarios = bench.scenarios,
): Promise<Measured[]> {
  const { options } = bench;
  const cpuOf = { app: served.pid, client: bench.loader.pid, database: bench.postmaster };
  const results: Measured[] = [];
  let floorRate: number | undefined;
  for (const scenario of scenarios) {
    if (options.warmup) await phaseOn(bench, served, scenario.paths, options.warmup, scenario.expect);
    const cpuBefore = readCpuTime(cpuOf);
    const phase = await phaseOn(bench, served, scenario.paths, options.requests, scenario.expect);
    const cpu = cpuPerRequest(cpuBefore, readCpuTime(cpuOf), options.requests);
    const rate = (phase.latencies.length / phase.wallMs) * 1000;
    if (scenario.floor) floorRate = rate;
    results.push({ scenario, phase, rate, ratio: floorRate ? rate / floorRate : undefined, cpu });
    say(
      `  ${label}${scenario.name}: done (p95 ${figures(phase).p95.toFixed(1)} ms)${phase.firstError ? `, first error: ${phase.firstError}` : ''}`,
    );
  }
  return results;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

function machineLine(serverVersion: string): string {
  const cpus = os.cpus();
  return [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    `PostgreSQL ${serverVersion}`,
  ].join(', ');
}

function loadLine(options: Options): string {
  return `load: ${options.serverWarmup} warm-up requests over all URLs, then per scenario ${options.requests} requests after ${options.warmup} warm-up, ${options.concurrency} in flight, keep-alive, gzip, anonymous visitor; the app in ${options.processes} process(es) (WEB_CONCURRENCY), each with a pool of ${POOL_MAX} connections`;
}

/** The scenarios this run measures: those --only names, and the floor always. */
function chooseScenarios(options: Options): Scenario[] {
  const scenarios = SCENARIOS.filter(
    (scenario) => !options.only || scenario.floor || scenario.name.includes(options.only),
  );
  if (options.only && !scenarios.some((scenario) => scenario.name.includes(options.only!)))
    throw new Error(`--only ${options.only}: no scenario has that in its name`);
  return scenarios;
}

/** Migrates and fills each catalog's bench database as needed; a Knex for each, to be destroyed by the caller. */
async function prepareDatabases(options: Options, logger: Logger, catalogs: readonly BenchCatalog[]) {
  const prepared: { catalog: BenchCatalog; url: string; knex: Knex }[] = [];
  for (const catalog of catalogs) {
    const { adminUrl, benchUrl } = benchUrls(catalog);
    say(`database (${catalog}): ${describeDatabase(benchUrl)}`);
    await ensureBenchDatabase(adminUrl, options.reset, catalog);
    const knex = createKnex(benchUrl, { poolMax: POOL_MAX, logger });
    prepared.push({ catalog, url: benchUrl, knex });
    await prepareCatalog(knex, logger, options.rows, catalog);
  }
  return prepared;
}

/** One catalog: the figures of each scenario, what each URL showed, and with --explain the SQL's plans. */
async function runSingle(options: Options, logger: Logger): Promise<void> {
  const [database] = await prepareDatabases(options, logger, [options.catalog]);
  const { knex, url } = database!;
  let server: http.Server | undefined;
  let client: ReturnType<typeof makeClient> | undefined;
  let loader: ReturnType<typeof startLoadProcess> | undefined;
  let served: Served | undefined;
  try {
    if (options.prepareOnly) {
      for (const line of await describeDataset(knex)) say(`dataset: ${line}`);
      return;
    }
    const { rows: version } = await knex.raw<{ rows: { server_version: string }[] }>('show server_version');
    const dataset = await describeDataset(knex);
    served = {
      catalog: options.catalog,
      ...(await startServerProcess({
        databaseUrl: url,
        processes: options.processes,
        poolMax: POOL_MAX,
        logLevel: options.logLevel,
      })),
    };
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
    // Timed requests come from a process of their own, to the server process.
    loader = startLoadProcess();
    const bench: Bench = {
      options,
      scenarios: chooseScenarios(options),
      loader,
      postmaster: await findPostmaster(knex),
    };

    say(`\nmachine: ${machineLine(version[0]?.server_version ?? '?')}`);
    for (const line of dataset) say(`dataset: ${line}`);
    say(loadLine(options));
    await warmServer(bench, served);
    const seen = await describeUrls(bench, client.get);
    const measured = await measureScenarios(bench, served);

    const results: string[][] = [
      ['scenario', 'requests', 'p50 ms', 'p95 ms', 'max ms', 'req/s', '÷ floor', 'errors', 'p95<50', CPU_COLUMN],
    ];
    const perPath: string[][] = [['url (scenarios with several)', 'requests', 'p50 ms', 'p95 ms', 'max ms']];
    for (const { scenario, phase, ratio, cpu } of measured) {
      const { cells, p95 } = figures(phase);
      results.push([
        scenario.name,
        String(options.requests),
        ...cells,
        ratio === undefined ? '?' : ratio.toFixed(3),
        String(phase.errors),
        scenario.floor ? '—' : p95 < TARGET_P95_MS ? 'yes' : 'no',
        cpu,
      ]);
      if (scenario.paths.length > 1) {
        for (const [path, times] of phase.byPath) {
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
      const pages = bench.scenarios.filter((scenario) => !scenario.floor).flatMap((scenario) => scenario.paths);
      for (const path of pages) await explainPath(knex, client.get, path);
    }
    const errors = measured.reduce((sum, result) => sum + result.phase.errors, 0);
    if (errors) {
      say(`\n${errors} requests failed`);
      process.exitCode = 1;
    }
  } finally {
    client?.close();
    loader?.close();
    await served?.stop();
    if (server) await new Promise((resolve) => server?.close(resolve));
    await knex.destroy();
  }
}

/**
 * --compare: the same code on the seed catalog and on the datasets, each to --rows titles, one
 * server process each, measured in turns: each scenario on one catalog then the other (which
 * goes first alternates), each right after a floor of its own, so a slow spell of the machine
 * falls on both. The figure compared is a scenario's throughput ÷ the floor measured just before
 * it, its median over the rounds.
 */
async function runCompare(options: Options, logger: Logger): Promise<void> {
  const databases = await prepareDatabases(options, logger, BENCH_CATALOGS);
  const servers: Served[] = [];
  let loader: ReturnType<typeof startLoadProcess> | undefined;
  try {
    if (options.prepareOnly) {
      for (const { catalog, knex } of databases)
        for (const line of await describeDataset(knex)) say(`dataset (${catalog}): ${line}`);
      return;
    }
    const first = databases[0]!.knex;
    const { rows: version } = await first.raw<{ rows: { server_version: string }[] }>('show server_version');
    for (const { catalog, url } of databases) {
      const started = await startServerProcess({
        databaseUrl: url,
        processes: options.processes,
        poolMax: POOL_MAX,
        logLevel: options.logLevel,
      });
      servers.push({ catalog, ...started });
    }
    loader = startLoadProcess();
    const bench: Bench = {
      options,
      scenarios: chooseScenarios(options),
      loader,
      postmaster: await findPostmaster(first),
    };

    say(`\nmachine: ${machineLine(version[0]?.server_version ?? '?')}`);
    for (const { catalog, knex } of databases)
      for (const line of await describeDataset(knex)) say(`dataset (${catalog}): ${line}`);
    say(loadLine(options));
    say(`compare: ${options.rounds} rounds, the catalogs in turns, each round starting with the other one`);

    const seen = new Map<BenchCatalog, string[]>();
    for (const served of servers) {
      await warmServer(bench, served);
      const client = makeClient(served.port, 1);
      try {
        seen.set(served.catalog, await describeUrls(bench, client.get));
      } finally {
        client.close();
      }
    }

    const ratios = new Map<string, number[]>();
    const cpus = new Map<string, string[]>();
    const rates = new Map<string, number[]>();
    let errors = 0;
    // Each scenario right after a floor of its own, on one catalog then the other, so that the
    // pair being compared is seconds apart, not minutes: the machine drifts less in between.
    const floor = bench.scenarios.find((scenario) => scenario.floor)!;
    for (let round = 0; round < options.rounds; round += 1) {
      say(`round ${round + 1}:`);
      for (const [index, scenario] of bench.scenarios.filter((candidate) => !candidate.floor).entries()) {
        const order = (round + index) % 2 === 0 ? servers : [...servers].reverse();
        for (const served of order) {
          for (const result of await measureScenarios(bench, served, `${served.catalog}: `, [floor, scenario])) {
            const key = `${result.scenario.name}\u0000${served.catalog}`;
            if (result.ratio !== undefined && !result.scenario.floor)
              ratios.set(key, [...(ratios.get(key) ?? []), result.ratio]);
            cpus.set(key, [...(cpus.get(key) ?? []), result.cpu]);
            rates.set(key, [...(rates.get(key) ?? []), result.rate]);
            errors += result.phase.errors;
          }
        }
      }
    }

    for (const served of servers) {
      say(`\nWhat each URL showed on the ${served.catalog} catalog (first request):`);
      for (const line of seen.get(served.catalog) ?? []) say(`  ${line}`);
    }
    const [before, after] = BENCH_CATALOGS;
    const rows: string[][] = [
      [
        'scenario',
        `${before} ÷ floor, by round`,
        `${after} ÷ floor, by round`,
        `median ${before}`,
        `median ${after}`,
        `${after} ÷ ${before}`,
        `CPU ms/req app + db + client, ${before}`,
        after!,
      ],
    ];
    for (const scenario of bench.scenarios.filter((candidate) => !candidate.floor)) {
      const of = (catalog: BenchCatalog) => ratios.get(`${scenario.name}\u0000${catalog}`) ?? [];
      const cpuOf = (catalog: BenchCatalog) => (cpus.get(`${scenario.name}\u0000${catalog}`) ?? []).join(', ');
      const was = median(of(before!));
      const is = median(of(after!));
      rows.push([
        scenario.name,
        of(before!)
          .map((value) => value.toFixed(3))
          .join(' '),
        of(after!)
          .map((value) => value.toFixed(3))
          .join(' '),
        was.toFixed(3),
        is.toFixed(3),
        (is / was).toFixed(2),
        cpuOf(before!),
        cpuOf(after!),
      ]);
    }
    // The floor's own throughput (measured before every scenario), for the raw figures behind the ratios.
    const floorRates = (catalog: BenchCatalog) => {
      const values = rates.get(`${FLOOR.name}\u0000${catalog}`) ?? [];
      return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} req/s`;
    };
    const floorRate = (catalog: BenchCatalog) => median(rates.get(`${FLOOR.name}\u0000${catalog}`) ?? []).toFixed(0);
    rows.push([
      'floor: /healthz',
      floorRates(before!),
      floorRates(after!),
      floorRate(before!),
      floorRate(after!),
      '',
      '',
      '',
    ]);
    say(`\nThroughput ÷ the floor's in the same pass, ${before} catalog beside ${after} (the same code):`);
    for (const line of table(rows)) say(line);
    if (errors) {
      say(`\n${errors} requests failed`);
      process.exitCode = 1;
    }
  } finally {
    loader?.close();
    for (const served of servers) await served.stop();
    for (const { knex } of databases) await knex.destroy();
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  loadDotEnv();
  // The app's own logs stay quiet unless asked for (LOG_LEVEL=warn shows why a request failed).
  const logger = createLogger(options.logLevel);
  await (options.compare ? runCompare(options, logger) : runSingle(options, logger));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:catalog failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
