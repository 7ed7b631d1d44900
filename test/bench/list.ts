/**
 * `npm run bench:list [-- options]`: the list page (GET /list) and a status edit (POST
 * /list/:mediaId, as htmx sends it), end to end over HTTP against src/server.ts, for a user with
 * 5,000 entries among 10,000 other users who have entries too (so the hash partitions of
 * interaction.user_media hold realistic neighbours). It runs in the catalog benchmark's
 * database (a million titles, built on the first run); docs/benchmarks.md has the method.
 *
 * Not a jest test: a measurement, so it exits 0 whatever the figures, and non-zero only when a
 * request fails or the set-up does.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadDotEnv } from '../../src/config';
import { createKnex, describeDatabase, type Knex } from '../../src/database/connection';
import { createLogger } from '../../src/logger';
import { terminate } from '../../src/shutdown';
import { hashPassword } from '../../src/users/passwords';
import {
  benchUrls,
  count,
  ensureBenchDatabase,
  figures,
  prepareCatalog,
  readLogLevel,
  say,
  seconds,
  table,
} from './dataset';
import { CPU_COLUMN, cpuPerRequest, findPostmaster, readCpuTime } from './cpu';
import { FLOOR, makeClient, problemWith, startLoadProcess, startServerProcess, targetName, type Target } from './load';

const USERNAME = 'bench_list';
const PASSWORD = 'the bench list password';
const ENTRIES = 5_000;
const OTHER_USERS = 10_000;
const ENTRIES_PER_OTHER_USER = 10;
const POOL_MAX = 10;
const PAGE_TARGET_MS = 30;
const EDIT_TARGET_MS = 15;
/** Entries the edit scenario cycles through; each is visited again only after all the others. */
const EDITED_ENTRIES = 500;

const USAGE = `usage: npm run bench:list [-- options]
  --requests N      measured requests per scenario (default 1000)
  --warmup N        warm-up requests per scenario, not measured (default 200)
  --concurrency N   requests in flight at once (default 10)
  --processes N     the app's WEB_CONCURRENCY (default: this machine's cores)
  --only TEXT       run only the scenarios whose name contains TEXT
Database: as npm run bench:catalog (the same bench database; its first run builds the catalog).`;

function readOptions() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '10' },
      processes: { type: 'string', default: String(os.availableParallelism()) },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    terminate(0);
  }
  const whole = (name: 'requests' | 'warmup' | 'concurrency' | 'processes', min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return value;
  };
  return {
    requests: whole('requests', 1),
    warmup: whole('warmup', 0),
    concurrency: whole('concurrency', 1),
    processes: whole('processes', 1),
    only: values.only?.toLowerCase(),
    logLevel: readLogLevel(),
  };
}

/**
 * The measured user (5,000 entries in every status, most rated, some with progress, dates and
 * notes) and 10,000 others with 10 entries each, all drawn from the whole catalog. Made once.
 */
