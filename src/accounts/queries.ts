import type { Knex } from 'knex';

export type SignInOutcome = 'success' | 'bad_credentials' | 'throttled';

export interface SignInEvent {
  userId: string | undefined;
  usernameAttempted: string;
  ip: string | undefined;
  userAgent: string | undefined;
  outcome: SignInOutcome;
}

/** Writes one row of the sign-in audit trail; returns its id. */
export async function insertLoginEvent(knex: Knex, event: SignInEvent): Promise<number> {
  const [row] = await knex('auth.login_events')
    .insert({
      user_id: event.userId ?? null,
      username_attempted: event.usernameAttempted.slice(0, 254),
      ip: event.ip ?? null,
      user_agent: event.userAgent?.slice(0, 300) ?? null,
      outcome: event.outcome,
    })
    .returning<{ id: number }[]>('id');
  return row!.id;
}

export async function setLoginOutcome(knex: Knex, eventId: number, outcome: SignInOutcome): Promise<void> {
  await knex('auth.login_events').where('id', eventId).update({ outcome });
}

/**
 * The network an address counts with (bind the address twice): itself for IPv4, its /64 for IPv6,
 * since one subscriber usually holds all of it.
 */
const ADDRESS_NETWORK = 'network(set_masklen(?::inet, case when family(?::inet) = 6 then 64 else 32 end))';

/**
 * Notes a registration about to hash its password and says how many this address (an IPv6 /64)
 * made within the window, this one included, and when the oldest of them leaves it. Rows older
 * than the window go at the same time. The row is written before counting, so registrations
 * sent in parallel cannot all slip under the limit.
 */
export async function recordRegistrationAttempt(
  knex: Knex,
  ip: string | undefined,
  windowMinutes: number,
): Promise<{ attempts: number; oldest: Date | null }> {
  await knex.raw(
    `with expired as (
       delete from auth.registration_attempts where occurred_at < now() - make_interval(mins => ?)
     )
     insert into auth.registration_attempts (ip) values (?::inet)`,
    [windowMinutes, ip ?? null],
  );
  const { rows } = await knex.raw<{ rows: { attempts: number; oldest: Date | null }[] }>(
    `select count(*)::int as attempts, min(a.occurred_at) as oldest
       from auth.registration_attempts a
      where a.ip <<= ${ADDRESS_NETWORK}
        and a.occurred_at > now() - make_interval(mins => ?)`,
    [ip ?? null, ip ?? null, windowMinutes],
  );
  return rows[0] ?? { attempts: 0, oldest: null };
}

/** Whose failures count together: a known account by its id (whatever name or email was typed). */
export interface AccountKey {
  userId: string | undefined;
  username: string;
}

export interface RecentFailures {
  /** Failed attempts on this account since the window opened (or since its last success). */
  account: number;
  /** Failed attempts from this address (for IPv6, its /64 network) since the window opened. */
  ip: number;
  /** When the oldest counted failure leaves the window, for Retry-After. */
  accountRetryAt: Date | null;
  ipRetryAt: Date | null;
}

/**
 * Counts recent failed sign-ins for an account and for an address. Kept in Postgres, not in
 * memory, so the limit holds across every app process. A success on the account clears its count.
 * An IPv6 address counts with its /64 network, since one subscriber usually holds all of it.
 */
export async function countRecentFailures(
  knex: Knex,
  account: AccountKey,
  ip: string | undefined,
  windowMinutes: number,
): Promise<RecentFailures> {
  const accountMatch = account.userId
    ? 'e.user_id = ?::uuid'
    : 'e.user_id is null and e.username_attempted = ?::citext';
  const accountValue = account.userId ?? account.username;
  const { rows } = await knex.raw<{ rows: RecentFailures[] }>(
    `with window_start as (select now() - make_interval(mins => ?) as at),
     last_success as (
       select max(e.occurred_at) as at from auth.login_events e, window_start w
       where ${accountMatch} and e.outcome = 'success' and e.occurred_at > w.at
     ),
     account as (
       select count(*)::int as failures, min(e.occurred_at) as oldest
       from auth.login_events e, window_start w, last_success s
       where ${accountMatch} and e.outcome = 'bad_credentials'
         and e.occurred_at > w.at and e.occurred_at > coalesce(s.at, '-infinity')
     ),
     network as (
       select ${ADDRESS_NETWORK} as range
     ),
     address as (
       select count(*)::int as failures, min(e.occurred_at) as oldest
       from auth.login_events e, window_start w, network n
       where n.range is not null and e.ip <<= n.range and e.outcome = 'bad_credentials' and e.occurred_at > w.at
     )
     select account.failures as account, address.failures as ip,
            account.oldest + make_interval(mins => ?) as "accountRetryAt",
            address.oldest + make_interval(mins => ?) as "ipRetryAt"
     from account, address`,
    [windowMinutes, accountValue, accountValue, ip ?? null, ip ?? null, windowMinutes, windowMinutes],
  );
  return rows[0]!;
}
