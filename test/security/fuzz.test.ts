import * as cheerio from 'cheerio';
import fc from 'fast-check';
import type { Knex } from 'knex';
import type { Response } from 'supertest';
import { appRoutes, type AppRoute } from '../support/routes';
import { useSeededApp } from '../support/seeded';
import {
  bodiesFor,
  type Body,
  clearSignInFailures,
  crawl,
  createWorld,
  forgetRegistrations,
  freshMember,
  freshVisitor,
  paramsFor,
  type Person,
  replantUndo,
  restoreWorld,
  snapshotWorld,
  storedDigest,
  type Learnt,
  type World,
  worldIds,
} from '../support/security-world';
import { SESSION_COOKIE } from '../../src/auth/session';
import { csrfTokenFrom, sessionCookie, signedInAgent, type Agent } from '../support/session';

/**
 * Property-based fuzz of every route the router holds: its query string, its form or JSON body
 * and its path parameters get wrong types, huge and empty values, control characters, broken
 * UTF-8, duplicated parameters and injection strings. For every request: no 5xx; a refusal (4xx)
 * stores nothing; no page carries markup that came from the input.
 *
 * Every run of a route starts from a world in which the route can succeed: what an earlier run
 * changed is put back, a run that may spend its person (sign out, a new password, a deleted
 * account) gets a member of its own, Undo is planted again. One run in VALID_EVERY sends the
 * route's plausible request unchanged, and at least MIN_ACCEPTED of a route's runs must be
 * accepted among those: a route that only ever refuses fails the fuzz.
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
/** Every third run of a route sends its plausible request, as a page draws it. */
const VALID_EVERY = 3;
/** The share of a route's runs that must be accepted (2xx or 3xx) among its valid-shaped ones. */
const MIN_ACCEPTED = 1 / 4;
/**
 * Routes that spend the person who calls them: each run gets a member of its own, made again
 * after a run that succeeded.
 */
const SPENDS_ITS_PERSON = new Set(['POST /logout', 'POST /settings/password', 'POST /settings/delete']);
/**
 * Node refuses a request whose headers pass 16 KB with 431 before the app sees it: values in a
 * URL stay under this, and one GET in OVERSIZED_EVERY carries a value far over the limit.
 */
const URL_VALUE_BYTES = 2_000;
const OVERSIZED_EVERY = 50;

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

/** Where a value goes: a URL has to stay under Node's header limit, a body does not. */
type Place = 'url' | 'body';

/** A value of `unit` repeated: up to 40,000 times in a body, in a URL as often as fits in URL_VALUE_BYTES. */
function huge(place: Place): fc.Arbitrary<Fuzzed> {
  return fc
    .tuple(fc.constantFrom(1_000, 10_001, 40_000), fc.constantFrom('x', '9', 'é', '😀', '\u0000'))
    .map(([length, unit]) => {
      const fits = Math.floor(URL_VALUE_BYTES / percentEncode(unit).length);
      return asText(unit.repeat(place === 'url' ? Math.min(length, fits) : length));
    });
}

const fuzzValueIn = (place: Place): fc.Arbitrary<Fuzzed> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(...INJECTIONS).map((text) => ({ ...asText(text), markup: MARKUP.test(text) })),
    },
    { weight: 4, arbitrary: controlText.map(asText) },
    { weight: 2, arbitrary: fc.constantFrom(...UNICODE_EDGES).map(asText) },
    { weight: 3, arbitrary: fc.constantFrom(...RAW_ESCAPES).map((raw): Fuzzed => ({ raw })) },
    { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES).map(asText) },
    { weight: 1, arbitrary: huge(place) },
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
const fuzzValue = fuzzValueIn('body');
const urlValue = fuzzValueIn('url');

type Encoding = 'form' | 'json-on-a-form' | 'text';