async function generateListUsers(knex: Knex): Promise<void> {
  const existing = await knex('users.users').where({ username: USERNAME }).first<{ id: string } | undefined>('id');
  if (existing) {
    say(`${USERNAME} and the other list users exist already: skipped`);
    return;
  }
  const started = performance.now();
  const passwordHash = await hashPassword(PASSWORD);
  await knex.transaction(async (trx) => {
    await trx.raw('select setseed(0.77)');
    await trx.raw(
      `insert into users.users (username, email, password_hash)
       select format('bench_other_%s', lpad(n::text, 5, '0')), format('bench_other_%s@bench.invalid', n),
              'no-password: bench account'
         from generate_series(1, :others::int) as n
       union all
       select :username, :username || '@bench.invalid', :passwordHash`,
      { others: OTHER_USERS, username: USERNAME, passwordHash },
    );
    await trx.raw(
      `insert into users.preferences (user_id)
       select id from users.users where username like 'bench\\_other\\_%' or username = ?
       on conflict do nothing`,
      [USERNAME],
    );
    await trx.raw(
      'create temporary table bench_media on commit drop as select row_number() over () as n, id from media.media',
    );
    await trx.raw('create unique index on bench_media (n)');
    await trx.raw('analyze bench_media');
    const { rows } = await trx.raw<{ rows: { titles: string }[] }>('select count(*) as titles from bench_media');
    const titles = Number(rows[0]?.titles ?? 0);
    const main = await trx.raw<{ rowCount: number | null }>(
      `insert into interaction.user_media (user_id, media_id, status, progress, rating, notes, started_at, completed_at, created_at, updated_at)
       select u.id, m.id, s.status,
              case when random() < 0.6 then floor(random() * 60)::int end,
              case when random() < 0.7 then 1 + floor(random() * 100)::int end,
              case when random() < 0.2 then 'A note about this one, long enough to be cut in the table: ' || m.id end,
              case when s.status <> 'planning' then d.day end,
              case when s.status = 'completed' then d.day + interval '20 days' end,
              d.day, d.day + interval '1 day' * floor(random() * 30)
         from users.users u
         cross join lateral (
           select distinct 1 + floor(random() * :titles::bigint)::bigint as n
             from generate_series(1, :entries::int * 2) where u.id is not null
            limit :entries::int) pick
         join bench_media m on m.n = pick.n
         cross join lateral (
           select (array['planning', 'in_progress', 'completed', 'paused', 'dropped'])[1 + floor(random() * 5)::int + 0 * pick.n] as status
         ) s
         cross join lateral (select now() - random() * interval '4 years' + 0 * interval '1 day' * pick.n as day) d
        where u.username = :username
       on conflict do nothing`,
      { titles, entries: ENTRIES, username: USERNAME },
    );
    say(`  ${count(main.rowCount ?? 0)} entries for ${USERNAME}`);
    const others = await trx.raw<{ rowCount: number | null }>(
      `insert into interaction.user_media (user_id, media_id, status)
       select u.id, m.id, (array['planning', 'in_progress', 'completed', 'paused', 'dropped'])[1 + floor(random() * 5)::int]
         from users.users u
         cross join lateral (
           select 1 + floor(random() * :titles::bigint)::bigint as n
             from generate_series(1, :perUser::int) where u.id is not null
         ) pick
         join bench_media m on m.n = pick.n
        where u.username like 'bench\\_other\\_%'
       on conflict do nothing`,
      { titles, perUser: ENTRIES_PER_OTHER_USER },
    );
    say(`  ${count(others.rowCount ?? 0)} entries for ${count(OTHER_USERS)} other users`);
  });
  await knex.raw('vacuum (analyze) interaction.user_media');
  say(`generated list users in ${seconds(performance.now() - started)}`);
}

/** Signs in through the real form and returns the session cookie and the CSRF token for htmx posts. */
async function signIn(port: number, secureProxy: Record<string, string>) {
  const client = makeClient(port, 1, secureProxy);
  try {
    const form = await client.get('/login');
    const cookieOf = (headers: Record<string, unknown>) =>
      ((headers['set-cookie'] as string[] | undefined) ?? []).map((line) => line.split(';')[0]).join('; ');
    let cookie = cookieOf(form.headers);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const body = new URLSearchParams({ username: USERNAME, password: PASSWORD, _csrf: token }).toString();
    const signedIn = await client.send({ path: '/login', method: 'POST', body, headers: { cookie } });
    if (signedIn.status !== 303) throw new Error(`signing in ${USERNAME} failed with ${signedIn.status}`);
    cookie = cookieOf(signedIn.headers) || cookie;
    const list = await client.send({ path: '/list', headers: { cookie } });
    const csrf = /"x-csrf-token": "([^"]+)"/.exec(list.body)?.[1];
    if (list.status !== 200 || !csrf) throw new Error(`the list page did not load for ${USERNAME} (${list.status})`);
    return { cookie, csrf };
  } finally {
    client.close();
  }
}

interface Scenario {
  name: string;
  targets: Target[];
  /** None for the floor (FLOOR), measured beside the others for comparison. */
  targetMs?: number;
}

