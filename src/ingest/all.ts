import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { ADAPTERS } from './adapters';
import { catalogHasWorks, sourcesWithJobs } from './load-queries';
import { runIngest, type IngestSummary } from './pipeline';
import type { SourceAdapter } from './source';

/**
 * Every shipped dataset through the pipeline, in ADAPTERS' order (sources whose ids others carry
 * first): what `npm start` does on an empty catalog, `npm run seed`, and the test suite's full
 * catalog. Each source is a job of its own, logged as it starts and finishes. A dataset whose
 * files are not in `dataDir` is skipped with a warning (a trimmed or fixture data folder).
 */
export async function ingestAll(
  knex: Knex,
  logger: Logger,
  options: { dataDir: string; adapters?: readonly SourceAdapter[] },
): Promise<{ source: string; summary: IngestSummary; ms: number }[]> {
  const adapters = options.adapters ?? ADAPTERS;
  const done: { source: string; summary: IngestSummary; ms: number }[] = [];
  const started = Date.now();
  for (const [index, adapter] of adapters.entries()) {
    const step = `${index + 1}/${adapters.length}`;
    const files = adapter.defaultFiles(options.dataDir).filter((file) => fs.existsSync(file));
    if (files.length === 0) {
      logger.warn({ source: adapter.name, step, dataDir: options.dataDir }, 'ingest: dataset not found, skipped');
      continue;
    }
    const begun = Date.now();
    logger.info({ source: adapter.name, step }, 'ingest: loading a dataset');
    const { summary } = await runIngest(knex, adapter, files, logger);
    const ms = Date.now() - begun;
    done.push({ source: adapter.name, summary, ms });
    logger.info({ source: adapter.name, step, ...summary, ms }, 'ingest: dataset loaded');
  }
  logger.info({ sources: done.length, ms: Date.now() - started }, 'ingest: every dataset loaded');
  return done;
}

/**
 * The sources a start should load: all of them into an empty catalog; after a start that was
 * stopped part-way (or an upgrade that ships a new dataset), those never loaded in full. A catalog
 * that no ingest job ever wrote (one loaded by an older release's seed) is left as it is:
 * `npm run seed` loads the datasets into it on request.
 */
export async function sourcesToLoad(
  knex: Knex,
  adapters: readonly SourceAdapter[] = ADAPTERS,
): Promise<readonly SourceAdapter[]> {
  if (!(await catalogHasWorks(knex))) return adapters;
  const jobs = await sourcesWithJobs(knex);
  if (jobs.length === 0) return [];
  const loaded = new Set(jobs.filter((job) => job.succeeded).map((job) => job.source));
  return adapters.filter((adapter) => !loaded.has(adapter.name));
}
