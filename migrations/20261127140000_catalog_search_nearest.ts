import type { Knex } from 'knex';

/**
 * A GiST trigram index on the unaccented title, beside the GIN one: GiST can return titles in
 * order of distance from the text typed (`<<->`), so a search reads only the nearest titles
 * instead of scoring every title that shares a few trigrams with a typo.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create index media_title_trgm_gist_idx on media.media using gist (media.immutable_unaccent(title) gist_trgm_ops)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index media.media_title_trgm_gist_idx');
}
