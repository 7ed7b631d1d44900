import type { Knex } from 'knex';

/**
 * Extensions the model needs (ltree for class and franchise paths, pg_trgm for typo-tolerant
 * search, citext for case-insensitive names, unaccent so "nausicaa" finds "Nausicaä") and the
 * schemas that keep canonical metadata, identity, user data, auth and imports apart.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create extension if not exists ltree;
    create extension if not exists pg_trgm;
    create extension if not exists citext;
    create extension if not exists unaccent;

    create schema media;
    create schema users;
    create schema interaction;
    create schema auth;
    create schema ingest;

    -- One trigger function keeps every updated_at honest, whoever writes the row.
    create function public.touch_updated_at() returns trigger language plpgsql as $$
    begin
      new.updated_at := now();
      return new;
    end;
    $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function public.touch_updated_at();
    drop schema ingest;
    drop schema auth;
    drop schema interaction;
    drop schema users;
    drop schema media;
  `);
  // The extensions stay: the database may have had them before, and other schemas may use them.
}
