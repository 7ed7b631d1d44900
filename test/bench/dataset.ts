/**
 * What the benchmarks share: the bench database (created on the server of BENCH_DATABASE_URL,
 * else DATABASE_URL, else the local one), the million generated titles and their trackers, and
 * the figures' arithmetic and tables. docs/benchmarks.md says how the data is made.
 */
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';
import type { Knex } from '../../src/database/connection';
import type { Logger } from '../../src/logger';
import { ingestAll } from '../../src/ingest/all';
import { rawDataDir } from '../../src/paths';
import { readCatalog, seedCatalog } from '../../seeds/catalog';
import { catalogFile } from '../../seeds';

/**
 * What the real part of a bench catalog is: `datasets`, the open datasets through the ingest
 * pipeline (what `npm start` loads), or `seed`, the older seed catalog (seeds/data/catalog.jsonl,
 * about 16,500 titles) that the catalog was before them, kept to measure one against the other.
 */
export type BenchCatalog = 'datasets' | 'seed';
export const BENCH_CATALOGS: readonly BenchCatalog[] = ['seed', 'datasets'];

export const BENCH_DATABASE = 'omnimediatrak_bench';
/** Each catalog's database: the datasets' keeps the name it has always had. */
export const benchDatabase = (catalog: BenchCatalog) =>
  catalog === 'datasets' ? BENCH_DATABASE : `${BENCH_DATABASE}_${catalog}`;
export const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const CHUNK_ROWS = 100_000;
const BENCH_USERS = 200;
const TITLES_PER_USER = 500;

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export const count = (value: number) => value.toLocaleString('en-GB');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function readLogLevel(): (typeof LOG_LEVELS)[number] {
  const level = process.env.LOG_LEVEL || 'silent';
  const known = LOG_LEVELS.find((candidate) => candidate === level);
  if (!known) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return known;
}

/** The server to use, and URLs for its maintenance database and for a catalog's bench database. */
export function benchUrls(catalog: BenchCatalog = 'datasets'): { adminUrl: string; benchUrl: string } {
  const given = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_SERVER;
  const admin = new URL(given);
  if (admin.pathname === '' || admin.pathname === '/') admin.pathname = '/postgres';
  // Connecting to a bench database itself to create it would fail; use the maintenance one.
  if (decodeURIComponent(admin.pathname.slice(1)).startsWith(BENCH_DATABASE)) admin.pathname = '/postgres';
  const bench = new URL(admin);
  bench.pathname = `/${benchDatabase(catalog)}`;
  return { adminUrl: admin.toString(), benchUrl: bench.toString() };
}

/** Creates a bench database when it is missing (dropping it first with --reset). */
export async function ensureBenchDatabase(
  adminUrl: string,
  reset: boolean,
  catalog: BenchCatalog = 'datasets',
): Promise<void> {
  const name = benchDatabase(catalog);
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    if (reset) {
      say(`dropping ${name} (--reset)`);
      await admin.raw('drop database if exists ?? with (force)', [name]);
    }
    const { rows } = await admin.raw<{ rows: unknown[] }>('select 1 from pg_database where datname = ?', [name]);
    if (rows.length === 0) {
      say(`creating database ${name}`);
      await admin.raw('create database ??', [name]);
    }
  } finally {
    await admin.destroy();
  }
}

export async function migrate(knex: Knex): Promise<void> {
  try {
    const [, applied] = (await knex.migrate.latest()) as [number, string[]];
    say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: up to date');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A migration that ran here while it was being written, then renamed or removed.
    throw new Error(`${message}\nThe bench database no longer matches migrations/: run again with --reset`, {
      cause: error,
    });
  }
}

/** A word list written as text: split on spaces, or on commas when there are any. */
function words(text: string): string[] {
  return text
    .trim()
    .split(text.includes(',') ? /\s*,\s*/ : /\s+/)
    .filter(Boolean);
}

