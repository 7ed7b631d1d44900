import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { SignInAttempt, SignInResult } from '../auth/sign-in';
import { hashPassword, verifyPassword } from '../users/passwords';
import { findSessionUser, findSignInCandidate } from '../users/queries';
import {
  countedAddress,
  countRecentFailures,
  insertLoginEvent,
  recordRegistrationAttempt,
  setLoginOutcome,
} from './queries';

/**
 * Failed sign-ins allowed within the window: on one account from one address (an IPv6 /64), on
 * one account from all addresses together, and from one address on all accounts. The first is
 * tight and cleared by a success there; the second stops a guesser spread over many addresses
 * and is waived for an address the account signed in from within `knownAddressDays`, so that
 * such a guesser cannot lock the owner out where the owner usually signs in.
 */
export const THROTTLE = {
  windowMinutes: 15,
  perAccountAtAddress: 5,
  perAccount: 50,
  perAddress: 20,
  knownAddressDays: 30,
} as const;

// A hash to verify against when the account does not exist, so a wrong username takes as long
// as a wrong password and the timing does not tell which accounts exist.
let unknownUserHash: Promise<string> | undefined;
function hashForUnknownUsers(): Promise<string> {
  unknownUserHash ??= hashPassword(crypto.randomUUID());
  return unknownUserHash;
}

/**
 * One password check, for signing in and for confirming the password in settings. The attempt
 * is written to auth.login_events first, as a failure, and counted with the others before the
 * password is checked: so parallel guesses cannot slip past the limit while hashes are compared.
 * A correct password turns the row into a success.
 */
export async function attemptSignIn(knex: Knex, attempt: SignInAttempt): Promise<SignInResult> {
  const candidate = await findSignInCandidate(knex, attempt.identifier);
  const eventId = await insertLoginEvent(knex, {
    userId: candidate?.id,
    usernameAttempted: attempt.identifier,
    ip: attempt.ip,
    userAgent: attempt.userAgent,
    outcome: 'bad_credentials',
  });
  const failures = await countRecentFailures(
    knex,
    { userId: candidate?.id, username: attempt.identifier },
    attempt.ip,
    THROTTLE,
  );
  const blockedUntil = [
    failures.accountAtAddress > THROTTLE.perAccountAtAddress ? failures.accountAtAddressRetryAt : undefined,
    failures.address > THROTTLE.perAddress ? failures.addressRetryAt : undefined,
    failures.account > THROTTLE.perAccount && !failures.knownAddress ? failures.accountRetryAt : undefined,
  ].filter((at) => at !== undefined);
  if (blockedUntil.length > 0) {
    await setLoginOutcome(knex, eventId, 'throttled');
    // Every limit that was passed has to lift before the next attempt gets through.
    const retryAt = Math.max(...blockedUntil.map((at) => (at ? new Date(at).getTime() : Date.now())));
    return { outcome: 'throttled', retryAfterSeconds: Math.max(60, Math.ceil((retryAt - Date.now()) / 1000)) };
  }
  const matches = await verifyPassword(candidate?.passwordHash ?? (await hashForUnknownUsers()), attempt.password);
  if (!candidate || !matches) return { outcome: 'bad_credentials' };
  await setLoginOutcome(knex, eventId, 'success');
  const user = await findSessionUser(knex, candidate.id);
  return user ? { outcome: 'success', user } : { outcome: 'bad_credentials' };
}

/** The window of the limit on accounts created from one address (REGISTRATIONS_PER_HOUR). */
export const REGISTRATION_WINDOW_MINUTES = 60;

/**
 * Whether an address may make one more registration attempt now (one whose form is valid, taken
 * names included): null when it may (and the attempt is counted), else how many seconds until
 * it may. A limit of 0 means no limit.
 */
export async function registrationWait(knex: Knex, ip: string | undefined, limit: number): Promise<number | null> {
  const address = countedAddress(ip);
  if (limit === 0 || !address) return null;
  const { attempts, oldest } = await recordRegistrationAttempt(knex, address, REGISTRATION_WINDOW_MINUTES);
  if (attempts <= limit) return null;
  const freedAt = (oldest ? new Date(oldest).getTime() : Date.now()) + REGISTRATION_WINDOW_MINUTES * 60_000;
  return Math.max(60, Math.ceil((freedAt - Date.now()) / 1000));
}
