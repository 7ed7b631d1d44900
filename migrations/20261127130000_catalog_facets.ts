import type { Knex } from 'knex';

/**
 * What the catalog's filters, popularity sort and result count read, kept ready so that none of
 * them scans the whole catalog per request:
 * - media classes with labels, for the "Kind" filter (an ltree subtree, e.g. `written`);
 * - `genres`, a text[] pulled out of attributes and GIN-indexed, for the genre filter;
 * - `tracking_count`, how many users track a title, kept by a trigger on user_media;
 * - `type_counts` and `genre_counts`, kept by statement triggers, so the unfiltered count and the
 *   genre choices are a read of a few rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- One spelling for the written subtree: web novels were filed under "books" (plural).
    update media.media_types set default_class = 'written.web_novel' where media_type = 'web_novel';
    update media.media set media_class = 'written.web_novel' where media_class <@ 'written.books.webnovel';

    create table media.media_classes (
      media_class ltree primary key,
      label text not null,
      position smallint not null
    );
    insert into media.media_classes (media_class, label, position) values
      ('video', 'Video: films and series', 1),
      ('video.series', 'Series: TV and anime', 2),
      ('written', 'Written: books, manga, web novels', 3),
      ('written.comic', 'Comics and manga', 4),
      ('interactive', 'Interactive: games, visual novels', 5),
      ('audio', 'Audio: podcasts', 6);

    create function media.genre_list(attributes jsonb) returns text[]
      language sql immutable parallel safe strict
      as $$
        select coalesce(array_agg(distinct genre order by genre), '{}')
          from jsonb_array_elements_text(
            case when jsonb_typeof(attributes -> 'genres') = 'array' then attributes -> 'genres' else '[]' end
          ) as genre
         where btrim(genre) <> ''
      $$;

    alter table media.media
      add column genres text[] not null generated always as (media.genre_list(attributes)) stored,
      add column tracking_count integer not null default 0 check (tracking_count >= 0);

    create index media_genres_idx on media.media using gin (genres);
    create index media_tracking_count_idx on media.media (tracking_count, id);
    create index media_type_title_idx on media.media (media_type, title, id);
    -- The year sort, newest first, with undated titles last.
    create index media_release_date_desc_idx on media.media (release_date desc nulls last, id desc);

    -- A change of popularity is not an edit of the title: leave updated_at alone.
    drop trigger media_touch_updated_at on media.media;
    create trigger media_touch_updated_at before update on media.media
      for each row when (old.tracking_count = new.tracking_count)
      execute function public.touch_updated_at();

    update media.media m
       set tracking_count = counted.users
      from (select media_id, count(*) as users from interaction.user_media group by media_id) counted
     where counted.media_id = m.id;

    create function interaction.count_trackers() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        update media.media set tracking_count = tracking_count - 1 where id = old.media_id;
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        update media.media set tracking_count = tracking_count + 1 where id = new.media_id;
      end if;
      return null;
    end $$;
    create trigger user_media_count_trackers after insert or delete or update of media_id
      on interaction.user_media for each row execute function interaction.count_trackers();

    create table media.type_counts (
      media_type text primary key references media.media_types (media_type),
      media_count bigint not null default 0
    );
    insert into media.type_counts (media_type, media_count)
      select t.media_type, count(m.id) from media.media_types t
        left join media.media m on m.media_type = t.media_type group by t.media_type;

    create table media.genre_counts (
      genre text primary key,
      media_count bigint not null
    );
    insert into media.genre_counts (genre, media_count)
      select genre, count(*) from media.media, unnest(genres) as genre group by genre;

    -- Counts up the rows in "added" and down the rows in "removed"; an update passes only the
    -- rows whose type or genres changed, so a popularity change touches no counter.
    create function media.apply_catalog_counts(removed_types text[], removed_genres text[],
                                               added_types text[], added_genres text[])
      returns void language sql as $$
      update media.type_counts c set media_count = c.media_count - gone.n
        from (select t, count(*) as n from unnest(removed_types) as t group by t) gone
       where c.media_type = gone.t;
      update media.genre_counts c set media_count = c.media_count - gone.n
        from (select g, count(*) as n from unnest(removed_genres) as g group by g) gone
       where c.genre = gone.g;
      delete from media.genre_counts where media_count <= 0 and genre = any(removed_genres);
      insert into media.type_counts as c (media_type, media_count)
        select t, count(*) from unnest(added_types) as t group by t
        on conflict (media_type) do update set media_count = c.media_count + excluded.media_count;
      insert into media.genre_counts as c (genre, media_count)
        select g, count(*) from unnest(added_genres) as g group by g
        on conflict (genre) do update set media_count = c.media_count + excluded.media_count;
    $$;

    create function media.count_inserted_media() returns trigger language plpgsql as $$
    begin
      perform media.apply_catalog_counts('{}', '{}',
        array(select media_type from added), array(select g from added, unnest(added.genres) as g));
      return null;
    end $$;

    create function media.count_deleted_media() returns trigger language plpgsql as $$
    begin
      perform media.apply_catalog_counts(
        array(select media_type from removed), array(select g from removed, unnest(removed.genres) as g), '{}', '{}');
      return null;
    end $$;

    create function media.count_updated_media() returns trigger language plpgsql as $$
    begin
      perform media.apply_catalog_counts(
        array(select r.media_type from removed r join added a using (id)
               where r.media_type <> a.media_type or r.genres <> a.genres),
        array(select g from removed r join added a using (id), unnest(r.genres) as g
               where r.media_type <> a.media_type or r.genres <> a.genres),
        array(select a.media_type from removed r join added a using (id)
               where r.media_type <> a.media_type or r.genres <> a.genres),
        array(select g from removed r join added a using (id), unnest(a.genres) as g
               where r.media_type <> a.media_type or r.genres <> a.genres));
      return null;
    end $$;

    -- A trigger with transition tables takes one event.
    create trigger media_count_inserted after insert on media.media
      referencing new table as added for each statement execute function media.count_inserted_media();
    create trigger media_count_deleted after delete on media.media
      referencing old table as removed for each statement execute function media.count_deleted_media();
    create trigger media_count_updated after update on media.media
      referencing old table as removed new table as added
      for each statement execute function media.count_updated_media();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger media_count_updated on media.media;
    drop trigger media_count_deleted on media.media;
    drop trigger media_count_inserted on media.media;
    drop function media.count_updated_media();
    drop function media.count_deleted_media();
    drop function media.count_inserted_media();
    drop function media.apply_catalog_counts(text[], text[], text[], text[]);
    drop table media.genre_counts;
    drop table media.type_counts;
    drop trigger user_media_count_trackers on interaction.user_media;
    drop function interaction.count_trackers();
    drop trigger media_touch_updated_at on media.media;
    create trigger media_touch_updated_at before update on media.media
      for each row execute function public.touch_updated_at();
    drop index media.media_release_date_desc_idx;
    drop index media.media_type_title_idx;
    alter table media.media drop column tracking_count, drop column genres;
    drop function media.genre_list(jsonb);
    drop table media.media_classes;
    update media.media set media_class = 'written.books.webnovel' where media_class <@ 'written.web_novel';
    update media.media_types set default_class = 'written.books.webnovel' where media_type = 'web_novel';
  `);
}
