/**
 * `npm run bench:import [-- --rows N] [-- --runs N]`: a list import of N rows (default 20,000),
 * timed step by step on the catalog benchmark's database (a million titles; its first run builds
 * it, see catalog.ts): the upload read and matched into its preview, then applied, then undone
 * (each a step of the queue),
 * `--runs` times (default 3), with the median of each step. Targets: preview under 30 s, apply
 * under 60 s.
 *
 * The file is a Letterboxd `watched.csv` made from the catalog's own films and series (so the
 * rows are matched by title and year, the slow path: films here have no ids a file carries): 85 %
 * as the catalog has them, 10 % a year off (to review), 5 % titles it does not hold. The steps run
 * as the queue's worker runs them (src/imports/worker.ts), in this process.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadDotEnv } from '../../src/config';
import { createKnex, describeDatabase } from '../../src/database/connection';
import { createLogger } from '../../src/logger';
import { insertImportJob } from '../../src/imports/queries';
import { confirmImport, requestUndo } from '../../src/imports/step-queries';
import { runImportSteps } from '../../src/imports/worker';
import { benchUrls, ensureBenchDatabase, prepareCatalog, say, seconds, table, count } from './dataset';

const TARGET_PREVIEW_MS = 30_000;
const TARGET_APPLY_MS = 60_000;

function readOptions() {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '20000' }, runs: { type: 'string', default: '3' } },
  });
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  if (!Number.isInteger(rows) || rows < 1) throw new Error('--rows must be a whole number >= 1');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number >= 1');
  return { rows, runs };
}

const quoted = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

async function main(): Promise<void> {
  const options = readOptions();
  loadDotEnv();
  const logger = createLogger('silent');
  const { adminUrl, benchUrl } = benchUrls();
  say(`database: ${describeDatabase(benchUrl)}`);
  await ensureBenchDatabase(adminUrl, false);
  const knex = createKnex(benchUrl, { poolMax: 5, logger });
  try {
    await prepareCatalog(knex, logger, 1_000_000);
    const { rows: picked } = await knex.raw<{ rows: { title: string; year: number }[] }>(
      `select title, extract(year from release_date)::int as year from media.media
        where media_type in ('movie', 'tv', 'anime') and release_date is not null
        order by md5(id::text) limit ?`,
      [options.rows],
    );
    const lines = ['Date,Name,Year,Letterboxd URI'];
    picked.forEach((work, index) => {
      const kind = index % 20;
      const title = kind === 0 ? `Never Made ${index}` : work.title;
      const year = kind === 1 || kind === 2 ? work.year + 1 : work.year;
      lines.push(`2024-01-01,${quoted(title)},${year},https://boxd.it/bench${index.toString(36)}`);
    });
    const bytes = Buffer.from(lines.join('\n'));
    say(`file: ${count(picked.length)} rows, ${(bytes.length / 1e6).toFixed(1)} MB (watched.csv)`);

    const [user] = await knex('users.users')
      .insert({ username: 'bench_import', email: 'bench_import@bench.invalid', password_hash: 'no-password: bench' })
      .onConflict('username')
      .merge(['email'])
      .returning<{ id: string }[]>('id');
    const userId = user!.id;
    // A clean list: an earlier run's import undone, entries cleared.
    await knex('interaction.user_media').where('user_id', userId).delete();
    await knex('ingest.import_jobs').where('user_id', userId).delete();

    const results: string[][] = [['run', 'preview', 'apply', 'undo', 'added', 'to review', 'not found']];
    const previews: number[] = [];
    const applies: number[] = [];
    for (let run = 1; run <= options.runs; run += 1) {
      const jobId = await insertImportJob(knex, {
        userId,
        sourceName: 'letterboxd',
        options: { mode: 'fill', format: 'letterboxd' },
        fileName: 'watched.csv',
        bytes,
      });
      let started = performance.now();
      await runImportSteps(knex, logger);
      const preview = performance.now() - started;
      const job = await knex('ingest.import_jobs')
        .where('id', jobId)
        .first<{ status: string; summary: Record<string, number>; error: string | null }>('status', 'summary', 'error');
      if (job?.status !== 'ready') throw new Error(`the preview ended ${job?.status}: ${job?.error ?? ''}`);
      await confirmImport(knex, userId, jobId);
      started = performance.now();
      await runImportSteps(knex, logger);
      const apply = performance.now() - started;
      if (!(await requestUndo(knex, userId, jobId))) throw new Error('the import could not be undone');
      started = performance.now();
      await runImportSteps(knex, logger);
      const undo = performance.now() - started;
      previews.push(preview);
      applies.push(apply);
      results.push([
        String(run),
        seconds(preview),
        seconds(apply),
        seconds(undo),
        count(job.summary.add ?? 0),
        count(job.summary.uncertain ?? 0),
        count(job.summary.unmatched ?? 0),
      ]);
      say(`  run ${run}: preview ${seconds(preview)}, apply ${seconds(apply)}, undo ${seconds(undo)}`);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    results.push(['median', seconds(median(previews)), seconds(median(applies)), '', '', '', '']);
    say('');
    for (const line of table(results)) say(line);
    say(
      `\ntargets: preview < ${seconds(TARGET_PREVIEW_MS)} (${median(previews) < TARGET_PREVIEW_MS ? 'met' : 'missed'}), apply < ${seconds(TARGET_APPLY_MS)} (${median(applies) < TARGET_APPLY_MS ? 'met' : 'missed'})`,
    );
  } finally {
    await knex.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:import failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
