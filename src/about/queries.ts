import type { Knex } from 'knex';

/**
 * How many works carry each of these keys as their own id in media.external_links (the adapters'
 * `keyName`s): the works each source describes. One count per key, each a range of the primary key
 * (source_name, external_key), so the page reads the sources' own ids and never the whole table
 * (which also holds every other catalog's ids). Keys no work carries count 0.
 */
export async function countWorksByKey(knex: Knex, keyNames: readonly string[]): Promise<Map<string, number>> {
  if (keyNames.length === 0) return new Map();
  const { rows } = await knex.raw<{ rows: { key_name: string; works: string }[] }>(
    `select k.key_name, (select count(*) from media.external_links e where e.source_name = k.key_name) as works
     from unnest(array[${keyNames.map(() => '?').join(', ')}]::text[]) as k(key_name)`,
    [...keyNames],
  );
  return new Map(rows.map((row) => [row.key_name, Number(row.works)]));
}

/**
 * When each of these sources last finished loading into the catalog: its newest succeeded import
 * job. A user's own list import (user_id set) and a dry run load nothing into the catalog, so they
 * do not count. Sources never loaded are left out of the map.
 */
export async function lastLoadedBySource(knex: Knex, sourceNames: readonly string[]): Promise<Map<string, Date>> {
  if (sourceNames.length === 0) return new Map();
  const rows = await knex('ingest.import_jobs')
    .select<{ source_name: string; loaded_at: Date }[]>(
      'source_name',
      knex.raw('max(coalesce(finished_at, created_at)) as loaded_at'),
    )
    .whereIn('source_name', sourceNames)
    .where({ status: 'succeeded', dry_run: false })
    .whereNull('user_id')
    .groupBy('source_name');
  return new Map(rows.map((row) => [row.source_name, row.loaded_at]));
}
