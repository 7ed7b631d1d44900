/**
 * Telling "the database is not there right now" apart from every other error, so that an outage
 * is answered with 503 and Retry-After (and counted, and summarised in the log) instead of being
 * taken for a bug, and never for a reason to end anyone's session.
 */

/** Socket-level codes Node and pg give when the server cannot be reached or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean the server, not the statement, is the trouble: class 08 (connection
 * exception), 57P01-57P05 (shut down, crashed, starting up, idle timeout) and 53300 (too many
 * connections).
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '53300';
}

/**
 * pg's own messages for a connection that died or never came up, whole. They carry no code (an
 * error from PostgreSQL always has one), and Knex puts the failed statement, values filled in,
 * before them ("select ... - Connection terminated unexpectedly"): only the end of the message is
 * pg's, so only a code-less error whose message ends with one of these is taken for an outage.
 */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  // pg's own connect timeout (connectionTimeoutMillis), when a server accepts but never answers.
  'timeout expired',
].map((whole) => new RegExp(`(?:^| - )${whole}$`));

/** True when the error says the database could not be reached, not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, name, message, errors, cause } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (name === 'KnexTimeoutError') return true;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableState(code))) return true;
  if (code === undefined && typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message)))
    return true;
  // Node's happy-eyeballs connect gives an AggregateError with one error per address tried.
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

/** Seconds a client is told to wait (Retry-After) while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;
