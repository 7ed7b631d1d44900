import type { Request, RequestHandler } from 'express';

/** The label of a request no route matched: one value, however many random URLs are tried. */
export const UNMATCHED = 'unmatched';

const matchedTemplate = Symbol('matched route template');

type Tracked = Request & { [matchedTemplate]?: string };

function pathOf(route: unknown): string {
  const path = (route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(String).join('|');
  return String(path);
}

/**
 * Remembers the template of the route that handles each request (`/list/:mediaId`, with the
 * base of the router it sits in). The router sets `req.route` when a route matches, but by the
 * time a response finishes or an error reaches the last handler it has put `req.baseUrl` back to
 * the parent's, so the base is read at the moment of the match.
 */
export const trackRouteTemplates: RequestHandler = (req, _res, next) => {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      if (value !== undefined) (req as Tracked)[matchedTemplate] = `${req.baseUrl}${pathOf(value)}`;
    },
  });
  next();
};

/**
 * The template of the route that answered: `/list/:mediaId`, never the URL with its ids. Files
 * served by middleware mounted on a path (`/static`) are `/static/*`; anything else `unmatched`.
 */
export function routeTemplate(req: Request): string {
  const matched = (req as Tracked)[matchedTemplate];
  if (matched !== undefined) return matched;
  if (req.baseUrl) return `${req.baseUrl}/*`;
  return UNMATCHED;
}
