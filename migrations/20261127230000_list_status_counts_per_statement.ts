import type { Knex } from 'knex';

/**
 * interaction.list_status_counts is kept per statement instead of per row, and can be recounted.
 *
 * Per row, a statement that changed many entries (an import, a bulk status change) wrote the
 * counts once per entry, in the order the entries came: two such statements over one user's list
 * could lock two counts in opposite orders and deadlock, and a thousand-entry import wrote a
 * thousand times. Per statement, the triggers read the entries the statement changed (transition
 * tables), add up the change per user and status, and write each count once, in (user, status)
 * order: each trigger call locks its counts in the same order as any other. (An upsert that
 * changes a status runs the insert trigger and the update trigger one after the other, and a
 * transaction of several statements locks in the order of its statements: both can still meet
 * another writer the other way round.)
 *
 * An UPDATE trigger with transition tables cannot name its columns, so the update trigger runs
 * for every update (a rating, say) and finds nothing to write when no status or user changed.
 *
 * interaction.recount_list_statuses(user) rebuilds the counts from the entries, for one user or
 * for everyone (null): for a load made with triggers off, or counts found drifting. It locks the
 * entries against writes while it counts (`npm run recount`).
 *
 * The per-row function of the previous migration stays for `down`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger user_media_count_statuses on interaction.user_media;

    -- changes: [{user_id, status, delta}], one per user and status; written in that order.
    create function interaction.apply_list_status_changes(changes jsonb) returns void
    language plpgsql as $$
    declare
      change record;
    begin
      for change in
        select c.user_id, c.status, c.delta
          from jsonb_to_recordset(changes) as c(user_id uuid, status text, delta integer)
         where c.delta <> 0
         order by c.user_id, c.status
      loop
        if change.delta > 0 then
          insert into interaction.list_status_counts as counts (user_id, status, entries)
          values (change.user_id, change.status, change.delta)
          on conflict (user_id, status) do update set entries = counts.entries + excluded.entries;
        else
          -- Never below zero, and never a new row: counts that drifted must not make the user's
          -- edits fail, and an account being deleted must not get counts back.
          update interaction.list_status_counts set entries = greatest(entries + change.delta, 0)
           where user_id = change.user_id and status = change.status;
        end if;
      end loop;
    end
    $$;

    -- Each trigger adds up its statement's change per user and status before handing it on. An
    -- insert's new entries and a removal's old ones go by the same name, "entries".
    create function interaction.count_added_or_removed_list_statuses() returns trigger language plpgsql as $$
    begin
      perform interaction.apply_list_status_changes((
        select jsonb_agg(jsonb_build_object('user_id', user_id, 'status', status,
                                            'delta', case when tg_op = 'INSERT' then total else -total end))
          from (select user_id, status, count(*) as total from entries group by user_id, status) as totals));
      return null;
    end
    $$;

    create function interaction.count_changed_list_statuses() returns trigger language plpgsql as $$
    begin
      perform interaction.apply_list_status_changes((
        select jsonb_agg(jsonb_build_object('user_id', user_id, 'status', status, 'delta', delta))
          from (select user_id, status, sum(delta) as delta
                  from (select user_id, status, 1 as delta from after_change
                        union all
                        select user_id, status, -1 from before_change) as changes
                 group by user_id, status
                having sum(delta) <> 0) as totals));
      return null;
    end
    $$;

    create trigger user_media_count_added_statuses
      after insert on interaction.user_media referencing new table as entries
      for each statement execute function interaction.count_added_or_removed_list_statuses();
    create trigger user_media_count_changed_statuses
      after update on interaction.user_media referencing old table as before_change new table as after_change
      for each statement execute function interaction.count_changed_list_statuses();
    create trigger user_media_count_removed_statuses
      after delete on interaction.user_media referencing old table as entries
      for each statement execute function interaction.count_added_or_removed_list_statuses();

    create function interaction.recount_list_statuses(only_user uuid) returns void
    language plpgsql as $$
    begin
      -- No entry may change between the count and its writing: writes to the list wait.
      lock table interaction.user_media in share row exclusive mode;
      delete from interaction.list_status_counts where only_user is null or user_id = only_user;
      insert into interaction.list_status_counts (user_id, status, entries)
      select user_id, status, count(*) from interaction.user_media
       where only_user is null or user_id = only_user
       group by user_id, status;
    end
    $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function interaction.recount_list_statuses(uuid);
    drop trigger user_media_count_removed_statuses on interaction.user_media;
    drop trigger user_media_count_changed_statuses on interaction.user_media;
    drop trigger user_media_count_added_statuses on interaction.user_media;
    drop function interaction.count_changed_list_statuses();
    drop function interaction.count_added_or_removed_list_statuses();
    drop function interaction.apply_list_status_changes(jsonb);
    create trigger user_media_count_statuses
      after insert or delete or update of status, user_id
      on interaction.user_media
      for each row execute function interaction.count_list_statuses();
  `);
}
