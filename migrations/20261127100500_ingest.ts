import type { Knex } from 'knex';

/**
 * Imports and catalog maintenance: where data came from, each import run (with dry runs and
 * undo in mind), what it logged, and the conflicts it could not settle by itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ingest.sources (
      name text primary key check (name ~ '^[a-z][a-z0-9_-]*$'),
      label text not null,
      homepage text,
      licence text,
      created_at timestamptz not null default now()
    );

    create table ingest.import_jobs (
      id uuid primary key default gen_random_uuid(),
      -- null for catalog imports run by the operators; set for a user's own list import.
      user_id uuid references users.users (id) on delete cascade,
      source_name text not null references ingest.sources (name),
      status text not null default 'pending'
        check (status in ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'undone')),
      dry_run boolean not null default false,
      options jsonb not null default '{}',
      summary jsonb not null default '{}',
      error text,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    create index import_jobs_user_created_idx on ingest.import_jobs (user_id, created_at desc);

    create table ingest.import_logs (
      id bigint generated always as identity primary key,
      job_id uuid not null references ingest.import_jobs (id) on delete cascade,
      level text not null check (level in ('debug', 'info', 'warn', 'error')),
      message text not null,
      details jsonb,
      created_at timestamptz not null default now()
    );
    create index import_logs_job_idx on ingest.import_logs (job_id, id);

    create table ingest.conflicts (
      id bigint generated always as identity primary key,
      job_id uuid not null references ingest.import_jobs (id) on delete cascade,
      media_id uuid references media.media (id) on delete set null,
      source_name text not null,
      external_key text not null,
      reason text not null,
      payload jsonb not null default '{}',
      resolution text not null default 'pending'
        check (resolution in ('pending', 'kept', 'replaced', 'merged', 'skipped')),
      resolved_at timestamptz
    );
    create index conflicts_job_idx on ingest.conflicts (job_id);
    create index conflicts_pending_idx on ingest.conflicts (job_id) where resolution = 'pending';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table ingest.conflicts;
    drop table ingest.import_logs;
    drop table ingest.import_jobs;
    drop table ingest.sources;
  `);
}
