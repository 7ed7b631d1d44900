import type { Knex } from 'knex';

/**
 * A person's list imports (src/imports/): the upload kept in PostgreSQL so a restart resumes it,
 * one row per title the file listed with what it matched and what applying it changed (the
 * entry before and after, for undo), the uncertain matches as review items in ingest.conflicts
 * (kind 'import', the person's own, apart from the catalog's), the matches a person confirmed
 * (their next import matches those by id), and the progress of a running job.
 *
 * Statuses of a person's import job: pending (uploaded, to be read) → ready (the preview waits
 * for the person) → applying (confirmed, to be written) → succeeded → undoing → undone; failed
 * or cancelled on the way. The jobs are a queue: a worker takes one with FOR UPDATE SKIP LOCKED and
 * holds that lock while it works, so a job whose process died is taken again at once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table ingest.import_jobs drop constraint import_jobs_status_check;
    alter table ingest.import_jobs add constraint import_jobs_status_check
      check (status in ('pending', 'running', 'ready', 'applying', 'succeeded', 'undoing', 'failed', 'cancelled', 'undone'));
    alter table ingest.import_jobs add column attempts integer not null default 0;
    create index import_jobs_queue_idx on ingest.import_jobs (created_at)
      where user_id is not null and status in ('pending', 'applying', 'undoing');

    create table ingest.import_uploads (
      job_id uuid primary key references ingest.import_jobs (id) on delete cascade,
      file_name text not null check (length(file_name) between 1 and 255),
      byte_size integer not null check (byte_size >= 0),
      bytes bytea not null
    );

    create table ingest.import_progress (
      job_id uuid primary key references ingest.import_jobs (id) on delete cascade,
      step text not null,
      done integer not null default 0,
      total integer not null default 0,
      updated_at timestamptz not null default now()
    );

    create table ingest.import_rows (
      job_id uuid not null references ingest.import_jobs (id) on delete cascade,
      row_number integer not null check (row_number >= 1),
      file text not null,
      line integer not null,
      -- the record as read (src/imports/records.ts), null for a row that could not be read
      record jsonb,
      raw text,
      outcome text not null check (outcome in
        ('add', 'change', 'unchanged', 'uncertain', 'unmatched', 'rejected', 'skipped', 'duplicate')),
      reason text,
      media_id uuid references media.media (id) on delete set null,
      -- field → [old, new] for an entry the import changes
      changes jsonb,
      -- the entry before and after applying (null before: the import added it)
      before jsonb,
      after jsonb,
      applied_at timestamptz,
      primary key (job_id, row_number)
    );
    create index import_rows_outcome_idx on ingest.import_rows (job_id, outcome, row_number);
    create index import_rows_media_idx on ingest.import_rows (media_id) where applied_at is not null;

    alter table ingest.conflicts add column kind text not null default 'catalog'
      check (kind in ('catalog', 'import'));
    alter table ingest.conflicts add column user_id uuid references users.users (id) on delete cascade;
    alter table ingest.conflicts add column row_number integer;
    alter table ingest.conflicts add constraint conflicts_import_owner
      check ((kind = 'import') = (user_id is not null and row_number is not null));
    alter table ingest.conflicts drop constraint conflicts_resolution_check;
    alter table ingest.conflicts add constraint conflicts_resolution_check
      check (resolution in ('pending', 'kept', 'replaced', 'merged', 'skipped', 'matched'));
    create unique index conflicts_import_row_idx on ingest.conflicts (job_id, row_number) where kind = 'import';

    create table ingest.user_links (
      user_id uuid not null references users.users (id) on delete cascade,
      source_name text not null,
      external_key text not null check (length(external_key) between 1 and 500),
      media_id uuid not null references media.media (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (user_id, source_name, external_key)
    );
    create index user_links_media_idx on ingest.user_links (media_id);

    -- The trackers people import their lists from are sources too, of another kind: the catalog's
    -- administration lists only the catalog's.
    alter table ingest.sources add column kind text not null default 'catalog'
      check (kind in ('catalog', 'list_import'));
    insert into ingest.sources (name, label, homepage, kind) values
      ('myanimelist', 'MyAnimeList', 'https://myanimelist.net', 'list_import'),
      ('anilist', 'AniList', 'https://anilist.co', 'list_import'),
      ('kitsu', 'Kitsu', 'https://kitsu.app', 'list_import'),
      ('letterboxd', 'Letterboxd', 'https://letterboxd.com', 'list_import'),
      ('goodreads', 'Goodreads', 'https://www.goodreads.com', 'list_import'),
      ('storygraph', 'StoryGraph', 'https://app.thestorygraph.com', 'list_import'),
      ('trakt', 'Trakt', 'https://trakt.tv', 'list_import'),
      ('imdb', 'IMDb', 'https://www.imdb.com', 'list_import'),
      ('tmdb', 'TMDB', 'https://www.themoviedb.org', 'list_import'),
      ('yamtrack', 'Yamtrack', 'https://github.com/FuzzyGrim/Yamtrack', 'list_import'),
      ('omnimediatrak', 'OmniMediaTrak export', null, 'list_import')
    on conflict (name) do nothing;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    delete from ingest.import_jobs where user_id is not null;
    drop table ingest.user_links;
    drop index ingest.conflicts_import_row_idx;
    delete from ingest.conflicts where kind = 'import';
    alter table ingest.conflicts drop constraint conflicts_resolution_check;
    alter table ingest.conflicts add constraint conflicts_resolution_check
      check (resolution in ('pending', 'kept', 'replaced', 'merged', 'skipped'));
    alter table ingest.conflicts drop constraint conflicts_import_owner;
    alter table ingest.conflicts drop column row_number;
    alter table ingest.conflicts drop column user_id;
    alter table ingest.conflicts drop column kind;
    drop table ingest.import_rows;
    drop table ingest.import_progress;
    drop table ingest.import_uploads;
    drop index ingest.import_jobs_queue_idx;
    alter table ingest.import_jobs drop column attempts;
    update ingest.import_jobs set status = 'failed' where status in ('ready', 'applying', 'undoing');
    alter table ingest.import_jobs drop constraint import_jobs_status_check;
    alter table ingest.import_jobs add constraint import_jobs_status_check
      check (status in ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'undone'));
    delete from ingest.sources s where s.kind = 'list_import'
      and not exists (select 1 from ingest.import_jobs j where j.source_name = s.name);
    alter table ingest.sources drop column kind;
  `);
}
