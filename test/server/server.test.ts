import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { formatNumber } from '../../src/http/format';
import { fixtureCatalogDataDir } from '../support/catalog-data';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { runServer, type ServerRun } from '../support/server-process';

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const catalogSize = (html: string) => cheerio.load(html)('.welcome strong').first().text();

/** How the home page writes the number of works in a database. */
async function worksIn(db: TestDatabase): Promise<string> {
  const [row] = await db.knex('media.media').count<{ count: string }[]>('* as count');
  return formatNumber(Number(row!.count));
}

// A first start loads every dataset in CATALOG_DATA_DIR: here the adapters' small fixtures, so that
// the suite builds the full catalog only once (test/support/database.ts).
const LOADED = 'ingest: every dataset loaded';

describe('the server process', () => {
  const runs: ServerRun[] = [];
  let catalogData: string;

  beforeAll(() => {
    catalogData = fixtureCatalogDataDir();
  });

  afterAll(() => {
    for (const run of runs) if (run.exitCode === null) run.child.kill('SIGKILL');
    fs.rmSync(catalogData, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<ServerRun> {
    const run = await runServer({ PORT: '0', CATALOG_DATA_DIR: catalogData, ...env }, { until: 'listening' });
    runs.push(run);
    if (run.port === undefined) throw new Error(`The server did not start:\n${run.stdout}\n${run.stderr}`);
    return run;
  }

  describe('with DATABASE_URL', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await createEmptyDatabase();
    });

    afterAll(async () => {
      await db.drop();
    });

    it('migrates and loads the datasets into an empty database by itself, serves the home page, and stops cleanly on SIGTERM', async () => {
      const server = await start({ DATABASE_URL: db.url, DEMO_ACCOUNT: 'true' });
      const log = server.stdout;
      expect(log).toContain('migrations applied');
      expect(log).toContain(LOADED);
      // Progress: each dataset as it starts and as it is loaded.
      expect(log.match(/ingest: dataset loaded/g)?.length).toBeGreaterThanOrEqual(5);
      expect(log).toContain('using the PostgreSQL server from DATABASE_URL');
      expect(log).toContain('demo account: sign in as \\"demo\\"');
      const password = new URL(db.url).password;
      expect(log).not.toContain(password || db.url);

      const home = await get(server.port!, '/');
      expect(home.status).toBe(200);
      expect(cheerio.load(home.body)('body').attr('data-page')).toBe('home');
      const size = await worksIn(db);
      expect(Number(size.replace(/,/g, ''))).toBeGreaterThan(20);
      expect(catalogSize(home.body)).toBe(size);
      expect((await get(server.port!, '/healthz')).status).toBe(200);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stdout).toContain('"signal":"SIGTERM"');
      expect(server.stdout).toContain('"msg":"stopped"');
    });
  });

  describe('with WEB_CONCURRENCY=2', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await createEmptyDatabase();
    });

    afterAll(async () => {
      await db.drop();
    });

    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };

    it('prepares the database once, serves from two worker processes, and stops them all on SIGTERM', async () => {
      const server = await start({ DATABASE_URL: db.url, WEB_CONCURRENCY: '2' });
      const log = server.stdout;
      expect(log.match(/migrations applied/g)).toHaveLength(1);
      expect(log.match(new RegExp(LOADED, 'g'))).toHaveLength(1);
      expect(log).toContain('"processes":2');
      const workers = [...log.matchAll(/"pid":(\d+)[^\n]*worker process listening/g)].map((match) => Number(match[1]));
      expect(new Set(workers).size).toBe(2);
      expect(workers.every(alive)).toBe(true);

      const pages = await Promise.all(Array.from({ length: 6 }, () => get(server.port!, '/catalog')));
      expect(pages.map((page) => page.status)).toEqual(Array(6).fill(200));
      expect(catalogSize((await get(server.port!, '/')).body)).toBe(await worksIn(db));

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stdout).toContain('"msg":"stopped"');
      expect(workers.some(alive)).toBe(false);
    });
  });

  describe('on the embedded database', () => {
    let dataDir: string;

    beforeAll(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omt-server-'));
    });

    afterAll(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps its data across a restart and stops the database on Ctrl-C (SIGINT)', async () => {
      const first = await start({ DATA_DIR: dataDir });
      expect(first.stdout).toContain('initialising the embedded PostgreSQL cluster');
      expect(first.stdout).toContain(LOADED);
      const password = fs.readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
      expect(first.stdout).not.toContain(password);
      const size = catalogSize((await get(first.port!, '/')).body);
      expect(Number(size.replace(/,/g, ''))).toBeGreaterThan(20);
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
      // The database went down with the app: no owner left, no server holding the lock file.
      expect(fs.existsSync(path.join(dataDir, 'postgres.owner'))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

      const second = await start({ DATA_DIR: dataDir });
      expect(second.stdout).not.toContain('initialising the embedded PostgreSQL cluster');
      expect(second.stdout).not.toContain('ingest:');
      expect(catalogSize((await get(second.port!, '/')).body)).toBe(size);
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    });
  });
});
