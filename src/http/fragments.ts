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

/**
 * A column choice is remembered from a GET, so it must be the user's own doing: a request from our
 * own pages (the browser says so in Sec-Fetch-Site, or an older one in Referer), never a link on
 * another site.
 */
export function fromOwnPages(req: Request): boolean {
  const site = req.get('Sec-Fetch-Site');
  if (site) return site === 'same-origin';
  const referer = req.get('Referer');
  if (!referer) return false;
  try {
    return new URL(referer).host === req.get('Host');
  } catch {
    return false;
  }
}
