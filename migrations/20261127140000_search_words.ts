import type { Knex } from 'knex';

/**
 * The words of the catalog (every lexeme of every search_vector: titles, original titles and
 * creators) with how many titles use each, kept by statement triggers. A search corrects a typed
 * word that starts no word of the catalog to the nearest words here (trigram similarity on a
 * small table, as pg_trgm's documentation suggests for spelling), then searches with full text:
 * a typo never makes Postgres compare the text typed with every title.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table media.search_words (
      word text primary key,
      titles bigint not null check (titles >= 0)
    );
    -- "Does any word start with what was typed?" reads this in order; % reads the trigram index.
    create index search_words_prefix_idx on media.search_words (word text_pattern_ops);
    create index search_words_trgm_idx on media.search_words using gin (word gin_trgm_ops);
    -- Titles that are, or start with, exactly what was typed: always among a search's candidates.
    create index media_title_prefix_idx on media.media (lower(media.immutable_unaccent(title)) text_pattern_ops);

    insert into media.search_words (word, titles)
      select lexeme, count(*) from media.media, unnest(search_vector) group by lexeme;
    analyze media.search_words;

    -- Counts the words of "added" up and of "removed" down; a word no title uses any more goes.
    -- Bitmap scans off: the trigram index also answers "=", and without statistics the planner
    -- would probe it once per word (over a minute for 16,000 titles) instead of the primary key.
    create function media.apply_search_words(removed text[], added text[]) returns void
      language sql set enable_bitmapscan = off as $$
      -- Subtract, then delete what reached zero: the delete sees the update's result, so two
      -- transactions removing the same word's last titles at once cannot both miss it.
      update media.search_words w set titles = w.titles - gone.n
        from (select word, count(*) as n from unnest(removed) as word group by word) gone
       where w.word = gone.word;
      delete from media.search_words w
       using (select distinct word from unnest(removed) as word) gone
       where w.word = gone.word and w.titles <= 0;
      insert into media.search_words as w (word, titles)
        select word, count(*) from unnest(added) as word group by word
        on conflict (word) do update set titles = w.titles + excluded.titles;
    $$;

    create function media.words_of_inserted_media() returns trigger language plpgsql as $$
    begin
      perform media.apply_search_words('{}', array(select lexeme from added, unnest(added.search_vector)));
      return null;
    end $$;

    create function media.words_of_deleted_media() returns trigger language plpgsql as $$
    begin
      perform media.apply_search_words(array(select lexeme from removed, unnest(removed.search_vector)), '{}');
      return null;
    end $$;

    -- Only rows whose words changed count: a popularity change touches no word.
    create function media.words_of_updated_media() returns trigger language plpgsql as $$
    begin
      perform media.apply_search_words(
        array(select lexeme from removed r join added a using (id), unnest(r.search_vector)
               where r.search_vector <> a.search_vector),
        array(select lexeme from removed r join added a using (id), unnest(a.search_vector)
               where r.search_vector <> a.search_vector));
      return null;
    end $$;

    create trigger media_words_inserted after insert on media.media
      referencing new table as added for each statement execute function media.words_of_inserted_media();
    create trigger media_words_deleted after delete on media.media
      referencing old table as removed for each statement execute function media.words_of_deleted_media();
    create trigger media_words_updated after update on media.media
      referencing old table as removed new table as added
      for each statement execute function media.words_of_updated_media();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger media_words_updated on media.media;
    drop trigger media_words_deleted on media.media;
    drop trigger media_words_inserted on media.media;
    drop function media.words_of_updated_media();
    drop function media.words_of_deleted_media();
    drop function media.words_of_inserted_media();
    drop function media.apply_search_words(text[], text[]);
    drop table media.search_words;
    drop index media.media_title_prefix_idx;
  `);
}
