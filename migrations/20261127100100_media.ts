import type { Knex } from 'knex';

/**
 * Canonical media metadata: one record per item, external ids as the "Rosetta stone" that
 * de-duplicates across sources, and typed media-to-media relationships whose inverses are
 * defined in one table so both directions are always written together.
 */
export async function up(knex: Knex): Promise<void> {
  // Managed hosts may keep extensions in a schema of their own: find where unaccent lives.
  const { rows } = await knex.raw<{ rows: { schema: string }[] }>(
    "select quote_ident(n.nspname) as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'unaccent'",
  );
  const unaccentSchema = rows[0]?.schema ?? 'public';
  await knex.raw(`
    -- unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes it
    -- safe to use in a generated column and in an expression index.
    create function media.immutable_unaccent(value text) returns text
      language sql immutable parallel safe strict
      as $$ select ${unaccentSchema}.unaccent('${unaccentSchema}.unaccent'::regdictionary, value) $$;

    create function media.search_document(title text, original_title text, creators text[])
      returns tsvector language sql immutable parallel safe
      as $$
        select setweight(to_tsvector('simple', media.immutable_unaccent(coalesce(title, ''))), 'A')
            || setweight(to_tsvector('simple', media.immutable_unaccent(coalesce(original_title, ''))), 'B')
            || setweight(to_tsvector('simple', media.immutable_unaccent(coalesce(array_to_string(creators, ' '), ''))), 'C')
      $$;

    create table media.media_types (
      media_type text primary key check (media_type ~ '^[a-z][a-z_]*$'),
      label text not null,
      plural_label text not null,
      default_class ltree not null,
      progress_unit text not null check (progress_unit in ('episodes', 'chapters', 'pages', 'minutes', 'hours', 'items')),
      position smallint not null
    );

    insert into media.media_types (media_type, label, plural_label, default_class, progress_unit, position) values
      ('movie', 'Movie', 'Movies', 'video.film', 'minutes', 1),
      ('tv', 'TV series', 'TV series', 'video.series', 'episodes', 2),
      ('anime', 'Anime', 'Anime', 'video.series.anime', 'episodes', 3),
      ('manga', 'Manga', 'Manga', 'written.comic.manga', 'chapters', 4),
      ('book', 'Book', 'Books', 'written.book', 'pages', 5),
      ('web_novel', 'Web novel', 'Web novels', 'written.books.webnovel', 'chapters', 6),
      ('game', 'Game', 'Games', 'interactive.game', 'hours', 7),
      ('visual_novel', 'Visual novel', 'Visual novels', 'interactive.game.visual_novel', 'hours', 8),
      ('podcast', 'Podcast', 'Podcasts', 'audio.podcast', 'episodes', 9);

    create table media.media (
      id uuid primary key default gen_random_uuid(),
      media_type text not null references media.media_types (media_type),
      media_class ltree not null,
      title text not null check (length(btrim(title)) between 1 and 500),
      original_title text check (length(original_title) <= 500),
      release_date date,
      release_date_precision text not null default 'day'
        check (release_date_precision in ('year', 'month', 'day')),
      country_of_origin text check (country_of_origin ~ '^[A-Z]{2}$'),
      creators text[] not null default '{}',
      attributes jsonb not null default '{}' check (jsonb_typeof(attributes) = 'object'),
      collection_path ltree,
      search_vector tsvector not null
        generated always as (media.search_document(title, original_title, creators)) stored,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create trigger media_touch_updated_at before update on media.media
      for each row execute function public.touch_updated_at();

    create index media_search_vector_idx on media.media using gin (search_vector);
    create index media_title_trgm_idx on media.media using gin (media.immutable_unaccent(title) gin_trgm_ops);
    create index media_class_idx on media.media using gist (media_class);
    create index media_collection_path_idx on media.media using gist (collection_path);
    create index media_type_release_date_idx on media.media (media_type, release_date);
    -- Newest releases first, across types (the home page).
    create index media_release_date_idx on media.media (release_date desc, id) where release_date is not null;
    create index media_created_at_idx on media.media (created_at desc, id);

    create table media.external_links (
      media_id uuid not null references media.media (id) on delete cascade,
      source_name text not null check (source_name ~ '^[a-z][a-z0-9_]*$'),
      external_key text not null check (length(external_key) between 1 and 500),
      created_at timestamptz not null default now(),
      primary key (source_name, external_key)
    );
    create index external_links_media_id_idx on media.external_links (media_id);

    create table media.relationship_kinds (
      kind text primary key check (kind ~ '^[a-z][a-z_]*$'),
      inverse_kind text not null,
      label text not null,
      position smallint not null
    );

    insert into media.relationship_kinds (kind, inverse_kind, label, position) values
      ('sequel', 'prequel', 'Sequel', 1),
      ('prequel', 'sequel', 'Prequel', 2),
      ('adaptation', 'source', 'Adaptation', 3),
      ('source', 'adaptation', 'Source', 4),
      ('side_story', 'parent_story', 'Side story', 5),
      ('parent_story', 'side_story', 'Parent story', 6),
      ('spin_off', 'spin_off_of', 'Spin-off', 7),
      ('spin_off_of', 'spin_off', 'Spin-off of', 8),
      ('remake', 'remake_of', 'Remake', 9),
      ('remake_of', 'remake', 'Remake of', 10),
      ('summary', 'full_story', 'Summary', 11),
      ('full_story', 'summary', 'Full story', 12),
      ('alternative', 'alternative', 'Alternative version', 13),
      ('shares_characters', 'shares_characters', 'Shares characters', 14),
      ('other', 'other', 'Other', 15);

    alter table media.relationship_kinds
      add constraint relationship_kinds_inverse_fk foreign key (inverse_kind) references media.relationship_kinds (kind);

    -- A row (A, kind, B) reads "B is the <kind> of A": (A, sequel, B) means B follows A.
    create table media.relationships (
      source_id uuid not null references media.media (id) on delete cascade,
      kind text not null references media.relationship_kinds (kind),
      target_id uuid not null references media.media (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (source_id, kind, target_id),
      constraint relationships_no_self_link check (source_id <> target_id)
    );
    create index relationships_target_id_idx on media.relationships (target_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table media.relationships;
    drop table media.relationship_kinds;
    drop table media.external_links;
    drop table media.media;
    drop table media.media_types;
    drop function media.search_document(text, text, text[]);
    drop function media.immutable_unaccent(text);
  `);
}
