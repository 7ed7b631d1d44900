import net from 'node:net';
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
      ip: countedAddress(event.ip) ?? null,
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
 * The address as it is stored and counted, or undefined when there is none worth the name. A
 * dual-stack socket hands an IPv4 client over as ::ffff:a.b.c.d: left so, every IPv4 client would
 * fall into one IPv6 /64 and share one limit. A value that is no address (a proxy's header gone
 * wrong) is dropped rather than sent to PostgreSQL, which would refuse it with an error.
 */
export function countedAddress(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const withoutZone = ip.split('%')[0]!;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(withoutZone);
  const address = mapped ? mapped[1]! : withoutZone;
  return net.isIP(address) ? address : undefined;
}

/**
 * The network an address counts with, as bindings for ADDRESS_NETWORK: itself for IPv4, its /64
 * for IPv6, since one subscriber usually holds all of it.
 */
function networkBindings(address: string | undefined): [string | null, number] {
  return [address ?? null, address && net.isIPv6(address) ? 64 : 32];
}

// Bound as constants (not read from a CTE) so the planner can turn `ip <<= network` into an index range.
const ADDRESS_NETWORK = 'network(set_masklen(?::inet, ?::int))';

/**
 * Notes a registration attempt that is about to learn whether its username or email is taken,
 * and says how many attempts this address (an IPv6 /64) made within the window, this one
 * included, and when the oldest of them leaves it. Rows older than the window go at the same
 * time. The row is written before counting, so attempts sent in parallel cannot all slip under
 * the limit.
 */
export async function recordRegistrationAttempt(
  knex: Knex,
  ip: string | undefined,
  windowMinutes: number,
): Promise<{ attempts: number; oldest: Date | null }> {
  const address = countedAddress(ip);
  await knex.raw(
    `with expired as (
       delete from auth.registration_attempts where occurred_at < now() - make_interval(mins => ?)
     )
     insert into auth.registration_attempts (ip) values (?::inet)`,
    [windowMinutes, address ?? null],
  );
  const { rows } = await knex.raw<{ rows: { attempts: number; oldest: Date | null }[] }>(
    `select count(*)::int as attempts, min(a.occurred_at) as oldest
       from auth.registration_attempts a
      where a.ip <<= ${ADDRESS_NETWORK}
        and a.occurred_at > now() - make_interval(mins => ?)`,
    [...networkBindings(address), windowMinutes],
  );
  return rows[0] ?? { attempts: 0, oldest: null };
}

/** Whose failures count together: a known account by its id (whatever name or email was typed). */
export interface AccountKey {
  userId: string | undefined;
  username: string;
}

export interface RecentFailures {
  /** Failures on this account from this address (an IPv6 /64) since the window opened, or since its last success there. */
  accountAtAddress: number;
  /** Failures on this account from every address since the window opened; a success does not clear them. */
  account: number;
  /** Failures from this address on any account since the window opened. */
  address: number;
  /** Whether the account was signed in to from this address within the known-address period. */
  knownAddress: boolean;
  /** When the oldest failure of each count leaves the window, for Retry-After. */
  accountAtAddressRetryAt: Date | null;
  accountRetryAt: Date | null;
  addressRetryAt: Date | null;
}

/**
 * Counts recent failed sign-ins three ways: for the account from this address, for the account
 * from everywhere, and from this address on any account. Kept in PostgreSQL, not in memory, so
 * the limits hold across every app process. Only failures are counted (not refused attempts),
 * so an attacker who keeps knocking once refused does not keep the window open.
 */
export async function countRecentFailures(
  knex: Knex,
  account: AccountKey,
  ip: string | undefined,
  { windowMinutes, knownAddressDays }: { windowMinutes: number; knownAddressDays: number },
): Promise<RecentFailures> {
  const accountMatch = account.userId
    ? 'e.user_id = ?::uuid'
    : 'e.user_id is null and e.username_attempted = ?::citext';
  const accountValue = account.userId ?? account.username;
  const network = networkBindings(countedAddress(ip));
  // An attempt with no address at all counts with the others that had none.
  const fromAddress = `case when ?::inet is null then e.ip is null else e.ip <<= ${ADDRESS_NETWORK} end`;
  const fromAddressBindings = [network[0], ...network];
  const { rows } = await knex.raw<{ rows: RecentFailures[] }>(
    `with last_success_here as (
       select max(e.occurred_at) as at from auth.login_events e
       where ${accountMatch} and e.outcome = 'success'
         and e.occurred_at > now() - make_interval(days => ?) and ${fromAddress}
     ),
     account_failures as (
       select e.occurred_at, ${fromAddress} as here from auth.login_events e
       where ${accountMatch} and e.outcome = 'bad_credentials' and e.occurred_at > now() - make_interval(mins => ?)
     ),
     account_at_address as (
       select count(*)::int as failures, min(f.occurred_at) as oldest
       from account_failures f, last_success_here s
       where f.here and f.occurred_at > coalesce(s.at, '-infinity')
     ),
     account as (
       select count(*)::int as failures, min(f.occurred_at) as oldest from account_failures f
     ),
     address as (
       select count(*)::int as failures, min(e.occurred_at) as oldest from auth.login_events e
       where ?::inet is not null and e.ip <<= ${ADDRESS_NETWORK}
         and e.outcome = 'bad_credentials' and e.occurred_at > now() - make_interval(mins => ?)
     )
     select account_at_address.failures as "accountAtAddress", account.failures as account,
            address.failures as address, last_success_here.at is not null as "knownAddress",
            account_at_address.oldest + make_interval(mins => ?) as "accountAtAddressRetryAt",
            account.oldest + make_interval(mins => ?) as "accountRetryAt",
            address.oldest + make_interval(mins => ?) as "addressRetryAt"
     from account_at_address, account, address, last_success_here`,
    [
      accountValue,
      knownAddressDays,
      ...fromAddressBindings,
      ...fromAddressBindings,
      accountValue,
      windowMinutes,
      network[0],
      ...network,
      windowMinutes,
      windowMinutes,
      windowMinutes,
      windowMinutes,
    ],
  );
  return rows[0]!;
}
