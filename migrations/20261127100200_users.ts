import type { Knex } from 'knex';

/** Identity and configuration only: who a user is and how they want the app to behave. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table users.users (
      id uuid primary key default gen_random_uuid(),
      username citext not null unique
        check (username ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$'),
      email citext not null unique
        check (length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
      password_hash text not null,
      role text not null default 'member' check (role in ('member', 'admin')),
      last_sign_in_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create trigger users_touch_updated_at before update on users.users
      for each row execute function public.touch_updated_at();

    create table users.preferences (
      user_id uuid primary key references users.users (id) on delete cascade,
      theme text not null default 'system' check (theme in ('system', 'light', 'dark', 'high-contrast')),
      rating_scale text not null default 'ten_point'
        check (rating_scale in ('five_star', 'ten_point', 'hundred_point')),
      profile_visibility text not null default 'public' check (profile_visibility in ('public', 'private')),
      -- null means "the default columns"; a list means the user chose.
      catalog_columns text[],
      list_columns text[],
      updated_at timestamptz not null default now()
    );
    create trigger preferences_touch_updated_at before update on users.preferences
      for each row execute function public.touch_updated_at();

    -- Settings that do not earn a column of their own (import defaults, notification choices...).
    create table users.settings (
      user_id uuid not null references users.users (id) on delete cascade,
      key text not null check (key ~ '^[a-z][a-z0-9_.]{0,62}$'),
      value jsonb not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, key)
    );
    create trigger settings_touch_updated_at before update on users.settings
      for each row execute function public.touch_updated_at();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table users.settings;
    drop table users.preferences;
    drop table users.users;
  `);
}