// The vocabulary of generated titles. Earlier words are drawn more often (a skewed draw), as in
// real titles; some carry accents so unaccented searches ("madchen") have work to do.
const TITLE_WORDS = words(`
  Love Night Dragon Shadow Kingdom Last Dark Blood Star Girl World Heart Lost Secret King City Dream
  Fire Moon Summer House Sea War Queen Black Red Blue White Golden Silent Winter Garden Island River
  Storm Iron Glass Silver Wild Hidden Broken Forgotten Eternal Sky Road Tower Empire Legend Song Witch
  Ghost Angel Devil Hunter Knight Prince Princess Academy School Detective Murder Journey Return Rise
  Fall Edge Beyond Under Crown Sword Magic Machine Planet Station Circus Harbour Mountain Forest
  Desert Frontier Memory Promise Tomorrow Yesterday Morning Evening Thunder Lantern Mirror Orchid
  Raven Wolf Fox Tiger Phoenix Serpent Voyage Chronicle Requiem Sonata Ballad Paradise Inferno
  Labyrinth Citadel Odyssey Horizon Echo Cipher Velvet Crimson Amber Jade Obsidian Ivory Scarlet
  Emerald Sapphire Neon Clockwork Paper Stone Salt Honey Ash Dust Rain Snow Tide Harvest Café Éclair
  Élan Mädchen Märchen Über Straße Noël Señor Mañana Niño Führer Crème Brûlée Déjà Naïve Nausicaä
  Björk Ångström Zoë Façade Résumé Göttin Schön Fiancée Año Città Amélie Künstler Piñata
`);

const FIRST_NAMES = words(`
  Anna James Yuki Maria Hiroshi Olivia Liam Sofia Kenji Emma Lucas Chloé Mateo Aiko Noah Léa Jonas Zoë
  Ravi Ingrid Tomás Mei Omar Björn Clara Diego Hana Felix Amara Søren
`);
const LAST_NAMES = words(`
  Smith Tanaka García Müller Rossi Dubois Kim Nakamura Johansson Novak Silva Okafor Brown Watanabe
  López Schneider Ferreira Andersson Kowalski Yamamoto Martin Hernández Lefèvre Sato Costa Jensen
  Ivanova Petrović Chen Wright
`);

// Genres, most common first (the draw is skewed); the datasets use the same spellings.
const GENRES = words(`
  Drama, Comedy, Action, Romance, Adventure, Fantasy, Thriller, Science Fiction, Mystery, Horror,
  Crime, Slice of Life, Documentary, Animation, Family, Historical, Music, Sports, War, Western,
  Psychological, Supernatural, Mecha, Biography, Satire, Musical, Noir, Puzzle, Strategy, Role-Playing
`);

// How often each type appears among generated titles (slots out of 100); a type added later
// that is not listed here still gets a share.
const TYPE_WEIGHTS: Record<string, number> = {
  book: 24,
  movie: 20,
  tv: 10,
  manga: 10,
  game: 10,
  anime: 8,
  web_novel: 7,
  podcast: 6,
  visual_novel: 5,
};

async function typeSlots(knex: Knex): Promise<string[]> {
  const types = await knex('media.media_types').orderBy('position').pluck<string[]>('media_type');
  return types.flatMap((type) => Array<string>(TYPE_WEIGHTS[type] ?? 3).fill(type));
}

/**
 * Generates rows first..last in one INSERT ... SELECT. Volatile random() in the inner select
 * stops Postgres from pulling it up (each value is drawn once per row); the `0 * n` terms make
 * the per-row subqueries correlated, so they run for every row instead of once.
 */
