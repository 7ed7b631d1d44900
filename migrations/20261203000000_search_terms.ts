import type { Knex } from 'knex';

/**
 * media.search_terms: the catalog's words again, one row per word of each title (every lexeme of
 * its search_vector), kept by statement triggers like media.search_words. It answers "some titles
 * with this word" from a B-tree that the search can stop reading after the titles it ranks.
 *
 * The GIN index on search_vector answers any text query, but only whole: a word in 20,000 titles
 * costs about 5 ms of bitmap before the first title comes back, however few the search then
 * ranks (docs/benchmarks.md). Read in this key's order, the titles come best first by a measure
 * that needs no ranking: those with the word in their own title before those with it only in the
 * original title or the creators, and shorter titles (where the word is more of the title) before
 * longer ones.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Where a word stands in a title: 0 in the title itself, 1 only in the original title, 2 only
    -- in the creators; times 1,000, plus the title's length up to 999. Lower is read first.
    create function media.search_term_place(title text, weights text[]) returns smallint
      language sql immutable parallel safe as $$
        select ((case when 'A' = any(weights) then 0 when 'B' = any(weights) then 1 else 2 end) * 1000
                + least(length(title), 999))::smallint
      $$;

    -- Words in byte order (collation "C"), so the titles of every word a prefix starts are one
    -- range of the key, whatever the database's collation.
    create table media.search_terms (
      word text collate "C" not null,
      place smallint not null,
      media_id uuid not null
    );
    insert into media.search_terms (word, place, media_id)
      select w.lexeme, media.search_term_place(m.title, w.weights), m.id
        from media.media m, unnest(m.search_vector) as w;
    alter table media.search_terms add primary key (word, place, media_id);
    analyze media.search_terms;

    create function media.terms_of_inserted_media() returns trigger language plpgsql as $$
    begin
      insert into media.search_terms (word, place, media_id)
        select w.lexeme, media.search_term_place(a.title, w.weights), a.id
          from added a, unnest(a.search_vector) as w;
      return null;
    end $$;

    create function media.terms_of_deleted_media() returns trigger language plpgsql as $$
    begin
      delete from media.search_terms t
       using (select w.lexeme, media.search_term_place(r.title, w.weights) as place, r.id
                from removed r, unnest(r.search_vector) as w) gone
       where t.word = gone.lexeme and t.place = gone.place and t.media_id = gone.id;
      return null;
    end $$;

    -- Only rows whose words or title length changed count (a popularity change touches no term):
    -- an old row with no new row of the same id, words and length loses its terms, and a new row
    -- with no such old row gains them, so a change of id moves them too.
    create function media.terms_of_updated_media() returns trigger language plpgsql as $$
    begin
      delete from media.search_terms t
       using (select w.lexeme, media.search_term_place(r.title, w.weights) as place, r.id
                from removed r, unnest(r.search_vector) as w
               where not exists (select 1 from added a where a.id = r.id and a.search_vector = r.search_vector
                                                       and length(a.title) = length(r.title))) gone
       where t.word = gone.lexeme and t.place = gone.place and t.media_id = gone.id;
      insert into media.search_terms (word, place, media_id)
        select w.lexeme, media.search_term_place(a.title, w.weights), a.id
          from added a, unnest(a.search_vector) as w
         where not exists (select 1 from removed r where r.id = a.id and r.search_vector = a.search_vector
                                                   and length(r.title) = length(a.title));
      return null;
    end $$;

    create trigger media_terms_inserted after insert on media.media
      referencing new table as added for each statement execute function media.terms_of_inserted_media();
    create trigger media_terms_deleted after delete on media.media
      referencing old table as removed for each statement execute function media.terms_of_deleted_media();
    create trigger media_terms_updated after update on media.media
      referencing old table as removed new table as added
      for each statement execute function media.terms_of_updated_media();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger media_terms_updated on media.media;
    drop trigger media_terms_deleted on media.media;
    drop trigger media_terms_inserted on media.media;
    drop function media.terms_of_updated_media();
    drop function media.terms_of_deleted_media();
    drop function media.terms_of_inserted_media();
    drop table media.search_terms;
    drop function media.search_term_place(text, text[]);
  `);
}
