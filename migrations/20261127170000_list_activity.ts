import type { Knex } from 'knex';

/**
 * What happened to each list entry, for a profile's recent activity (and later rewatch history
 * and imports' undo): a row per change, written by a trigger on user_media, so every way in (the
 * list, the home tiles, the media page, scripts, imports) is recorded alike. user_id leads the
 * key, as on user_media, so a user's history stays together when the table is distributed.
 * Notes are never copied here: the log says that notes changed, not what they say.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table interaction.list_activity (
      user_id uuid not null references users.users (id) on delete cascade,
      id bigint generated always as identity,
      media_id uuid not null references media.media (id) on delete cascade,
      occurred_at timestamptz not null default now(),
      action text not null check (action in ('added', 'status', 'progress', 'rating', 'notes', 'dates', 'removed')),
      status text,
      progress integer,
      rating smallint,
      primary key (user_id, id)
    );
    create index list_activity_user_recent_idx on interaction.list_activity (user_id, occurred_at desc, id desc);
    create index list_activity_media_idx on interaction.list_activity (media_id);

    create function interaction.record_list_activity() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into interaction.list_activity (user_id, media_id, action, status, progress, rating)
        values (new.user_id, new.media_id, 'added', new.status, new.progress, new.rating);
        return null;
      end if;
      if tg_op = 'DELETE' then
        -- An account being deleted takes its entries with it: there is nobody left to tell.
        if not exists (select 1 from users.users where id = old.user_id) then
          return null;
        end if;
        insert into interaction.list_activity (user_id, media_id, action, status)
        values (old.user_id, old.media_id, 'removed', old.status);
        return null;
      end if;
      if new.status is distinct from old.status then
        insert into interaction.list_activity (user_id, media_id, action, status)
        values (new.user_id, new.media_id, 'status', new.status);
      end if;
      if new.progress is distinct from old.progress then
        insert into interaction.list_activity (user_id, media_id, action, progress)
        values (new.user_id, new.media_id, 'progress', new.progress);
      end if;
      if new.rating is distinct from old.rating then
        insert into interaction.list_activity (user_id, media_id, action, rating)
        values (new.user_id, new.media_id, 'rating', new.rating);
      end if;
      if new.notes is distinct from old.notes then
        insert into interaction.list_activity (user_id, media_id, action) values (new.user_id, new.media_id, 'notes');
      end if;
      if new.started_at is distinct from old.started_at or new.completed_at is distinct from old.completed_at then
        insert into interaction.list_activity (user_id, media_id, action) values (new.user_id, new.media_id, 'dates');
      end if;
      return null;
    end
    $$;

    create trigger user_media_record_activity after insert or update or delete on interaction.user_media
      for each row execute function interaction.record_list_activity();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger user_media_record_activity on interaction.user_media;
    drop function interaction.record_list_activity();
    drop table interaction.list_activity;
  `);
}
