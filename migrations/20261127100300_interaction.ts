import type { Knex } from 'knex';

const PARTITIONS = 16;

/**
 * User-specific data, the big and hot tables. user_media is hash-partitioned by user_id so each
 * user's queries touch one partition, and user_id leads every index; the same layout distributes
 * on Citus with user_id as the distribution column.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table interaction.user_media (
      user_id uuid not null references users.users (id) on delete cascade,
      media_id uuid not null references media.media (id) on delete restrict,
      status text not null check (status in ('planning', 'in_progress', 'completed', 'paused', 'dropped')),
      progress integer check (progress >= 0),
      -- Ratings are stored on one internal 1-100 scale and shown on the user's chosen scale.
      rating smallint check (rating between 1 and 100),
      notes text check (length(notes) <= 10000),
      started_at timestamptz,
      completed_at timestamptz,
      meta_snapshot jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (user_id, media_id),
      constraint user_media_completed_after_started
        check (completed_at is null or started_at is null or completed_at >= started_at)
    ) partition by hash (user_id);
  `);
  for (let remainder = 0; remainder < PARTITIONS; remainder += 1) {
    const name = `user_media_p${String(remainder).padStart(2, '0')}`;
    await knex.raw(
      `create table interaction.${name} partition of interaction.user_media
         for values with (modulus ${PARTITIONS}, remainder ${remainder})`,
    );
  }
  await knex.raw(`
    create trigger user_media_touch_updated_at before update on interaction.user_media
      for each row execute function public.touch_updated_at();

    create index user_media_user_status_idx on interaction.user_media (user_id, status);
    create index user_media_user_rating_idx on interaction.user_media (user_id, rating);
    create index user_media_user_updated_idx on interaction.user_media (user_id, updated_at desc);
    create index user_media_unfinished_idx on interaction.user_media (user_id, updated_at desc)
      where status in ('planning', 'in_progress', 'paused');
    -- For "how many users track this" and for the foreign key check when media is deleted.
    create index user_media_media_id_idx on interaction.user_media (media_id);

    create table interaction.user_lists (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users.users (id) on delete cascade,
      name text not null check (length(btrim(name)) between 1 and 100),
      description text check (length(description) <= 2000),
      visibility text not null default 'private' check (visibility in ('public', 'private')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (user_id, name)
    );
    create trigger user_lists_touch_updated_at before update on interaction.user_lists
      for each row execute function public.touch_updated_at();

    create table interaction.list_items (
      list_id uuid not null references interaction.user_lists (id) on delete cascade,
      media_id uuid not null references media.media (id) on delete restrict,
      position integer not null check (position >= 0),
      added_at timestamptz not null default now(),
      primary key (list_id, media_id)
    );
    create index list_items_list_position_idx on interaction.list_items (list_id, position);

    -- A smart list is a saved filter, evaluated when the list is shown.
    create table interaction.smart_lists (
      list_id uuid primary key references interaction.user_lists (id) on delete cascade,
      filter_definition jsonb not null check (jsonb_typeof(filter_definition) = 'object'),
      updated_at timestamptz not null default now()
    );
    create trigger smart_lists_touch_updated_at before update on interaction.smart_lists
      for each row execute function public.touch_updated_at();

    create table interaction.reviews (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users.users (id) on delete cascade,
      media_id uuid not null references media.media (id) on delete restrict,
      body text not null check (length(btrim(body)) between 1 and 20000),
      rating smallint check (rating between 1 and 100),
      contains_spoilers boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (user_id, media_id)
    );
    create index reviews_media_created_idx on interaction.reviews (media_id, created_at desc);
    create trigger reviews_touch_updated_at before update on interaction.reviews
      for each row execute function public.touch_updated_at();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table interaction.reviews;
    drop table interaction.smart_lists;
    drop table interaction.list_items;
    drop table interaction.user_lists;
    drop table interaction.user_media;
  `);
}
