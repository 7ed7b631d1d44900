import type { SessionUser } from '../users/queries';

/**
 * Checking a password, as signing in and the settings' confirmations need it. The check itself
 * (limits, audit rows, the hash) is src/accounts/service.ts attemptSignIn; the composition root
 * hands it to the areas that need it as a SignIn, so none of them imports the accounts area.
 */

/** What a sign-in form gives the check, with where it came from. */
export interface SignInAttempt {
  identifier: string;
  password: string;
  ip: string | undefined;
  userAgent: string | undefined;
}

export type SignInResult =
  | { outcome: 'success'; user: SessionUser }
  | { outcome: 'bad_credentials' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

export type SignIn = (attempt: SignInAttempt) => Promise<SignInResult>;

/** "Too many failed attempts. Wait 15 minutes and try again." (or another reason first) */
export function throttledMessage(retryAfterSeconds: number, reason = 'Too many failed attempts.'): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `${reason} Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`;
}
