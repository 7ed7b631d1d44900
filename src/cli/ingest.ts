import { ADAPTERS, adapterNamed } from '../ingest/adapters';
import { runIngest } from '../ingest/pipeline';
import { runCommand, usageError } from './command';

/**
 * `npm run ingest -- SOURCE [FILE ...]`: takes in a source's dataset (the shipped one, or a newer
 * dump: all of its files), against DATABASE_URL or the embedded server, migrating first. A second
 * run of the same files changes nothing; the job's counts are logged, and kept in
 * ingest.import_jobs with its trail in ingest.import_logs.
 */
const [name, ...files] = process.argv.slice(2);
const adapter = name ? adapterNamed(name) : undefined;
if (!adapter) {
  usageError(
    `usage: npm run ingest -- SOURCE [FILE ...]\n  SOURCE: ${ADAPTERS.map((known) => known.name).join(', ')}\n` +
      '  FILE: a newer dump of the source (all of its files); without one, its files in CATALOG_DATA_DIR (seeds/data/raw)',
  );
} else {
  runCommand(async ({ knex, logger, config }) => {
    await knex.migrate.latest();
    const started = Date.now();
    const given = files.length ? files : adapter.defaultFiles(config.catalogDataDir);
    const { jobId, summary } = await runIngest(knex, adapter, given, logger);
    logger.info({ source: adapter.name, jobId, ...summary, ms: Date.now() - started }, 'ingest finished');
  });
}
