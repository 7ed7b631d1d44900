import express from 'express';
import type { Response } from 'supertest';
import { requireAdmin, requireUser } from '../../src/auth/guards';
import { appRoutes, fillPath, type AppRoute } from '../support/routes';
import { useSeededApp } from '../support/seeded';
import {
  bodyFor,
  crawl,
  createWorld,
  paramsFor,
  storedDigest,
  type Body,
  type Learnt,
  type World,
} from '../support/security-world';
import { csrfTokenFrom, sessionCookie, type Agent } from '../support/session';

type Role = 'visitor' | 'owner' | 'other' | 'admin';
type Variant = 'page' | 'htmx' | 'api';

const ROLES: Role[] = ['visitor', 'other', 'admin', 'owner'];

function send(agent: Agent, token: string, route: AppRoute, path: string, body: Body | undefined, variant: Variant) {
  let pending = agent[route.method](path);
  if (variant === 'htmx') pending = pending.set('HX-Request', 'true');
  if (variant === 'api') pending = pending.set('Accept', 'application/json');
  if (route.method === 'get') return pending;
  // A browser's form carries the token in the body; htmx and scripts send it in the header.
  if (variant !== 'page' || body?.type !== 'form') pending = pending.set('X-CSRF-Token', token);
  if (!body) return pending;
  if (body.type === 'json') return pending.send(body.value);
  if (body.type === 'multipart') {
    const fields = variant === 'page' ? { ...body.fields, _csrf: token } : body.fields;
    for (const [name, value] of Object.entries(fields)) pending = pending.field(name, value);
    return pending.attach('file', Buffer.from(body.file.content), body.file.name);
  }
  return pending.type('form').send(variant === 'page' ? { ...body.fields, _csrf: token } : body.fields);
}

/** Whose request a route is for: the administrator's for admin routes, else the owner's. */
const actingRole = (route: AppRoute): Role => (route.guard === 'admin' ? 'admin' : 'owner');

const isSuccess = (status: number) => status >= 200 && status < 400;

/**
 * What a role must get from a route, by the route's guard and by whether its path names the
 * owner's own resource. Undefined when the answer is right.
 */
function wrongAnswer(
  route: AppRoute,
  role: Role,
  variant: Variant,
  response: Response,
  ownersOwn: boolean,
): string | undefined {
  const { status } = response;
  if (status >= 500) return `${status}: a server error`;
  const signInNeeded = route.guard !== 'none';
  if (role === 'visitor') {
    if (signInNeeded && variant !== 'page' && status !== 401) return `${status}, not 401 for a visitor`;
    if (signInNeeded && variant === 'page') {
      const location = String(response.headers.location ?? '');
      if (![302, 303].includes(status) || !location.startsWith('/login'))
        return `${status} to ${location || 'nowhere'}, not a redirect to /login`;
    }
    if (!signInNeeded && ownersOwn && status !== 404) return `${status}, not 404 for the owner's private resource`;
    return undefined;
  }
  const isAdmin = role === 'admin';
  if (route.guard === 'admin') {
    if (isAdmin && !isSuccess(status)) return `${status}, not 2xx/3xx for an administrator`;
    if (!isAdmin && status !== 403) return `${status}, not 403 for a member`;
    return undefined;
  }
  if (role === 'owner') {
    if ((signInNeeded || ownersOwn) && !isSuccess(status)) return `${status}, not 2xx/3xx for the owner`;
    return undefined;
  }
  // Another member, or an administrator outside the admin routes: no one's list but their own.
  if (ownersOwn && status !== 404) return `${status}, not 404 for another user`;
  return undefined;
}

/**
 * Every route of the app, read from its router, called as a visitor, as the owner of the data it
 * names, as another member and as an administrator, each with a valid CSRF token and a plausible
 * body. A new route is covered without editing this file; one whose parameters or body the sweep
 * cannot fill fails it, saying what to add.
 */
