import type { Knex } from 'knex';

/** The SQL behind which sources a start loads (src/ingest/all.ts, sourcesToLoad). */

export async function catalogHasWorks(knex: Knex): Promise<boolean> {
  const row = await knex('media.media').select(knex.raw('1')).first<Record<string, unknown> | undefined>();
  return row !== undefined;
}

/** Every source with an ingest job, and whether one of its jobs succeeded. */
export function sourcesWithJobs(knex: Knex): Promise<{ source: string; succeeded: boolean }[]> {
  return knex('ingest.import_jobs')
    .select<{ source: string; succeeded: boolean }[]>(
      'source_name as source',
      knex.raw(`bool_or(status = 'succeeded') as succeeded`),
    )
    .groupBy('source_name');
}
