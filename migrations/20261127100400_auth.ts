import type { Knex } from 'knex';

/** Sessions, API tokens and the sign-in audit trail, kept apart from everything else. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- The layout connect-pg-simple expects for its session store.
    create table auth.sessions (
      sid varchar not null primary key,
      sess json not null,
      expire timestamp(6) not null
    );
    create index sessions_expire_idx on auth.sessions (expire);
    -- Finds a user's sessions, to end them all when the password changes.
    create index sessions_user_idx on auth.sessions ((sess -> 'passport' ->> 'user'));

    -- API tokens: only a hash is stored; the token itself is shown once when it is made.
    create table auth.tokens (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users.users (id) on delete cascade,
      name text not null check (length(btrim(name)) between 1 and 100),
      token_hash text not null unique,
      scopes text[] not null default '{}',
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz
    );
    create index tokens_user_id_idx on auth.tokens (user_id);

    create table auth.login_events (
      id bigint generated always as identity primary key,
      user_id uuid references users.users (id) on delete cascade,
      username_attempted citext,
      ip inet,
      user_agent text,
      outcome text not null check (outcome in ('success', 'bad_credentials', 'throttled')),
      occurred_at timestamptz not null default now()
    );
    create index login_events_user_idx on auth.login_events (user_id, occurred_at desc);
    create index login_events_username_idx on auth.login_events (username_attempted, occurred_at desc);
    create index login_events_ip_idx on auth.login_events (ip, occurred_at desc);
    create index login_events_occurred_idx on auth.login_events (occurred_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table auth.login_events;
    drop table auth.tokens;
    drop table auth.sessions;
  `);
}
