import type { Request } from 'express';

/** What replaces a value that must not leave the process. */
export const FILTERED = '[Filtered]';

/** Shorter values are too common to be worth hunting ("1", "yes") and too short to be secrets. */
const SHORTEST_SECRET = 4;

/** Headers whose values are credentials, or name something that usually is. */
const SECRET_HEADER = /cookie|authori[sz]ation|token|secret|session|key|csrf/i;

// The local part may be a value scrubbed already (a username that is also the address's start).
const EMAIL = /(?:\[Filtered\]|[^\s@"'<>()[\]])+@[^\s@"'<>()[\]]+\.[A-Za-z]{2,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

function stringsIn(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 6 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (value.length >= SHORTEST_SECRET) into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) stringsIn(item, into, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    for (const item of Object.values(value as Record<string, unknown>)) stringsIn(item, into, depth + 1);
  }
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Every value the request carried that an error report must never repeat: what was typed in the
 * form or query (passwords, notes, emails), credentials in headers (each cookie, the bearer
 * token), the session id, and what the signed-in user's record holds. An error message can
 * quote any of them (a failed query's SQL with its parameters, say).
 */
export function secretsOf(req: Request): string[] {
  const secrets = new Set<string>();
  stringsIn(req.body, secrets);
  stringsIn(req.query, secrets);
  if (req.user) {
    const { id: _id, ...user } = req.user as unknown as Record<string, unknown>;
    stringsIn(user, secrets);
  }
  if (typeof req.sessionID === 'string') stringsIn(req.sessionID, secrets);
  for (const [name, value] of Object.entries(req.headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    for (const line of Array.isArray(value) ? value : [value ?? '']) {
      stringsIn(line, secrets);
      stringsIn(decoded(line), secrets);
      // A cookie header holds several values, an authorization header a scheme and a credential:
      // each value, and the credential without its scheme (the scheme's name is no secret).
      const parts = /cookie/i.test(name)
        ? line.split(';').map((part) => part.slice(part.indexOf('=') + 1).trim())
        : [line.replace(/^\s*[A-Za-z-]+\s+/, '')];
      for (const part of parts) {
        stringsIn(part, secrets);
        stringsIn(decoded(part), secrets);
      }
    }
  }
  // Longest first, so a value that contains another is removed whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** The string with every secret, email address and bearer credential replaced. */
export function scrubString(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join(FILTERED);
  return scrubbed.replace(EMAIL, FILTERED).replace(BEARER, `$1 ${FILTERED}`);
}

/**
 * A copy of any JSON-like value with every string scrubbed (keys too: they can hold values). An
 * object met a second time (a cycle, or one shared) is not walked again.
 */
export function scrubDeep<T>(value: T, secrets: readonly string[], depth = 0, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return scrubString(value, secrets) as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Seen]' as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, secrets, depth + 1, seen)) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    copy[scrubString(key, secrets)] = scrubDeep(item, secrets, depth + 1, seen);
  }
  return copy as T;
}

/**
 * An error as a log line may hold it: its message, stack and fields (a database error's code and
 * detail, say), its cause and the errors it gathers, with every value the request carried and
 * every email address scrubbed out. A failed query's message can quote what was typed, as an
 * error report's can. An error that cannot be read is logged as that, never thrown from here.
 */
export function errorForLog(error: unknown, req: Request): unknown {
  return scrubbedError(error, secretsOf(req));
}

/** An Error, or one made in another realm (a DOMException, say): a message and a stack. */
function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true;
  try {
    const { message, stack } = (value ?? {}) as { message?: unknown; stack?: unknown };
    return typeof message === 'string' && typeof stack === 'string';
  } catch {
    return false;
  }
}

function scrubbedError(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!isErrorLike(error) || depth > 4) return scrubDeep(error, secrets);
  const inner = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(inner) : scrubbedError(value, secrets, depth + 1);
  try {
    const copy = new Error(scrubString(String(error.message), secrets)) as Error & Record<string, unknown>;
    // pino names an error's type after its constructor: the original's, so the log says DatabaseError.
    Object.defineProperty(copy, 'constructor', { value: error.constructor, enumerable: false });
    copy.name = error.name;
    copy.stack = typeof error.stack === 'string' ? scrubString(error.stack, secrets) : undefined;
    for (const [key, value] of Object.entries(error)) copy[key] = inner(value);
    if ('cause' in error) copy.cause = inner(error.cause);
    const { errors } = error as { errors?: unknown };
    if (Array.isArray(errors)) copy.errors = inner(errors);
    return copy;
  } catch {
    return { message: 'an error that could not be read for the log' };
  }
}
