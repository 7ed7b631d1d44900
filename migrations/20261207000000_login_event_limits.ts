import type { Knex } from 'knex';

/**
 * Indexes for the sign-in limits (src/accounts/service.ts THROTTLE). Under a guessing attack
 * almost every row is a refused ('throttled') attempt, so the counts read failures and successes
 * from partial indexes, whose size the limits themselves bound, instead of every attempt in the
 * window: an account's failures (per account, and per account at an address), an account's
 * successes (whether an address is one it signs in from, and what clears its count there), and
 * an address's failures (per address; `ip <<= network` becomes a range on the first column).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index login_events_user_failures_idx on auth.login_events (user_id, occurred_at)
      where outcome = 'bad_credentials';
    create index login_events_user_successes_idx on auth.login_events (user_id, occurred_at)
      where outcome = 'success';
    create index login_events_ip_failures_idx on auth.login_events (ip, occurred_at)
      where outcome = 'bad_credentials';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index auth.login_events_ip_failures_idx;
    drop index auth.login_events_user_successes_idx;
    drop index auth.login_events_user_failures_idx;
  `);
}
