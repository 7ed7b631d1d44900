import { hash, verify } from '@node-rs/argon2';

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