function insertGeneratedMedia(trx: Knex.Transaction, first: number, last: number, slots: string[]) {
  return trx.raw(
    `
    insert into media.media (media_type, media_class, title, release_date, release_date_precision,
      country_of_origin, creators, attributes)
    select t.media_type, t.default_class, g.title,
      case
        when g.r_date < 0.04 then null
        when g.r_precision < 0.2 then make_date(extract(year from g.day)::int, 1, 1)
        else g.day
      end,
      case when g.r_date >= 0.04 and g.r_precision < 0.2 then 'year' else 'day' end,
      g.country, g.creators, g.attributes
    from (
      select s.n,
        (:slots::text[])[1 + floor(random() * cardinality(:slots::text[]))::int] as media_type,
        random() as r_date,
        random() as r_precision,
        date '1900-01-01' + floor(power(random(), 0.6) * (date '2026-12-31' - date '1900-01-01'))::int as day,
        (array['US', 'JP', 'GB', 'FR', 'DE', 'KR', 'ES', 'IT', 'SE', 'CN', null, null])[1 + floor(random() * 12)::int] as country,
        (select string_agg(
                  case when k = 1 and random() < 0.2 then 'The'
                       else (:words::text[])[1 + floor(cardinality(:words::text[]) * power(random(), 1.4))::int] end,
                  ' ' order by k)
           from generate_series(1, 2 + floor(random() * 7)::int + 0 * s.n) as k) as title,
        array(select (:firstNames::text[])[1 + floor(random() * cardinality(:firstNames::text[]))::int]
                     || ' ' || (:lastNames::text[])[1 + floor(random() * cardinality(:lastNames::text[]))::int]
              from generate_series(1, 1 + floor(random() * 3)::int + 0 * s.n)) as creators,
        jsonb_build_object(
          'genres', to_jsonb(array(
            select distinct (:genres::text[])[1 + floor(cardinality(:genres::text[]) * power(random(), 1.5))::int]
            from generate_series(1, 1 + floor(random() * 3)::int + 0 * s.n))),
          'dataset', 'bench') as attributes
      from generate_series(:first::int, :last::int) as s(n)
      offset 0
    ) g
    join media.media_types t on t.media_type = g.media_type`,
    {
      slots,
      words: TITLE_WORDS,
      firstNames: FIRST_NAMES,
      lastNames: LAST_NAMES,
      genres: GENRES,
      first,
      last,
    },
  );
}

/**
 * Fills media.media up to `target` rows. Secondary indexes (of media.media and of the title keys
 * its trigger writes) are dropped for the load and built again afterwards (far faster than
 * updating two GIN indexes row by row), all in one transaction, so an interrupted run leaves the
 * table as it was.
 */
export async function generateMedia(knex: Knex, target: number): Promise<boolean> {
  const [{ rows: present } = { rows: 0 }] = await knex('media.media').count<{ rows: number }[]>({ rows: '*' });
  if (present >= target) {
    say(`media.media holds ${count(present)} rows (>= ${count(target)}): generation skipped`);
    return false;
  }
  const missing = target - present;
  const chunks = Math.ceil(missing / CHUNK_ROWS);
  say(`media.media holds ${count(present)} rows: generating ${count(missing)} in ${chunks} chunks`);
  const slots = await typeSlots(knex);
  const started = performance.now();
  await knex.transaction(async (trx) => {
    await trx.raw("set local maintenance_work_mem = '512MB'");
    // Same data on every fresh run (this session's random() sequence).
    await trx.raw('select setseed(0.2026)');
    const { rows: indexes } = await trx.raw<{ rows: { name: string; definition: string }[] }>(`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i
      where i.indrelid in ('media.media'::regclass, 'media.title_keys'::regclass)
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
      order by 1`);
    for (const index of indexes) await trx.raw(`drop index ${index.name}`);
    // The search's word list (media.search_terms) gains about nine rows a title: its key too is
    // built once after the load rather than row by row.
    const { rows: keys } = await trx.raw<{ rows: { name: string; definition: string }[] }>(`
      select conname as name, pg_get_constraintdef(oid) as definition
      from pg_constraint where conrelid = 'media.search_terms'::regclass and contype = 'p'`);
    for (const key of keys) await trx.raw(`alter table media.search_terms drop constraint ${key.name}`);
    say(`  dropped ${indexes.length} secondary indexes and ${keys.length} search_terms key for the load`);
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      const first = chunk * CHUNK_ROWS + 1;
      const last = Math.min(missing, (chunk + 1) * CHUNK_ROWS);
      const chunkStarted = performance.now();
      await insertGeneratedMedia(trx, first, last, slots);
      say(
        `  chunk ${chunk + 1}/${chunks}: ${count(present + last)} rows (${seconds(performance.now() - chunkStarted)}, ${seconds(performance.now() - started)} so far)`,
      );
    }
    for (const index of indexes) {
      const indexStarted = performance.now();
      await trx.raw(index.definition);
      say(`  rebuilt ${index.name} (${seconds(performance.now() - indexStarted)})`);
    }
    for (const key of keys) {
      const keyStarted = performance.now();
      await trx.raw(`alter table media.search_terms add constraint ${key.name} ${key.definition}`);
      say(`  rebuilt ${key.name} (${seconds(performance.now() - keyStarted)})`);
    }
  });
  say(`generated ${count(missing)} titles in ${seconds(performance.now() - started)}`);
  return true;
}

