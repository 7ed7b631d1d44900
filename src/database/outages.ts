import type { Logger } from '../logger';

/** How often an outage in progress is summarised in the log. */
const SUMMARY_INTERVAL_MS = 10_000;

export interface OutageLog {
  /** Notes one request (or background task) that failed because the database was unavailable. */
  note(error: unknown, where: string): void;
  /** Stops the summary timer (tests that build many apps). */
  stop(): void;
}

/**
 * What of an error is worth a log line: its code and the driver's or server's own words, never
 * its stack or parameters. Knex puts the failed statement, values filled in, before the message
 * ("select ... where email = '...' - Connection terminated unexpectedly"): only what follows its
 * last " - " is kept.
 */
function describe(error: unknown): { code?: string; message: string } {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const statementEnds = text.lastIndexOf(' - ');
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: (statementEnds === -1 ? text : text.slice(statementEnds + 3)).slice(0, 300),
  };
}

/**
 * While the database is unreachable every request fails the same way: logging a stack per
 * request buries everything else (tens of thousands of lines a minute under load). The first
 * failure is logged at once with its cause; then one line per interval says how many failed and
 * where; the first interval without a failure after that ends the outage.
 */
export function createOutageLog(logger: Logger, intervalMs = SUMMARY_INTERVAL_MS): OutageLog {
  let inOutage = false;
  let since = 0;
  let failures = 0;
  let lastCause: ReturnType<typeof describe> | undefined;
  const places = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (failures === 0) {
      // Quiet is all this can see: no failure in a whole interval, which with no traffic at all
      // does not prove the database is back (the health check does).
      if (inOutage) logger.info({ outageMs: Date.now() - since }, 'database outage over: no failures for an interval');
      inOutage = false;
      clearInterval(timer);
      timer = undefined;
      return;
    }
    logger.error(
      { failures, intervalMs, where: Object.fromEntries(places), cause: lastCause },
      `database unavailable: ${failures} failed in the last ${Math.round(intervalMs / 1000)} s`,
    );
    failures = 0;
    places.clear();
  };

  return {
    note(error, where) {
      lastCause = describe(error);
      if (!inOutage) {
        inOutage = true;
        since = Date.now();
        logger.error({ cause: lastCause, where }, 'database unavailable: answering 503 until it is back');
        timer = setInterval(flush, intervalMs);
        timer.unref();
        return;
      }
      failures += 1;
      places.set(where, (places.get(where) ?? 0) + 1);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