describe('the authorisation sweep', () => {
  const seeded = useSeededApp();

  it('answers every route as its guard says, and never shows the owner’s private data to anyone else', async () => {
    const { app, db } = seeded;
    const routes = appRoutes(app);
    expect(routes.length).toBeGreaterThan(20);
    const firstWorld = await createWorld(app, db.knex);
    const learnt: Learnt = { crawl: await crawl(firstWorld), world: firstWorld, routes };

    const problems: string[] = [];
    const table: Record<string, Record<Role, string>> = {};
    let ownerSawTheirNotes = 0;
    let world = firstWorld;
    for (const [index, route] of routes.entries()) {
      // Each route gets fresh people and titles: the owner's call may remove, sign out or delete.
      if (index > 0) world = await createWorld(app, db.knex);
      const params = paramsFor(route, world);
      const path = fillPath(
        route,
        Object.fromEntries(Object.entries(params).map(([name, param]) => [name, param.value])),
      );
      const ownersOwn = Object.values(params).some((param) => param.ownersOwn);
      const row = { visitor: '', owner: '', other: '', admin: '' };
      for (const role of ROLES) {
        const person = role === 'visitor' ? undefined : world[role];
        const who = role === 'visitor' ? world.visitor : person!;
        // A visitor types the owner's name and password where a form asks for them.
        const typing = person ?? world.owner;
        const body = bodyFor(route, learnt, world, typing);
        const variants: Variant[] = route.path.startsWith('/api/')
          ? ['api']
          : // The write of the one it is for is made once, as a page: a second would find it done.
            role === actingRole(route) && route.method !== 'get'
            ? ['page']
            : ['htmx', 'page'];
        const statuses: number[] = [];
        for (const variant of variants) {
          const ownerBefore =
            role === 'owner' ? undefined : await storedDigest(db.knex, [world.owner.id], { relationships: false });
          const response = await send(who.agent, who.token, route, path, body, variant);
          statuses.push(response.status);
          // Signing in or out starts a new session, whose forms carry a new token.
          if (sessionCookie(response)) who.token = await csrfTokenFrom(who.agent, '/settings');
          const context = `${route.label} as ${role} (${variant}, ${path})`;
          const wrong = wrongAnswer(route, role, variant, response, ownersOwn);
          if (wrong) problems.push(`${context}: ${wrong}`);
          if (response.text?.includes(world.secret)) {
            if (role === 'owner') ownerSawTheirNotes += 1;
            else problems.push(`${context}: the response shows the owner's notes`);
          }
          if (ownerBefore !== undefined) {
            const ownerAfter = await storedDigest(db.knex, [world.owner.id], { relationships: false });
            if (ownerAfter !== ownerBefore) problems.push(`${context}: the owner's stored data changed`);
          }
        }
        row[role] = statuses.join('/');
      }
      table[route.label] = row;
    }

    process.stdout.write(
      `Authorisation sweep: ${routes.length} routes (statuses as htmx/page, API routes as JSON)\n` +
        formatTable(table) +
        `\nThe owner's notes were shown to the owner in ${ownerSawTheirNotes} responses and to nobody else` +
        (problems.length ? `; ${problems.length} problems:\n${problems.join('\n')}` : '.') +
        '\n',
    );
    // The check for leaked notes is only as good as its ability to see them where they belong.
    expect(ownerSawTheirNotes).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 300_000);
});

function formatTable(table: Record<string, Record<Role, string>>): string {
  const columns: Role[] = ['visitor', 'owner', 'other', 'admin'];
  const labels = Object.keys(table);
  const first = Math.max('route'.length, ...labels.map((label) => label.length));
  const width = (role: Role) => Math.max(role.length, ...labels.map((label) => table[label]![role].length));
  const line = (cells: string[]) =>
    cells.map((cell, index) => cell.padEnd(index === 0 ? first : width(columns[index - 1]!))).join('  ');
  return [
    line(['route', ...columns]),
    ...labels.map((label) => line([label, ...columns.map((role) => table[label]![role])])),
  ].join('\n');
}

describe('reading routes for the sweep', () => {
  const world = {} as World;

  function appWith(path: string) {
    const app = express();
    const router = express.Router();
    router.get(path, (_req, res) => {
      res.end();
    });
    app.use(router);
    return app;
  }

  it('fails on a parameter it has no filler for, naming it and where to add one', () => {
    const [route] = appRoutes(appWith('/shelves/:shelfId'));
    expect(route!.params).toEqual(['shelfId']);
    expect(() => paramsFor(route!, world)).toThrow(/no filler for :shelfId\. Add one to PARAM_FILLERS/);
  });

  it('fails on a named wildcard unless a filler is added for it', () => {
    const [route] = appRoutes(appWith('/files/*rest'));
    expect(() => paramsFor(route!, world)).toThrow(/no filler for :rest/);
  });

  it('fails on a router mounted under a path it cannot read', () => {
    const app = express();
    app.use(
      '/admin',
      express.Router().get('/things', (_req, res) => res.end()),
    );
    expect(() => appRoutes(app)).toThrow(/mounted under a path/);
  });

  it('reads the guard of each route from its own chain', () => {
    const app = express();
    app.use(
      express
        .Router()
        .get('/open', (_req, res) => res.end())
        .get('/mine', requireUser, (_req, res) => res.end())
        .post('/staff', requireAdmin, (_req, res) => res.end()),
    );
    expect(appRoutes(app).map((route) => `${route.label} ${route.guard}`)).toEqual([
      'GET /open none',
      'GET /mine user',
      'POST /staff admin',
    ]);
  });
});