/**
 * BENCH_USERS users, each tracking about TITLES_PER_USER titles drawn with a skew toward the
 * first rows (the datasets' real titles), so a few titles are tracked by many users and a
 * sort by popularity has something to sort. Any count kept by a trigger is left to the trigger.
 */
export async function generateTracking(knex: Knex): Promise<boolean> {
  const [{ users } = { users: 0 }] = await knex('users.users')
    .whereLike('username', 'bench\\_%')
    .count<{ users: number }[]>({ users: '*' });
  if (users >= BENCH_USERS) {
    say(`${count(users)} bench users already track titles: skipped`);
    return false;
  }
  const started = performance.now();
  await knex.transaction(async (trx) => {
    await trx.raw('select setseed(0.42)');
    await trx.raw(
      `insert into users.users (username, email, password_hash)
       select format('bench_%s', lpad(n::text, 3, '0')), format('bench_%s@bench.invalid', lpad(n::text, 3, '0')),
         'no-password: bench account'
       from generate_series(1, :users::int) as n
       on conflict do nothing`,
      { users: BENCH_USERS },
    );
    await trx.raw(
      'create temporary table bench_media on commit drop as select row_number() over () as n, id from media.media',
    );
    await trx.raw('create unique index on bench_media (n)');
    await trx.raw('analyze bench_media');
    const result = await trx.raw<{ rowCount: number | null }>(
      `insert into interaction.user_media (user_id, media_id, status, progress, rating, created_at, updated_at)
       select u.id, m.id,
         (array['planning', 'in_progress', 'completed', 'paused', 'dropped'])[1 + floor(random() * 5)::int],
         case when random() < 0.5 then floor(random() * 50)::int end,
         case when random() < 0.6 then 1 + floor(random() * 100)::int end,
         now() - random() * interval '3 years', now()
       from users.users u
       cross join lateral (
         select 1 + floor((select count(*) from bench_media) * power(random(), 3))::bigint as n
         from generate_series(1, :perUser::int) where u.id is not null
       ) pick
       join bench_media m on m.n = pick.n
       where u.username like 'bench\\_%'
       on conflict do nothing`,
      { perUser: TITLES_PER_USER },
    );
    say(`  ${count(result.rowCount ?? 0)} list entries for ${BENCH_USERS} bench users`);
  });
  say(`generated list entries in ${seconds(performance.now() - started)}`);
  return true;
}

/** Fresh statistics and visibility map after a load, then any materialized view the catalog reads. */
export async function settle(knex: Knex, changed: boolean): Promise<void> {
  // Writes since the last vacuum (bench:list's users move media.media's popularity counts) clear
  // pages of the visibility map, and every index-only scan on them reads the heap again: the deep
  // page went from 1.6 to 4.4 ms of PostgreSQL CPU after a list run. Dead rows tell of such writes.
  const { rows: stale } = await knex.raw<{ rows: { name: string }[] }>(`
    select schemaname || '.' || relname as name from pg_stat_user_tables
     where (schemaname, relname) in (('media', 'media'), ('media', 'search_terms'), ('media', 'title_keys'))
       and n_dead_tup > 0.01 * greatest(n_live_tup, 1)`);
  if (changed || stale.length) {
    const started = performance.now();
    await knex.raw('vacuum (analyze) media.media');
    // Their visibility maps let the search read the word list and the title keys from their keys
    // alone (index-only scans).
    await knex.raw('vacuum (analyze) media.search_terms');
    await knex.raw('vacuum (analyze) media.title_keys');
    await knex.raw('vacuum (analyze) interaction.user_media');
    await knex.raw('analyze');
    say(
      `vacuum and analyze${changed ? '' : ` (${stale.map((row) => row.name).join(', ')} written since its last vacuum)`}: ${seconds(performance.now() - started)}`,
    );
  }
  const { rows } = await knex.raw<{ rows: unknown[] }>(
    "select 1 from pg_matviews where schemaname = 'media' and matviewname = 'genre_counts'",
  );
  if (rows.length) {
    const started = performance.now();
    await knex.raw('refresh materialized view media.genre_counts');
    say(`refreshed media.genre_counts (${seconds(performance.now() - started)})`);
  }
}