async function main(): Promise<void> {
  const options = readOptions();
  loadDotEnv();
  const { adminUrl, benchUrl } = benchUrls();
  say(`database: ${describeDatabase(benchUrl)}`);
  await ensureBenchDatabase(adminUrl, false);
  const logger = createLogger(options.logLevel);
  const knex = createKnex(benchUrl, { poolMax: POOL_MAX, logger });
  let stopServer: (() => Promise<void>) | undefined;
  let load: ReturnType<typeof startLoadProcess> | undefined;
  try {
    await prepareCatalog(knex, logger, 1_000_000);
    await generateListUsers(knex);
    const user = await knex('users.users').where({ username: USERNAME }).first<{ id: string }>('id');
    const edited = await knex('interaction.user_media')
      .where({ user_id: user.id })
      .orderBy('media_id')
      .limit(EDITED_ENTRIES)
      .pluck('media_id');
    const { rows: sizes } = await knex.raw<{ rows: { entries: string; users: string }[] }>(
      'select count(*) as entries, count(distinct user_id) as users from interaction.user_media',
    );

    // Production cookies are Secure: the server trusts the loopback proxy that says it is https.
    const secureProxy = { 'x-forwarded-proto': 'https' };
    const served = await startServerProcess({
      databaseUrl: benchUrl,
      processes: options.processes,
      poolMax: POOL_MAX,
      logLevel: options.logLevel,
      env: { TRUST_PROXY: 'loopback' },
    });
    stopServer = served.stop;
    const { cookie, csrf } = await signIn(served.port, secureProxy);
    const headers = { ...secureProxy, cookie };
    const htmxPost = { 'hx-request': 'true', 'x-csrf-token': csrf };
    const statuses = ['paused', 'dropped', 'in_progress', 'completed', 'planning'];
    const edits: Target[] = Array.from({ length: EDITED_ENTRIES * statuses.length }, (_, index) => ({
      path: `/list/${edited[index % edited.length]}`,
      method: 'POST',
      body: new URLSearchParams({ status: statuses[Math.floor(index / edited.length) % statuses.length]! }).toString(),
      headers: htmxPost,
      expect: 'data-media-id',
    }));
    const scenarios: Scenario[] = [
      { name: FLOOR.name, targets: [FLOOR.target] },
      { name: 'list: default', targets: [{ path: '/list' }], targetMs: PAGE_TARGET_MS },
      {
        name: 'list: filtered (completed films)',
        targets: [{ path: '/list?status=completed&type=movie' }],
        targetMs: PAGE_TARGET_MS,
      },
      { name: 'list: sorted by rating', targets: [{ path: '/list?sort=rating' }], targetMs: PAGE_TARGET_MS },
      { name: 'list: deep page (60)', targets: [{ path: '/list?page=60' }], targetMs: PAGE_TARGET_MS },
      { name: 'edit: status (htmx)', targets: edits, targetMs: EDIT_TARGET_MS },
      // The floor runs with any --only: it is what the others' figures are read against.
    ].filter((scenario) => !options.only || !scenario.targetMs || scenario.name.includes(options.only));
    if (options.only && !scenarios.some((scenario) => scenario.name.includes(options.only!)))
      throw new Error(`--only ${options.only}: no scenario has that in its name`);

    const cpus = os.cpus();
    say(
      `\nmachine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, load average ${os
        .loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}, Node ${process.version}`,
    );
    say(
      `dataset: ${count(Number(sizes[0]?.entries ?? 0))} list entries from ${count(Number(sizes[0]?.users ?? 0))} users; ${USERNAME} has ${count(ENTRIES)}`,
    );
    say(
      `load: per scenario ${options.requests} requests after ${options.warmup} warm-up, ${options.concurrency} in flight, signed in as ${USERNAME}; the app in ${options.processes} process(es), pools of ${POOL_MAX}`,
    );

    // What each page shows, once, before timing.
    const check = makeClient(served.port, 1, headers);
    for (const scenario of scenarios) {
      const first = scenario.targets[0]!;
      if (first.method === 'POST' || !scenario.targetMs) continue;
      const reply = await check.send(first);
      const shown = /id="result-count"[^>]*>([^<]*)</.exec(reply.body)?.[1] ?? problemWith(reply) ?? '?';
      say(`  ${targetName(first)}  →  ${shown}`);
    }
    check.close();

    const loader = startLoadProcess();
    load = loader;
    const cpuOf = { app: served.pid, client: loader.pid, database: await findPostmaster(knex) };
    const results: string[][] = [
      ['scenario', 'requests', 'p50 ms', 'p95 ms', 'max ms', 'req/s', 'errors', 'target', 'met', CPU_COLUMN],
    ];
    let totalErrors = 0;
    for (const scenario of scenarios) {
      const run = (total: number) =>
        loader.run({ port: served.port, targets: scenario.targets, total, concurrency: options.concurrency, headers });
      if (options.warmup) await run(options.warmup);
      const cpuBefore = readCpuTime(cpuOf);
      const measured = await run(options.requests);
      const cpu = cpuPerRequest(cpuBefore, readCpuTime(cpuOf), options.requests);
      totalErrors += measured.errors;
      const { cells, p95 } = figures(measured);
      results.push([
        scenario.name,
        String(options.requests),
        ...cells,
        String(measured.errors),
        scenario.targetMs ? `< ${scenario.targetMs}` : '—',
        scenario.targetMs ? (p95 < scenario.targetMs ? 'yes' : 'no') : '—',
        cpu,
      ]);
      say(
        `  ${scenario.name}: done (p95 ${p95.toFixed(1)} ms)${measured.firstError ? `, first error: ${measured.firstError}` : ''}`,
      );
    }
    say('\nResults (targets: p95 < 30 ms for a page, < 15 ms for an edit):');
    for (const line of table(results)) say(line);
    if (totalErrors) {
      say(`\n${totalErrors} requests failed`);
      process.exitCode = 1;
    }
  } finally {
    load?.close();
    await stopServer?.();
    await knex.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:list failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
