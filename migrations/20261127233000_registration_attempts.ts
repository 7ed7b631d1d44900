import type { Knex } from 'knex';

/**
 * Registrations that reached the password hash, by address, for the limit on accounts created
 * from one address (src/accounts/service.ts): each costs an argon2id hash, and accounts are what
 * spam is made of. Kept in PostgreSQL so the limit holds across every app process; a row older
 * than the limit's window is deleted by the next registration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table auth.registration_attempts (
      id bigint generated always as identity primary key,
      ip inet,
      occurred_at timestamptz not null default now()
    );
    create index registration_attempts_ip_idx on auth.registration_attempts (ip, occurred_at desc);
    create index registration_attempts_occurred_idx on auth.registration_attempts (occurred_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table auth.registration_attempts');
}
