import type { RequestHandler, Response } from 'express';

/** How long a request may go unanswered before it is answered 503 (see answerLateRequests). */
export const REQUEST_DEADLINE_MS = 20_000;

/** Raised for a request that reached its deadline with nothing sent. */
export class RequestDeadlineError extends Error {
  override name = 'RequestDeadlineError';
  constructor(readonly deadlineMs: number) {
    super(`no answer within ${deadlineMs} ms`);
  }
}

/**
 * Once a late request has been answered, whatever its handler does afterwards must not throw (a
 * second set of headers would, from a callback nothing catches) nor write into the next
 * response on the socket: its writes are dropped.
 */
function silenceLateWrites(res: Response): void {
  const quiet = res as unknown as Record<string, unknown>;
  quiet.setHeader = () => res;
  quiet.appendHeader = () => res;
  quiet.writeHead = () => res;
  quiet.write = () => true;
  quiet.end = () => res;
}

/**
 * A database server that stops answering without closing its connections (frozen, or cut off by
 * the network) leaves queries on pooled connections waiting with no error to answer with. So
 * every request has a deadline: one with nothing sent by then is handed to the error handler,
 * which answers 503 with Retry-After; anything its handler sends later is dropped. A response
 * already under way (an export streaming) is left to finish.
 */
export function answerLateRequests(deadlineMs = REQUEST_DEADLINE_MS): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.once('finish', () => silenceLateWrites(res));
      next(new RequestDeadlineError(deadlineMs));
    }, deadlineMs);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
