import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { ADAPTERS } from '../../src/ingest/adapters';
import { ingestAll, sourcesToLoad } from '../../src/ingest/all';
import { fixtureCatalogDataDir } from '../support/catalog-data';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { capturedLogger } from '../support/logs';

/**
 * Loading every dataset, as a first start does: which sources a start loads (all into an empty
 * catalog, the rest after a start stopped part-way, none into a catalog no ingest wrote), and a
 * second load of the same files changing nothing. The datasets are the adapters' fixtures, laid
 * out as seeds/data/raw is.
 */

let db: TestDatabase;
let knex: Knex;
let dataDir: string;

beforeAll(async () => {
  db = await createEmptyDatabase();
  knex = db.knex;
  await knex.migrate.latest();
  dataDir = fixtureCatalogDataDir();
});

afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await knex.raw('truncate media.media, ingest.import_jobs, ingest.sources cascade');
});

const names = (adapters: readonly { name: string }[]) => adapters.map((adapter) => adapter.name);
const quiet = () => capturedLogger('info');

it('loads every source into an empty catalog, logs its progress, and a second load changes nothing', async () => {
  expect(names(await sourcesToLoad(knex))).toEqual(names(ADAPTERS));
  const { logger, lines } = quiet();
  const first = await ingestAll(knex, logger, { dataDir });
  const present = ADAPTERS.filter((adapter) => adapter.defaultFiles(dataDir).some((file) => fs.existsSync(file)));
  expect(names(first.map((run) => ({ name: run.source })))).toEqual(names(present));
  // A works source makes works; an ids-only one (an id map, sequel rules) only adds to them, and
  // its fixture names works of its own tests, not the other fixtures'.
  for (const run of first) {
    const adapter = ADAPTERS.find((known) => known.name === run.source)!;
    expect(run.summary.records).toBeGreaterThan(0);
    if (adapter.kind !== 'ids') expect(run.summary.inserted).toBeGreaterThan(0);
  }
  expect(lines.filter((line) => line.msg === 'ingest: dataset loaded').map((line) => line.step)).toEqual(
    present.map((adapter) => `${ADAPTERS.indexOf(adapter) + 1}/${ADAPTERS.length}`),
  );
  expect(await sourcesToLoad(knex)).toEqual(ADAPTERS.filter((adapter) => !present.includes(adapter)));

  const before = await knex('media.media').count<{ count: string }[]>('* as count');
  const second = await ingestAll(knex, quiet().logger, { dataDir });
  for (const run of second) expect(run.summary).toMatchObject({ inserted: 0, updated: 0, removed: 0 });
  expect(await knex('media.media').count('* as count')).toEqual(before);
});

it('skips a dataset whose files are missing, with a warning', async () => {
  const trimmed = fs.mkdtempSync(path.join(path.dirname(dataDir), 'omt-trimmed-'));
  try {
    fs.cpSync(path.join(dataDir, 'goodbooks-10k'), path.join(trimmed, 'goodbooks-10k'), { recursive: true });
    const { logger, lines } = quiet();
    const runs = await ingestAll(knex, logger, { dataDir: trimmed });
    expect(runs.map((run) => run.source)).toEqual(['goodbooks-10k']);
    const skipped = lines.filter((line) => line.msg === 'ingest: dataset not found, skipped');
    expect(skipped.map((line) => line.source)).toEqual(
      names(ADAPTERS.filter((adapter) => adapter.name !== 'goodbooks-10k')),
    );
  } finally {
    fs.rmSync(trimmed, { recursive: true, force: true });
  }
});

it('after a first load stopped part-way, loads only the sources not loaded in full', async () => {
  const [done, interrupted] = ADAPTERS;
  await ingestAll(knex, quiet().logger, { dataDir, adapters: [done!] });
  // The second source's job was running when the process stopped: it never succeeded.
  await knex('ingest.sources').insert({ name: interrupted!.name, label: interrupted!.label });
  await knex('ingest.import_jobs').insert({ source_name: interrupted!.name, status: 'running' });
  expect(names(await sourcesToLoad(knex))).toEqual(names(ADAPTERS.slice(1)));
});

it('leaves alone a catalog that no ingest job wrote (an older release seeded it)', async () => {
  await knex('media.media').insert({ media_type: 'movie', media_class: 'video.film', title: 'Seeded before' });
  expect(await sourcesToLoad(knex)).toEqual([]);
});
