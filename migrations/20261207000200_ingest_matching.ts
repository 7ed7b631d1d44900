import type { Knex } from 'knex';

/**
 * What the ingest pipeline (src/ingest/pipeline.ts) needs to keep one record per work:
 * - `media.match_key(title)`: a title as works are matched on: unaccented, lower case, "&" as
 *   "and", punctuation and spaces as one space, a leading "the" dropped. In SQL only, so the keys
 *   written and the keys looked up cannot drift apart.
 * - `media.title_keys`: every title a work is known by (its title, original title, translations),
 *   as match keys; a work matches a record on any of them. A trigger keeps a work's title and
 *   original title there however the work is written; the pipeline adds the other titles.
 * - `media.media.field_sources`: which source supplied each field ("title", "attributes.runtime_minutes"…),
 *   so a source overwrites only what it supplied or what it ranks above.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function media.match_key(title text) returns text
      language sql immutable parallel safe strict
      as $$
        select regexp_replace(
                 btrim(regexp_replace(replace(lower(media.immutable_unaccent(title)), '&', ' and '),
                                      '[[:punct:][:space:]]+', ' ', 'g')),
                 '^the ', '')
      $$;

    create table media.title_keys (
      title_key text not null check (title_key <> ''),
      media_id uuid not null references media.media (id) on delete cascade on update cascade,
      primary key (title_key, media_id)
    );
    create index title_keys_media_idx on media.title_keys (media_id);

    insert into media.title_keys (title_key, media_id)
    select distinct media.match_key(t.title), t.id
      from (select id, title from media.media
            union all select id, original_title from media.media where original_title is not null) t
     where media.match_key(t.title) <> '';

    -- However a work is written (the seed, the pipeline, an administrator), its title and original
    -- title are titles it is known by; a former title stays one.
    create function media.keep_title_keys() returns trigger
      language plpgsql
      as $$
      begin
        insert into media.title_keys (title_key, media_id)
        select distinct media.match_key(t), new.id
          from unnest(array[new.title, new.original_title]) as t
         where t is not null and media.match_key(t) <> ''
        on conflict do nothing;
        return null;
      end;
      $$;
    create trigger media_title_keys after insert or update of title, original_title on media.media
      for each row execute function media.keep_title_keys();

    alter table media.media add column field_sources jsonb not null default '{}';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table media.media drop column field_sources;
    drop trigger media_title_keys on media.media;
    drop function media.keep_title_keys();
    drop table media.title_keys;
    drop function media.match_key(text);
  `);
}