/** One request the fuzz sends, as it goes on the wire. */
interface FuzzRequest {
  /** The route's plausible request, unchanged: one a page draws, which the route should accept. */
  validShaped?: boolean;
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
function fuzzedPairs(names: string[], maxLength: number, values = fuzzValue): fc.Arbitrary<[string, Fuzzed][]> {
  return fc
    .tuple(fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength }), sometimes(values, 3))
    .chain(([chosen, twice]) =>
      fc.tuple(...chosen.map((name) => values.map((value): [string, Fuzzed] => [name, value]))).map((pairs) => {
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
  if (plausible.type === 'multipart') {
    // The upload form: its fields fuzzed, its file as the page would send it.
    return fc
      .tuple(fuzzedPairs(names, 3), fc.subarray(Object.keys(fields), { maxLength: 1 }))
      .map(([changes, dropped]) => {
        const changed = new Set(changes.map(([name]) => name));
        const kept = Object.entries(fields)
          .filter(([name]) => !changed.has(name) && !dropped.includes(name))
          .map(([name, value]): [string, Fuzzed] => [name, asText(value)]);
        const pairs = [...kept, ...changes].map(([name, value]): [string, string] => [name, value.text ?? value.raw]);
        return { body: multipartBody(pairs, plausible.file), values: changes.map(([, value]) => value) };
      });
  }
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

const BOUNDARY = 'omt-fuzz-boundary-7d1f';

/** A multipart/form-data body: the fields, then the file in the field `file`. */
function multipartBody(fields: [string, string][], file: { name: string; content: string }) {
  const parts = fields.map(
    ([name, value]) =>
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
  );
  return { contentType: `multipart/form-data; boundary=${BOUNDARY}`, raw: `${parts.join('')}--${BOUNDARY}--\r\n` };
}

/** The route's path parameters filled from the world, percent-encoded. */
function pathValuesOf(route: AppRoute, world: World): Record<string, string> {
  return Object.fromEntries(
    Object.entries(paramsFor(route, world)).map(([name, param]) => [name, percentEncode(param.value)]),
  );
}

/** A value far over Node's header limit, to prove a 431 is all that comes of it. */
const OVERSIZED: [string, Fuzzed] = ['unexpected', asText('x'.repeat(40_000))];

/** The requests the fuzz may send to one route, in one world, with the bodies its pages draw. */
function requestsFor(route: AppRoute, world: World, learnt: Learnt, bodies: Body[]): fc.Arbitrary<FuzzRequest> {
  const queryNames = [...learnt.crawl.queryNames, 'next', 'unexpected'];

  const pathArb: fc.Arbitrary<[Record<string, string>, Fuzzed[]]> = route.params.length
    ? sometimes(fc.tuple(fc.constantFrom(...route.params), urlValue), 5).map((change) => {
        const values = pathValuesOf(route, world);
        if (!change) return [values, []];
        return [{ ...values, [change[0]]: change[1].raw }, [change[1]]];
      })
    : fc.constant([{}, []]);
  // A GET is all query string (now and then far too long a one); other methods get one now and then.
  const queryArb =
    route.method === 'get'
      ? fc
          .tuple(fuzzedPairs(queryNames, 4, urlValue), sometimes(fc.constant(OVERSIZED), OVERSIZED_EVERY))
          .map(([pairs, oversized]) => (oversized ? [...pairs, oversized] : pairs))
      : sometimes(fuzzedPairs(queryNames, 2, urlValue), 5).map((pairs) => pairs ?? []);

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

/**
 * The route's plausible request: its path as the world fills it, no query string, and the `nth`
 * of its bodies unchanged (forms that only visitors are drawn are sent by the visitor); every
 * other one goes through htmx.
 */
function validShapedRequest(route: AppRoute, world: World, bodies: Body[], nth: number): FuzzRequest {
  const plausible = bodies.length ? bodies[nth % bodies.length] : undefined;
  const formBody = (fields: Record<string, string>) =>
    pairsText(Object.entries(fields).map(([name, value]): [string, Fuzzed] => [name, asText(value)]));
  return {
    validShaped: true,
    asVisitor:
      route.guard === 'none' &&
      plausible?.type === 'form' &&
      plausible.drawnTo !== undefined &&
      plausible.drawnTo.every((role) => role === 'visitor'),
    htmx: !route.path.startsWith('/api/') && nth % 2 === 1,
    pathValues: pathValuesOf(route, world),
    query: [],
    body:
      plausible?.type === 'json'
        ? { contentType: 'application/json', raw: JSON.stringify(plausible.value) }
        : plausible?.type === 'multipart'
          ? multipartBody(Object.entries(plausible.fields), plausible.file)
          : plausible
            ? { contentType: 'application/x-www-form-urlencoded', raw: formBody(plausible.fields) }
            : undefined,
    values: [],
  };
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
  const who = request.asVisitor
    ? 'visitor'
    : route.guard === 'admin'
      ? 'admin'
      : SPENDS_ITS_PERSON.has(route.label)
        ? 'a member of its own'
        : 'owner';
  const shape = request.validShaped ? ' (valid-shaped)' : '';
  return `${route.method.toUpperCase()} ${url.slice(0, 400)}${request.htmx ? ' (htmx)' : ''}${shape} as ${who}${body}`;
}

/** Answers that accept a request: it was done, or sent on (a redirect). */
const accepted = (status: number) => status >= 200 && status < 400;

/** Bodies that type a password: their runs are checked against the sign-in throttle. */
const typesAPassword = (bodies: Body[]) =>
  bodies.some(
    (body) =>
      body.type === 'form' && ['password', 'current_password', 'delete_password'].some((name) => name in body.fields),
  );

describe('the fuzz of every form, query string and JSON body', () => {
  const seeded = useSeededApp();

  it('answers every request without a 5xx, stores nothing it refuses, reflects no markup, and accepts valid requests', async () => {
    const { app, db } = seeded;
    const knex = db.knex;
    process.stdout.write(
      `Fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} runs per route and form (FUZZ_RUNS)` +
        `${ONLY_ROUTE ? `, ${ONLY_ROUTE} alone (FUZZ_ROUTE)` : ''}\n`,
    );
    const routes = appRoutes(app);
    // One world for every route: each run puts back what an earlier one changed.
    const world = await createWorld(app, knex, { seed: SEED });
    const learnt = { crawl: await crawl(world), world, routes };
    const snapshot = await snapshotWorld(knex, world);
    const failures: string[] = [];
    const tooFewAccepted: string[] = [];
    const byStatus = new Map<number, number>();
    const perRoute: string[] = [];
    let sent = 0;
    let expected = 0;
    let restored = 0;

    for (const [index, route] of routes.entries()) {
      const owner = route.guard === 'admin' ? world.admin : world.owner;
      // Fresh members share the owner's password, so the owner's bodies fit them too. Made for
      // every route, skipped or not, so that one route alone gets the names it gets in the whole run.
      const bodies = bodiesFor(route, learnt, world, owner);
      if (ONLY_ROUTE && route.label !== ONLY_ROUTE) continue;
      const spends = SPENDS_ITS_PERSON.has(route.label);
      const checksPasswords = typesAPassword(bodies);
      const routeStatuses = new Map<number, number>();
      const tally = { valid: 0, validAccepted: 0, accepted: 0 };
      let routeFailures = 0;
      let member: Person | undefined;
      let run = 0;
      const startedAt = Date.now();
      // Every form a route takes gets the runs a route gets: the list's row and its edit page differ.
      const runs = RUNS * Math.max(1, bodies.length);
      expected += runs;

      /** Sets the stage for one run: the world as it was made, and what this route needs to succeed. */
      const setStage = async (): Promise<Person> => {
        if (await restoreWorld(knex, snapshot)) restored += 1;
        if (route.label === 'POST /list/restore') await replantUndo(knex, world);
        if (route.label === 'POST /register') await forgetRegistrations(knex, bodies);
        if (checksPasswords) await clearSignInFailures(knex);
        if (!spends) return owner;
        member ??= await freshMember(app, knex, world.owner.password);
        return member;
      };

      await fc.assert(
        fc.asyncProperty(requestsFor(route, world, learnt, bodies), async (generated) => {
          const nth = run;
          run += 1;
          const request =
            nth % VALID_EVERY === 0 ? validShapedRequest(route, world, bodies, nth / VALID_EVERY) : generated;
          const stagedAt = Date.now();
          const person = await setStage();
          const staging = Date.now() - stagedAt;
          const who = request.asVisitor ? world.visitor : person;
          const ids = spends ? [...worldIds(world), person.id] : worldIds(world);
          const url = urlOf(route, request);
          const session = sessionOf(who.agent);
          // The stage is the world as it was made (restoreWorld checked it), but for a member of the run's own.
          const before = spends ? await storedDigest(knex, ids) : snapshot.digest;
          let response: Response;
          const sentAt = Date.now();
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
          if (accepted(response.status)) tally.accepted += 1;
          if (request.validShaped) {
            tally.valid += 1;
            if (accepted(response.status)) tally.validAccepted += 1;
          }
          const problems: string[] = [];
          if (response.status >= 500) problems.push(`answered ${response.status}`);
          if (response.status >= 400 && response.status < 500 && (await storedDigest(knex, ids)) !== before) {
            problems.push(`answered ${response.status} but changed what is stored`);
          }
          problems.push(...markupProblems(response, request.values));
          if (process.env.FUZZ_DEBUG)
            process.stdout.write(
              `${response.status} ${Date.now() - sentAt} ms (stage ${staging} ms) ${describeRequest(route, url, request)}\n`,
            );
          if (problems.length) {
            routeFailures += 1;
            failures.push(`${describeRequest(route, url, request)}: ${problems.join('; ')}`);
          }
          // A member of the run's own is spent by any answer but a refusal.
          if (who === member) {
            if (response.status < 400 || response.status >= 500) member = undefined;
            return;
          }
          // Signing in or out starts a new session, whose forms carry a new token. A visitor
          // signed in (or registered) is a visitor no more: the next run gets a new one. Anyone
          // else's new session may be another account's (registering signs the new one in).
          // (A session in use has its cookie sent again with each answer: only a new one counts.)
          const cookie = sessionCookie(response);
          if (!cookie || cookie === session) return;
          if (who === world.visitor) world.visitor = await freshVisitor(app);
          else if (route.label === 'POST /login') who.token = await csrfTokenFrom(who.agent, '/settings');
          else await signInAgain(app, knex, who as Person);
        }),
        { seed: SEED + index, numRuns: runs, endOnFailure: true },
      );
      const statuses = [...routeStatuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
      const minimum = Math.ceil(runs * MIN_ACCEPTED);
      if (tally.validAccepted < minimum) {
        tooFewAccepted.push(
          `${route.label}: ${tally.validAccepted} of ${tally.valid} valid-shaped runs accepted, fewer than ${minimum}`,
        );
      }
      perRoute.push(
        `${route.label.padEnd(54)} accepted ${String(tally.accepted).padStart(2)}/${runs}, ` +
          `valid-shaped ${tally.validAccepted}/${tally.valid}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s  ` +
          statuses.join(' ') +
          `${routeFailures ? `  (${routeFailures} failing)` : ''}`,
      );
    }

    const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    process.stdout.write(
      `Fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} runs per route and form (FUZZ_RUNS), ${routes.length} routes, ` +
        `${sent} requests, one in ${VALID_EVERY} valid-shaped; the world put back before ${restored} runs\n` +
        `By status: ${statuses.join(', ')}\n${perRoute.join('\n')}\n` +
        (failures.length ? `${failures.length} failing requests:\n${failures.join('\n')}\n` : 'No failing request.\n') +
        (tooFewAccepted.length
          ? `Routes that accepted too few valid-shaped runs (at least ${MIN_ACCEPTED * 100} % of runs):\n${tooFewAccepted.join('\n')}\n`
          : ''),
    );
    expect(sent).toBe(expected);
    expect(failures).toEqual([]);
    expect(tooFewAccepted).toEqual([]);
  }, 600_000);
});

/** The session cookie an agent holds ("omt.sid=…"), as sessionCookie reads it from an answer. */
function sessionOf(agent: Agent): string | undefined {
  // superagent's jar (cookiejar): the app is served on 127.0.0.1, and the cookie's path is /.
  const jar = (agent as unknown as { jar: { getCookie(name: string, access: object): { value: string } | undefined } })
    .jar;
  const cookie = jar.getCookie(SESSION_COOKIE, { domain: '127.0.0.1', path: '/', secure: false, script: false });
  return cookie && `${SESSION_COOKIE}=${cookie.value}`;
}

/** Signs a person in again, on a new agent: their session was ended, or became another account's. */
async function signInAgain(app: Parameters<typeof signedInAgent>[0], knex: Knex, person: Person): Promise<void> {
  await clearSignInFailures(knex);
  person.agent = await signedInAgent(app, person);
  person.token = await csrfTokenFrom(person.agent, '/settings');
}
