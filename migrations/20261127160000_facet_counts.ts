import type { Knex } from 'knex';

/**
 * How many titles each (media type, media class, genre) has, kept by statement triggers, so a
 * catalog filtered by type, class and one genre is counted by summing a few hundred rows instead
 * of walking up to 10,000 matching titles (written + Drama took 43 ms on a million titles; this
 * takes well under 1 ms). Genre '' holds every title of its type and class, with or without
 * genres. A title counts once in each of its rows, so sums over types and classes are exact.
 *
 * The triggers change only rows whose type, class or genres changed, and write every delta of a
 * statement in one INSERT ... ON CONFLICT in key order, so concurrent writers take the counter
 * rows' locks in the same order and cannot deadlock on them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table media.facet_counts (
      media_type text not null references media.media_types (media_type),
      media_class ltree not null,
      genre text not null,
      media_count bigint not null,
      primary key (media_type, media_class, genre)
    );

    -- Each title's facet rows: one with genre '' and one per genre.
    create function media.facets_of(media_type text, media_class ltree, genres text[])
      returns table (media_type text, media_class ltree, genre text)
      language sql immutable parallel safe as $$
      select media_type, media_class, '' union all select media_type, media_class, unnest(genres)
    $$;

    insert into media.facet_counts (media_type, media_class, genre, media_count)
      select f.media_type, f.media_class, f.genre, count(*)
        from media.media m, media.facets_of(m.media_type, m.media_class, m.genres) f
       group by 1, 2, 3;

    create function media.count_facets() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into media.facet_counts as c (media_type, media_class, genre, media_count)
          select f.media_type, f.media_class, f.genre, count(*)
            from added a, media.facets_of(a.media_type, a.media_class, a.genres) f
           group by 1, 2, 3 order by 1, 2, 3
          on conflict (media_type, media_class, genre)
          do update set media_count = c.media_count + excluded.media_count;
      elsif tg_op = 'DELETE' then
        insert into media.facet_counts as c (media_type, media_class, genre, media_count)
          select f.media_type, f.media_class, f.genre, -count(*)
            from removed r, media.facets_of(r.media_type, r.media_class, r.genres) f
           group by 1, 2, 3 order by 1, 2, 3
          on conflict (media_type, media_class, genre)
          do update set media_count = c.media_count + excluded.media_count;
      else
        insert into media.facet_counts as c (media_type, media_class, genre, media_count)
          select d.media_type, d.media_class, d.genre, sum(d.delta)
            from (
              select f.*, -1 as delta
                from removed r join added a using (id),
                     media.facets_of(r.media_type, r.media_class, r.genres) f
               where (r.media_type, r.media_class, r.genres) is distinct from (a.media_type, a.media_class, a.genres)
              union all
              select f.*, 1
                from removed r join added a using (id),
                     media.facets_of(a.media_type, a.media_class, a.genres) f
               where (r.media_type, r.media_class, r.genres) is distinct from (a.media_type, a.media_class, a.genres)
            ) d
           group by 1, 2, 3 having sum(d.delta) <> 0 order by 1, 2, 3
          on conflict (media_type, media_class, genre)
          do update set media_count = c.media_count + excluded.media_count;
      end if;
      return null;
    end $$;

    create trigger media_facets_inserted after insert on media.media
      referencing new table as added for each statement execute function media.count_facets();
    create trigger media_facets_deleted after delete on media.media
      referencing old table as removed for each statement execute function media.count_facets();
    create trigger media_facets_updated after update on media.media
      referencing old table as removed new table as added
      for each statement execute function media.count_facets();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger media_facets_updated on media.media;
    drop trigger media_facets_deleted on media.media;
    drop trigger media_facets_inserted on media.media;
    drop function media.count_facets();
    drop function media.facets_of(text, ltree, text[]);
    drop table media.facet_counts;
  `);
}
