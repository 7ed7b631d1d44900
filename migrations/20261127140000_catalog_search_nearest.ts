import type { Knex } from 'knex';

/**
 * A GiST trigram index on the unaccented title, beside the GIN one: GiST can return titles in
 * order of distance from the text typed (`<<->`), so a search reads only the nearest titles
 * instead of scoring every title that shares a few trigrams with a typo. The default signature
 * (12 bytes) cannot tell titles apart on a large catalog: a search for a string found nowhere read
 * the whole index on a million titles (1.2 s); 256 bytes cut that to 0.27 s, for twice the size.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create index media_title_trgm_gist_idx on media.media using gist (media.immutable_unaccent(title) gist_trgm_ops (siglen = 256))',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index media.media_title_trgm_gist_idx');
}
