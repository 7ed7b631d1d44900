import type { Request, Response } from 'express';

/**
 * True when htmx asked for a piece of a page rather than the whole page. A history restore or a
 * boosted link wants the full page. Every response that depends on this varies on HX-Request.
 */
export function isFragmentRequest(req: Request, res?: Response): boolean {
  res?.vary('HX-Request');
  return (
    req.get('HX-Request') === 'true' &&
    req.get('HX-History-Restore-Request') !== 'true' &&
    req.get('HX-Boosted') !== 'true'
  );
}

/** True for requests that want JSON back (the /api routes), which get JSON errors, not pages. */
export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}
