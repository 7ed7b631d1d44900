import type { Knex } from 'knex';

/**
 * The catalog's search reads media.title_keys (every title a work is known by: its title, original
 * title, translations, fuller titles) by the start of a key, in the keys' byte order: a search for
 * "进击的巨人" or "lord of the rings" finds the works known by that title, or by one that starts
 * with it, whatever their own title's words are (src/catalog/candidate-queries.ts). The primary
 * key (title_key, media_id) is in the database's collation, where a prefix need not be one range;
 * this index is in byte order (text_pattern_ops), with the work's id so the scan reads no table.
 *
 * It replaces the index of titles by their start (media_title_key_idx, 20261203000100_title_key),
 * which the search read before and nothing reads now: a work's title is among its keys. A title
 * written costs one B-tree entry per key instead of one per title, so writes stay where they were.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index title_keys_prefix_idx on media.title_keys (title_key text_pattern_ops, media_id);
    drop index media.media_title_key_idx;
    analyze media.title_keys;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create index media_title_key_idx on media.media (title_key text_pattern_ops);
    drop index media.title_keys_prefix_idx;
  `);
}
