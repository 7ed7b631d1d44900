import { dictionary } from '@zxcvbn-ts/language-common';
import { hash, verify } from '@node-rs/argon2';
import { singleLine } from '../http/validation';

/**
 * argon2id with the OWASP-recommended cost (19 MiB, 2 passes). @node-rs/argon2 ships prebuilt
 * binaries through npm, so it installs without a compiler and does not block the event loop.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password for storage (argon2id, salted; the result names its own parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(normalise(password), OPTIONS);
}

/** The same password typed on two keyboards can differ in Unicode form ("é" as one or two code points). */
function normalise(password: string): string {
  return password.normalize('NFC');
}

/** True when the password matches the stored hash; false for a malformed hash too. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, normalise(password));
  } catch {
    return false;
  }
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** The 49,000 most common passwords (from zxcvbn-ts), compared case-insensitively. */
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/**
 * A new password: long enough, not absurdly long, and not one of the most common ones. Like every
 * text field it refuses control characters: a NUL typed by accident could never be typed again.
 */
export const newPasswordField = (missing: string) =>
  singleLine(missing)
    .min(1, { error: missing })
    .min(PASSWORD_MIN, { error: `Password must be at least ${PASSWORD_MIN} characters` })
    .max(PASSWORD_MAX, { error: `Password must be ${PASSWORD_MAX} characters or fewer` })
    .refine((password) => !isCommonPassword(password), {
      error: 'This password is one of the most common ones: choose another',
    });
