import type { Logger } from './logger';

/**
 * Ends the process at once with this code, for the few places that must not wait for open
 * handles (a second signal, a failed start). Named apart from process.exit so one search finds them.
 */
export const terminate: (code?: number) => never = process.exit.bind(process);

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const REPEAT_WINDOW_MS = 1000;

/**
 * Calls `stop` once for SIGINT, SIGTERM or SIGHUP (closing the terminal). Ctrl-C under a watcher
 * arrives twice within milliseconds (the terminal and the watcher both send it), so a repeat within
 * a second counts once; a signal after that means "now", and exits at once.
 */
export function onShutdownSignal(logger: Logger, stop: (signal: NodeJS.Signals) => void): void {
  let firstAt: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      stop(signal);
    } else if (now - firstAt > REPEAT_WINDOW_MS) {
      logger.warn({ signal }, 'second signal: exiting now');
      terminate(1);
    }
  };
  for (const signal of SIGNALS) process.on(signal, handle);
}
