import type { Knex } from 'knex';

/**
 * What happened to each list entry, for a profile's recent activity (and later rewatch history
 * and imports' undo): a row per change, written by a trigger on user_media, so every way in (the
 * list, the home tiles, the media page, scripts, imports) is recorded alike. One change is one row:
 * `fields` names what it changed (status, progress, rating, notes, dates) and the row holds the
 * new status, progress and rating. Notes are never copied here: the log says that notes changed,
 * not what they say. user_id leads the key, as on user_media, so a user's history stays together
 * when the table is distributed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table interaction.list_activity (
      user_id uuid not null references users.users (id) on delete cascade,
      id bigint generated always as identity,
      media_id uuid not null references media.media (id) on delete cascade,
      occurred_at timestamptz not null default now(),
      action text not null check (action in ('added', 'changed', 'removed')),
      fields text[] not null default '{}'
        check (fields <@ array['status', 'progress', 'rating', 'notes', 'dates']),
      status text,
      progress integer,
      rating smallint,
      primary key (user_id, id)
    );
    create index list_activity_user_recent_idx on interaction.list_activity (user_id, occurred_at desc, id desc);
    create index list_activity_media_idx on interaction.list_activity (media_id);

    create function interaction.record_list_activity() returns trigger language plpgsql as $$
    declare
      changed text[] := '{}';
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
      if new.status is distinct from old.status then changed := array_append(changed, 'status'); end if;
      if new.progress is distinct from old.progress then changed := array_append(changed, 'progress'); end if;
      if new.rating is distinct from old.rating then changed := array_append(changed, 'rating'); end if;
      if new.notes is distinct from old.notes then changed := array_append(changed, 'notes'); end if;
      if new.started_at is distinct from old.started_at or new.completed_at is distinct from old.completed_at then
        changed := array_append(changed, 'dates');
      end if;
      if cardinality(changed) > 0 then
        insert into interaction.list_activity (user_id, media_id, action, fields, status, progress, rating)
        values (new.user_id, new.media_id, 'changed', changed, new.status, new.progress, new.rating);
      end if;
      return null;
    end
    $$;

    -- Only writes to what a person changes call it: not meta_snapshot, not updated_at alone.
    create trigger user_media_record_activity
      after insert or delete or update of status, progress, rating, notes, started_at, completed_at
      on interaction.user_media
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
