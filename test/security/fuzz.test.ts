import * as cheerio from 'cheerio';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { appRoutes, type AppRoute } from '../support/routes';
import { useSeededApp } from '../support/seeded';
import {
  bodiesFor,
  type Body,
  crawl,
  createWorld,
  paramsFor,
  storedDigest,
  type Learnt,
  type World,
} from '../support/security-world';
import { csrfTokenFrom, sessionCookie, type Agent } from '../support/session';

/**
 * Property-based fuzz of every route the router holds: its query string, its form or JSON body
 * and its path parameters get wrong types, huge and empty values, control characters, broken
 * UTF-8, duplicated parameters and injection strings. For every request: no 5xx; a refusal (4xx)
 * stores nothing; no page carries markup that came from the input.
 *
 * The seed is fixed so CI runs the same requests each time; FUZZ_SEED and FUZZ_RUNS (per route)
 * change it. A run goes on after a failing request, so one bug does not hide the others, and
 * every failing request is printed as it was sent.
 */

function envInteger(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not ${value}`);
  return Number(value);
}

const SEED = envInteger('FUZZ_SEED', 190_008);
const RUNS = envInteger('FUZZ_RUNS', 40);
/** FUZZ_ROUTE="POST /list/:mediaId" replays one route alone, with the same requests as in the whole run. */
const ONLY_ROUTE = process.env.FUZZ_ROUTE;

/** A value as it goes on the wire (already percent-encoded), and the text it stands for, when it has one. */
interface Fuzzed {
  raw: string;
  text?: string;
  /** Markup that must never come back unescaped. */
  markup?: boolean;
}

/** UTF-8 percent-encoding that never throws: a lone surrogate goes as U+FFFD, as a browser sends it. */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const asText = (text: string): Fuzzed => ({ raw: percentEncode(text), text });

const INJECTIONS = [
  "' or 1=1 --",
  "'; drop table users.users; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '" autofocus onfocus="alert(1)',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '<%= 7*7 %>',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '\\',
  '__proto__',
  'constructor',
];
const MARKUP = /<[a-z!/]|\bon[a-z]+\s*=/i;

const CONTROLS = [
  ...Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)),
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
];

const UNICODE_EDGES = [
  '\u202eevil\u202c',
  '\u200f\u200e\u2066rtl\u2069',
  'e\u0301\u0301\u0301\u0301\u0301',
  'Z\u0364\u0351\u0313\u0324\u0354',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  '\ufeffbom',
  '\ufffe\uffff',
  '\ud800',
  '\udfff',
  'ｆｕｌｌｗｉｄｔｈ',
  'İıſK',
  'ß'.repeat(50),
];

/** Byte sequences that are not UTF-8, or not well-formed escapes at all. */
const RAW_ESCAPES = [
  '%ED%A0%80', // a lone high surrogate, encoded
  '%ED%BF%BF', // a lone low surrogate
  '%C3%28', // a broken two-byte sequence
  '%C0%AF', // an overlong "/"
  '%E0%80%AF', // an overlong "/" in three bytes
  '%F8%88%80%80%80', // a five-byte sequence
  '%FF%FE',
  '%',
  '%%',
  '%zz',
  '%00',
  'a%00b',
  '%0D%0ASet-Cookie:%20x=1',
];

const WRONG_TYPES = [
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '99999999999999999999',
  '0x1F',
  '  7  ',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '[object Object]',
  '2024-02-30',
  '0000-01-01',
  '0001-01-01',
  '9999-12-31',
  '275760-09-13',
  '-infinity',
  'epoch',
  '00000000-0000-0000-0000-000000000000',
  'planning',
  'in_progress',
];

const controlText = fc.string({
  unit: fc.constantFrom(...CONTROLS, 'a', 'Z', '7', ' ', '-'),
  minLength: 1,
  maxLength: 16,
});

const fuzzValue: fc.Arbitrary<Fuzzed> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...INJECTIONS).map((text) => ({ ...asText(text), markup: MARKUP.test(text) })),
  },
  { weight: 4, arbitrary: controlText.map(asText) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE_EDGES).map(asText) },
  { weight: 3, arbitrary: fc.constantFrom(...RAW_ESCAPES).map((raw): Fuzzed => ({ raw })) },
  { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES).map(asText) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(1_000, 10_001, 40_000), fc.constantFrom('x', '9', 'é', '😀', '\u0000'))
      .map(([length, unit]) => asText(unit.repeat(length))),
  },
  { weight: 1, arbitrary: fc.constant(asText('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(asText) },
  {
    weight: 2,
    // Markup wrapped in what a filter might strip or stop at.
    arbitrary: fc
      .tuple(controlText, fc.constantFrom(...INJECTIONS.filter((text) => MARKUP.test(text))))
      .map(([noise, injection]) => ({ ...asText(noise + injection), markup: true })),
  },
);

type Encoding = 'form' | 'json-on-a-form' | 'text';

/** One request the fuzz sends, as it goes on the wire. */
interface FuzzRequest {
  asVisitor: boolean;
  htmx: boolean;
  pathValues: Record<string, string>;
  query: [string, Fuzzed][];
  body?: { contentType: string; raw: string };
  /** Every fuzzed value in it, to look for in the answer. */
  values: Fuzzed[];
}

const pairsText = (pairs: [string, Fuzzed][]) =>
  pairs.map(([name, value]) => `${percentEncode(name)}=${value.raw}`).join('&');

/** A value one time in `every`, else undefined (most requests keep the rest of a request plausible). */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: every - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

/** Parameters chosen among names, each with a fuzzed value, and sometimes the first sent twice. */
function fuzzedPairs(names: string[], maxLength: number): fc.Arbitrary<[string, Fuzzed][]> {
  return fc
    .tuple(fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength }), sometimes(fuzzValue, 3))
    .chain(([chosen, twice]) =>
      fc.tuple(...chosen.map((name) => fuzzValue.map((value): [string, Fuzzed] => [name, value]))).map((pairs) => {
        const all = [...pairs] as [string, Fuzzed][];
        if (twice) all.push([all[0]![0], twice]);
        return all;
      }),
    );
}

/** JSON bodies: the right keys with wrong types, and bodies that are not JSON objects or not JSON at all. */
const RAW_JSON = [
  '{',
  '{"kind":',
  '[]',
  'null',
  '"sequel"',
  '12',
  '{"kind":"sequel","kind":"prequel"}',
  '{"__proto__":{"role":"admin"},"kind":"sequel"}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"kind":"\\ud800","targetId":"\\udfff"}',
  '{"kind":"sequel\\u0000","targetId":"x"}',
  '['.repeat(3000) + ']'.repeat(3000),
  '\ufeff{"kind":"sequel"}',
];

function jsonBody(world: World, plausible: Record<string, unknown>): fc.Arbitrary<string> {
  const jsonish = fc.oneof(
    fuzzValue.map((value) => value.text ?? value.raw),
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(world.linkKind, world.media.unlinked, world.media.linkSource),
  );
  const keys = [...Object.keys(plausible), 'unexpected'];
  return fc.oneof(
    fc
      .dictionary(fc.constantFrom(...keys), jsonish, { minKeys: 1, maxKeys: keys.length })
      .map((changes) => JSON.stringify({ ...plausible, ...changes })),
    fc.constantFrom(...RAW_JSON),
  );
}

/** A fuzzed body shaped like a plausible one: JSON for the API, else a form's fields. */
function bodyArbitrary(world: World, plausible: Body): fc.Arbitrary<{ body?: FuzzRequest['body']; values: Fuzzed[] }> {
  if (plausible.type === 'json') {
    return jsonBody(world, plausible.value).map((raw) => ({
      body: { contentType: 'application/json', raw },
      values: [],
    }));
  }
  const fields = plausible.fields;
  const names = [...Object.keys(fields), 'unexpected'];
  return fc
    .tuple(
      fuzzedPairs(names, 3),
      fc.subarray(Object.keys(fields), { maxLength: Math.min(1, Object.keys(fields).length) }),
      fc.constantFrom<Encoding>('form', 'form', 'form', 'form', 'json-on-a-form', 'text'),
    )
    .map(([changes, dropped, encoding]) => {
      const changed = new Set(changes.map(([name]) => name));
      const kept = Object.entries(fields)
        .filter(([name]) => !changed.has(name) && !dropped.includes(name))
        .map(([name, value]): [string, Fuzzed] => [name, asText(value)]);
      const pairs = [...kept, ...changes];
      const values = changes.map(([, value]) => value);
      if (encoding === 'form') {
        return { body: { contentType: 'application/x-www-form-urlencoded', raw: pairsText(pairs) }, values };
      }
      // A form route sent a body it does not parse: the handler must cope with no fields at all.
      const asObject = Object.fromEntries(pairs.map(([name, value]) => [name, value.text ?? value.raw]));
      return encoding === 'text'
        ? { body: { contentType: 'text/plain', raw: pairsText(pairs) }, values }
        : { body: { contentType: 'application/json', raw: JSON.stringify(asObject) }, values };
    });
}

/** The requests the fuzz may send to one route, in one world. */
function requestsFor(route: AppRoute, world: World, learnt: Learnt): fc.Arbitrary<FuzzRequest> {
  const person = route.guard === 'admin' ? world.admin : world.owner;
  const params = Object.fromEntries(
    Object.entries(paramsFor(route, world)).map(([name, param]) => [name, param.value]),
  );
  const bodies = bodiesFor(route, learnt, world, person);
  const queryNames = [...learnt.crawl.queryNames, 'next', 'unexpected'];

  const pathArb: fc.Arbitrary<[Record<string, string>, Fuzzed[]]> = route.params.length
    ? sometimes(fc.tuple(fc.constantFrom(...route.params), fuzzValue), 5).map((change) => {
        const values = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, percentEncode(value)]));
        if (!change) return [values, []];
        return [{ ...values, [change[0]]: change[1].raw }, [change[1]]];
      })
    : fc.constant([{}, []]);
  // A GET is all query string; other methods get one now and then.
  const queryArb =
    route.method === 'get'
      ? fuzzedPairs(queryNames, 4)
      : sometimes(fuzzedPairs(queryNames, 2), 5).map((pairs) => pairs ?? []);

  const bodyArb: fc.Arbitrary<{ body?: FuzzRequest['body']; values: Fuzzed[] }> = bodies.length
    ? fc.constantFrom(...bodies).chain((plausible) => bodyArbitrary(world, plausible))
    : fc.constant({ values: [] });

  return fc
    .record({
      asVisitor: route.guard === 'none' ? fc.boolean() : fc.constant(false),
      htmx: route.path.startsWith('/api/') ? fc.constant(false) : fc.boolean(),
      path: pathArb,
      query: queryArb,
      body: bodyArb,
    })
    .map(({ asVisitor, htmx, path: [pathValues, pathFuzz], query, body }) => ({
      asVisitor,
      htmx,
      pathValues,
      query,
      body: body.body,
      values: [...pathFuzz, ...query.map(([, value]) => value), ...body.values],
    }));
}

function urlOf(route: AppRoute, request: FuzzRequest): string {
  const path = route.path.replace(/[:*]([A-Za-z_$][\w$]*)/g, (_, name: string) => request.pathValues[name]!);
  return request.query.length ? `${path}?${pairsText(request.query)}` : path;
}

function send(agent: Agent, token: string, route: AppRoute, url: string, request: FuzzRequest) {
  let pending = agent[route.method](url);
  if (request.htmx) pending = pending.set('HX-Request', 'true');
  if (route.method === 'get') return pending;
  pending = pending.set('X-CSRF-Token', token);
  if (!request.body) return pending;
  // A browser's form carries its token in the body, where csrf-sync looks first.
  const raw =
    request.body.contentType === 'application/x-www-form-urlencoded'
      ? `${request.body.raw}${request.body.raw ? '&' : ''}_csrf=${token}`
      : request.body.raw;
  return pending.set('Content-Type', request.body.contentType).send(raw);
}

/** Markup the input put in a page: an inline or foreign script, an event handler, a javascript: URL. */
function markupProblems(response: Response, values: Fuzzed[]): string[] {
  if (!String(response.headers['content-type'] ?? '').startsWith('text/html')) return [];
  const problems: string[] = [];
  const $ = cheerio.load(response.text);
  $('script').each((_, element) => {
    const src = $(element).attr('src');
    if (!src) problems.push('an inline script element');
    else if (!src.startsWith('/') || src.startsWith('//')) problems.push(`a script from ${src}`);
  });
  $('*').each((_, element) => {
    const { attribs = {}, name: tag } = element as { attribs?: Record<string, string>; name?: string };
    for (const [name, value] of Object.entries(attribs)) {
      if (/^on/i.test(name)) problems.push(`an ${name} attribute on <${tag}>`);
      if (['href', 'src', 'action', 'formaction'].includes(name) && /^\s*javascript:/i.test(value)) {
        problems.push(`a javascript: URL in ${name}`);
      }
    }
  });
  for (const value of values) {
    if (value.markup && value.text && response.text.includes(value.text)) {
      problems.push(`the injected ${JSON.stringify(value.text.slice(0, 60))} unescaped`);
    }
  }
  return problems;
}

function describeRequest(route: AppRoute, url: string, request: FuzzRequest): string {
  const body = request.body ? ` ${request.body.contentType} ${JSON.stringify(request.body.raw.slice(0, 300))}` : '';
  const who = request.asVisitor ? 'visitor' : route.guard === 'admin' ? 'admin' : 'owner';
  return `${route.method.toUpperCase()} ${url.slice(0, 400)}${request.htmx ? ' (htmx)' : ''} as ${who}${body}`;
}

describe('the fuzz of every form, query string and JSON body', () => {
  const seeded = useSeededApp();

  it('answers every request without a 5xx, stores nothing it refuses, and reflects no markup', async () => {
    const { app, db } = seeded;
    const routes = appRoutes(app);
    const firstWorld = await createWorld(app, db.knex);
    const learnt = { crawl: await crawl(firstWorld), world: firstWorld, routes };
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    const perRoute: string[] = [];
    let sent = 0;
    let expected = 0;

    for (const [index, route] of routes.entries()) {
      if (ONLY_ROUTE && route.label !== ONLY_ROUTE) continue;
      // A fresh world per route: a run may sign its person out, or change their password.
      const world = index === 0 ? firstWorld : await createWorld(app, db.knex);
      const person = route.guard === 'admin' ? world.admin : world.owner;
      const ids = [world.owner.id, world.other.id, world.admin.id];
      const routeStatuses = new Map<number, number>();
      let routeFailures = 0;
      // Every form a route takes gets the runs a route gets: the list's row and its edit page differ.
      const runs = RUNS * Math.max(1, bodiesFor(route, learnt, world, person).length);
      expected += runs;
      await fc.assert(
        fc.asyncProperty(requestsFor(route, world, learnt), async (request) => {
          const who = request.asVisitor ? world.visitor : person;
          const url = urlOf(route, request);
          const before = await storedDigest(db.knex, ids);
          let response: Response;
          try {
            response = await send(who.agent, who.token, route, url, request);
          } catch (error) {
            sent += 1;
            routeFailures += 1;
            failures.push(`${describeRequest(route, url, request)}: no HTTP answer (${String(error)})`);
            return;
          }
          sent += 1;
          byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
          routeStatuses.set(response.status, (routeStatuses.get(response.status) ?? 0) + 1);
          const problems: string[] = [];
          if (response.status >= 500) problems.push(`answered ${response.status}`);
          if (response.status >= 400 && response.status < 500 && (await storedDigest(db.knex, ids)) !== before) {
            problems.push(`answered ${response.status} but changed what is stored`);
          }
          problems.push(...markupProblems(response, request.values));
          if (process.env.FUZZ_DEBUG)
            process.stdout.write(`${response.status} ${describeRequest(route, url, request)}\n`);
          if (problems.length) {
            routeFailures += 1;
            failures.push(`${describeRequest(route, url, request)}: ${problems.join('; ')}`);
          }
          // Signing in or out starts a new session, whose forms carry a new token.
          if (sessionCookie(response)) who.token = await csrfTokenFrom(who.agent, '/settings');
        }),
        { seed: SEED + index, numRuns: runs },
      );
      const statuses = [...routeStatuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
      perRoute.push(
        `${route.label.padEnd(54)} ${statuses.join(' ')}${routeFailures ? `  (${routeFailures} failing)` : ''}`,
      );
    }

    const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    process.stdout.write(
      `Fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} runs per route and form (FUZZ_RUNS), ${routes.length} routes, ${sent} requests\n` +
        `By status: ${statuses.join(', ')}\n${perRoute.join('\n')}\n` +
        (failures.length ? `${failures.length} failing requests:\n${failures.join('\n')}\n` : 'No failing request.\n'),
    );
    expect(sent).toBe(expected);
    expect(failures).toEqual([]);
  }, 600_000);
});
