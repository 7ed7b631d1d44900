import type { Knex } from 'knex';

export type SignInOutcome = 'success' | 'bad_credentials' | 'throttled';

export interface SignInEvent {
  userId: string | undefined;
  usernameAttempted: string;
  ip: string | undefined;
  userAgent: string | undefined;
  outcome: SignInOutcome;
}

/** Writes one row of the sign-in audit trail. */
export async function insertLoginEvent(knex: Knex, event: SignInEvent): Promise<void> {
  await knex('auth.login_events').insert({
    user_id: event.userId ?? null,
    username_attempted: event.usernameAttempted.slice(0, 254),
    ip: event.ip ?? null,
    user_agent: event.userAgent?.slice(0, 300) ?? null,
    outcome: event.outcome,
  });
}

export interface RecentFailures {
  /** Failed attempts on this account name since the window opened (or since its last success). */
  account: number;
  /** Failed attempts from this address since the window opened. */
  ip: number;
  /** When the oldest counted failure leaves the window, for Retry-After. */
  accountRetryAt: Date | null;
  ipRetryAt: Date | null;
}

/**
 * Counts recent failed sign-ins for an account name and for an address. Kept in Postgres, not in
 * memory, so the limit holds across every app process. A success on the account clears its count.
 */
export async function countRecentFailures(
  knex: Knex,
  usernameAttempted: string,
  ip: string | undefined,
  windowMinutes: number,
): Promise<RecentFailures> {
  const { rows } = await knex.raw<{ rows: RecentFailures[] }>(
    `with window_start as (select now() - make_interval(mins => ?) as at),
     account as (
       select count(*)::int as failures, min(e.occurred_at) as oldest
       from auth.login_events e, window_start w
       where e.username_attempted = ?::citext and e.outcome = 'bad_credentials' and e.occurred_at > w.at
         and e.occurred_at > coalesce((
           select max(s.occurred_at) from auth.login_events s
           where s.username_attempted = ?::citext and s.outcome = 'success' and s.occurred_at > w.at
         ), '-infinity')
     ),
     address as (
       select count(*)::int as failures, min(e.occurred_at) as oldest
       from auth.login_events e, window_start w
       where ?::inet is not null and e.ip = ?::inet and e.outcome = 'bad_credentials' and e.occurred_at > w.at
     )
     select account.failures as account, address.failures as ip,
            account.oldest + make_interval(mins => ?) as "accountRetryAt",
            address.oldest + make_interval(mins => ?) as "ipRetryAt"
     from account, address`,
    [windowMinutes, usernameAttempted, usernameAttempted, ip ?? null, ip ?? null, windowMinutes, windowMinutes],
  );
  return rows[0]!;
}
