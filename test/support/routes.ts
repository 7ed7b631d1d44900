import type { Express, RequestHandler } from 'express';
import { requireAdmin, requireUser } from '../../src/auth/guards';

/** Who a route lets in, read from the guards in its own chain. */
export type Guard = 'none' | 'user' | 'admin';

/** One method of one route, as the app's router holds it. */
export interface AppRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The path as written in the routes file, e.g. /list/:mediaId. */
  path: string;
  /** The names of its path parameters, in order (wildcards included, by their name). */
  params: string[];
  guard: Guard;
  /** True when the route's own matcher takes this concrete path (used to find the forms that post to it). */
  matches(concretePath: string): boolean;
  /** "POST /list/:mediaId": how the sweep and the fuzz name a route. */
  label: string;
}

interface Layer {
  name?: string;
  handle: RequestHandler & { stack?: Layer[] };
  route?: { path: unknown; methods: Record<string, boolean>; stack: Layer[] };
  match(path: string): boolean;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A path no route names: a router mounted where it matches is mounted at the root. */
const PROBE_PATH = '/omt-route-probe/x';

/**
 * Every route of the app, read from Express 5's router (nested routers included), so that tests
 * built on it cover a new route without being edited. Anything it cannot read throws, with what
 * to teach it: a route the sweep cannot see would be a route nobody checks.
 */
export function appRoutes(app: Express): AppRoute[] {
  const root = (app as unknown as { router?: { stack: Layer[] } }).router;
  if (!root) throw new Error('The app has no router: appRoutes reads Express 5’s app.router');
  const routes: AppRoute[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        routes.push(...routesOf(layer));
      } else if (Array.isArray(layer.handle.stack)) {
        if (!layer.match(PROBE_PATH)) {
          throw new Error(
            `A router is mounted under a path: teach test/support/routes.ts to read its prefix (layer ${layer.name ?? '?'})`,
          );
        }
        walk(layer.handle.stack);
      }
    }
  };
  walk(root.stack);
  return routes;
}

function routesOf(layer: Layer): AppRoute[] {
  const route = layer.route!;
  if (typeof route.path !== 'string') {
    throw new Error(`A route's path is not a string (${String(route.path)}): teach test/support/routes.ts to read it`);
  }
  const path = route.path;
  if (/[{}()]/.test(path)) {
    throw new Error(`Route ${path} has optional or grouped parts: teach test/support/routes.ts to fill them`);
  }
  const params = [...path.matchAll(/[:*]([A-Za-z_$][\w$]*)/g)].map((match) => match[1]!);
  if (path.includes('*') && !/\*[A-Za-z_$]/.test(path)) {
    throw new Error(`Route ${path} has an unnamed wildcard: name it so a filler can be added for it`);
  }
  const guards = route.stack.map((step) => step.handle);
  const guard: Guard = guards.includes(requireAdmin) ? 'admin' : guards.includes(requireUser) ? 'user' : 'none';
  const methods = route.methods._all ? [...METHODS] : METHODS.filter((method) => route.methods[method]);
  const unknown = Object.keys(route.methods).filter(
    (method) => method !== '_all' && !(METHODS as readonly string[]).includes(method),
  );
  if (unknown.length) throw new Error(`Route ${path} answers ${unknown.join(', ')}: teach test/support/routes.ts`);
  return methods.map((method) => ({
    method,
    path,
    params,
    guard,
    label: `${method.toUpperCase()} ${path}`,
    matches: (concretePath: string) => layer.match(concretePath),
  }));
}

/** The concrete path of a route with each parameter replaced (values are percent-encoded here unless raw). */
export function fillPath(route: AppRoute, values: Record<string, string>, { raw = false } = {}): string {
  return route.path.replace(/[:*]([A-Za-z_$][\w$]*)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for :${name} of ${route.label}`);
    return raw ? value : encodeURIComponent(value);
  });
}