export async function describeDataset(knex: Knex): Promise<string[]> {
  const { rows: types } = await knex.raw<{ rows: { media_type: string; rows: number }[] }>(
    'select media_type, count(*)::int as rows from media.media group by 1 order by 2 desc',
  );
  const total = types.reduce((sum, type) => sum + type.rows, 0);
  const { rows: extra } = await knex.raw<{ rows: { generated: number; entries: number; users: number }[] }>(`
    select (select count(*)::int from media.media where attributes ->> 'dataset' = 'bench') as generated,
      (select count(*)::int from interaction.user_media) as entries,
      (select count(*)::int from users.users) as users`);
  const { rows: size } = await knex.raw<{ rows: { size: string }[] }>(
    "select pg_size_pretty(pg_total_relation_size('media.media')) as size",
  );
  const facts = extra[0];
  return [
    `${count(total)} titles (${count(facts?.generated ?? 0)} generated, the rest real titles), media.media ${size[0]?.size ?? '?'} with indexes`,
    `by type: ${types.map((type) => `${type.media_type} ${count(type.rows)}`).join(', ')}`,
    `${count(facts?.entries ?? 0)} list entries (interaction.user_media) from ${count(facts?.users ?? 0)} users`,
  ];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** A measured phase's p50, p95 and max (ms) and requests a second, as table cells, and its p95. */
export function figures(measured: { latencies: number[]; wallMs: number }): { cells: string[]; p95: number } {
  const sorted = [...measured.latencies].sort((a, b) => a - b);
  const p95 = percentile(sorted, 95);
  return {
    cells: [
      percentile(sorted, 50).toFixed(1),
      p95.toFixed(1),
      (sorted.at(-1) ?? NaN).toFixed(1),
      ((measured.latencies.length / measured.wallMs) * 1000).toFixed(1),
    ],
    p95,
  };
}

export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row, index) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .concat(index === 0 ? `\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : ''),
  );
}

/**
 * The catalog every benchmark runs on: migrated, its real titles (the open datasets through
 * src/ingest/all.ts, about 73,000 works, or with `seed` the older seed catalog), titles generated
 * up to `rows`, 200 users tracking 500 titles each, then vacuumed and analysed when anything
 * changed. A datasets bench database built by an earlier release, from the old seed catalog, is
 * measured as it is, with a warning: `--reset` builds it again.
 */
export async function prepareCatalog(
  knex: Knex,
  logger: Logger,
  rows: number,
  catalog: BenchCatalog = 'datasets',
): Promise<void> {
  await migrate(knex);
  const anyWork = await knex('media.media').first<Record<string, unknown> | undefined>(knex.raw('1'));
  if (!anyWork) {
    const started = performance.now();
    if (catalog === 'seed') {
      say('loading the seed catalog (seeds/data/catalog.jsonl)');
      await seedCatalog(knex, readCatalog(catalogFile));
    } else {
      say('loading the catalog from the open datasets (a minute or two)');
      await ingestAll(knex, logger, { dataDir: rawDataDir });
    }
    const [{ works } = { works: 0 }] = await knex('media.media').count<{ works: number }[]>({ works: '*' });
    say(`${catalog}: ${count(Number(works))} works (${seconds(performance.now() - started)})`);
  } else if (
    catalog === 'datasets' &&
    !(await knex('ingest.import_jobs')
      .where('status', 'succeeded')
      .first<Record<string, unknown> | undefined>(knex.raw('1')))
  ) {
    say('warning: this bench database holds the old seed catalog, not the datasets: run with --reset to rebuild it');
  }
  const generated = await generateMedia(knex, rows);
  const tracked = await generateTracking(knex);
  await settle(knex, generated || tracked);
}
