import type { Knex } from 'knex';

/**
 * Indexes for the catalog's default listing (by title) and its sort by year, so the first page
 * and later pages are read in index order instead of sorting the whole catalog.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index media_title_idx on media.media (title, id);
    create index media_release_date_asc_idx on media.media (release_date, id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index media.media_release_date_asc_idx;
    drop index media.media_title_idx;
  `);
}
