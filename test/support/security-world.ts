import crypto from 'node:crypto';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { addRelationship, listRelationshipKinds } from '../../src/media/relationship-queries';
import { formFields } from './pages';
import type { AppRoute } from './routes';
import { hashPassword } from '../../src/users/passwords';
import { emptyRecord } from '../../src/imports/records';
import { createUser, csrfTokenFrom, signedInAgent, type Agent } from './session';

/**
 * A small world of real data for the security proofs: an owner with a private profile and a list
 * holding notes nobody else may read, another member, an administrator, a visitor, and titles
 * linked to each other. Each world uses titles no other world uses, so a test may spoil one.
 */

export interface Person {
  id: string;
  username: string;
  password: string;
  agent: Agent;
  /** A CSRF token taken from a form on a page this agent sees. */
  token: string;
}

export interface Visitor {
  agent: Agent;
  token: string;
}

export interface World {
  visitor: Visitor;
  /** A member whose profile is private, with two titles in their list (one removed, for Undo). */
  owner: Person;
  other: Person;
  admin: Person;
  /** The owner's notes: text that only the owner may ever be shown. */
  secret: string;
  media: {
    /** In the owner's list, in no one else's. */
    owned: string;
    /** Was in the owner's list; removed by the owner, so the owner's session can undo it. */
    undoable: string;
    /** In the other member's list only. */
    othersOwn: string;
    /** linkSource → linkTarget, with the inverse, of kind linkKind. */
    linkSource: string;
    linkTarget: string;
    /** Linked to nothing: a target the admin may link linkSource to. */
    unlinked: string;
  };
  linkKind: string;
  collectionPath: string;
  /** What the catalog administration's routes work on (see plantCatalogPair). */
  catalog: CatalogPair;
  /** The owner's list import, its preview waiting, its first row to review (see plantImport). */
  importJob: string;
  /** The key of an id the owner confirmed in an import (ingest.user_links), for administrators to promote. */
  confirmedKey: string;
}

/** A film listed twice, the ingest run that took it in, and the conflict that run recorded about the two. */
export interface CatalogPair {
  /** The record's work, which Merge retires. */
  duplicate: string;
  /** The work it nearly was, which Merge keeps. */
  original: string;
  jobId: string;
  conflictId: string;
  /** The duplicate's title and its key in the source, for putting it back (restoreWorld). */
  title: string;
  key: string;
}

/** What each world is made with apart from its ids, so one world's forms fit another's. */
export const OWNER_ENTRY = { status: 'in_progress', progress: 1 } as const;
export const NEW_PASSWORD = 'a different fine passphrase';

let worlds = 0;

/**
 * Where the world's made-up names and secrets come from: random unless a test fixes a seed, so
 * that a seeded run sends the same bytes (usernames and notes included) every time.
 */
let names = { seed: crypto.randomBytes(4).toString('hex'), counts: new Map<string, number>() };

/**
 * A name or secret of `length` hex digits, the next from the seed in its own sequence, so that
 * members made for one route do not shift the names in another route's bodies.
 */
function madeUp(length: number, sequence = 'world'): string {
  const count = (names.counts.get(sequence) ?? 0) + 1;
  names.counts.set(sequence, count);
  return crypto.createHash('sha256').update(`${names.seed}:${sequence}:${count}`).digest('hex').slice(0, length);
}

/**
 * Creates a world: users made directly in the database, each signed in through the real form.
 * With a seed, every name and secret in it (and in the bodies made for it) follows from the seed.
 */
export async function createWorld(app: Express, knex: Knex, { seed }: { seed?: number } = {}): Promise<World> {
  if (seed !== undefined) names = { seed: `world-${seed}`, counts: new Map() };
  worlds += 1;
  const titles = await knex('media.media as m')
    .whereNotExists(knex('media.relationships').whereRaw('source_id = m.id or target_id = m.id'))
    .orderBy('m.id')
    .offset((worlds - 1) * 6)
    .limit(6)
    .pluck<string[]>('m.id');
  if (titles.length < 6) throw new Error('The seed catalog has too few unlinked titles for another world');
  const [owned, undoable, othersOwn, linkSource, linkTarget, unlinked] = titles as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const [kind] = await listRelationshipKinds(knex);
  if (!kind) throw new Error('No relationship kinds in the database');
  const outcome = await addRelationship(knex, { sourceId: linkSource, kind, targetId: linkTarget });
  if (outcome !== 'created') throw new Error(`Could not link the world's titles: ${outcome}`);
  const collection = await knex('media.media')
    .whereNotNull('collection_path')
    .orderBy('id')
    .first<{ collection_path: string } | undefined>('collection_path');
  if (!collection) throw new Error('No title in the seed catalog belongs to a franchise');

  const catalog = await plantCatalogPair(knex, madeUp(8, 'catalog'));

  const secret = `owner-private-notes-${madeUp(12)}`;
  const seeded = (role: string) => (seed === undefined ? undefined : `w${madeUp(8)}${role}`);
  const ownerUser = await createUser(knex, { visibility: 'private', username: seeded('owner') });
  const otherUser = await createUser(knex, { username: seeded('other') });
  const adminUser = await createUser(knex, { role: 'admin', username: seeded('admin') });
  await knex('interaction.user_media').insert([
    { user_id: ownerUser.id, media_id: owned, ...OWNER_ENTRY, notes: secret },
    { user_id: ownerUser.id, media_id: undoable, status: 'planning' },
    { user_id: otherUser.id, media_id: othersOwn, status: 'planning', notes: 'the other member’s notes' },
  ]);
  const person = async (user: { id: string; username: string; password: string }): Promise<Person> => {
    const agent = await signedInAgent(app, user);
    return { ...user, agent, token: await csrfTokenFrom(agent, '/settings') };
  };
  const [owner, other, admin] = await Promise.all([person(ownerUser), person(otherUser), person(adminUser)]);
  const removed = await owner.agent
    .post(`/list/${undoable}/remove`)
    .type('form')
    .send({ _csrf: owner.token, next: '/list' });
  if (removed.status !== 303) throw new Error(`The owner could not remove a title (status ${removed.status})`);
  const { jobId: importJob, confirmedKey } = await plantImport(knex, ownerUser.id, unlinked);
  return {
    visitor: await freshVisitor(app),
    owner,
    other,
    admin,
    secret,
    media: { owned, undoable, othersOwn, linkSource, linkTarget, unlinked },
    linkKind: kind.kind,
    collectionPath: collection.collection_path,
    catalog,
    importJob,
    confirmedKey,
  };
}

/**
 * The owner's import of a Letterboxd file, read and waiting for confirmation: one row to review
 * (`candidate` offered) and one to add. What the import routes work on; the owner's alone.
 */
async function plantImport(
  knex: Knex,
  userId: string,
  candidate: string,
): Promise<{ jobId: string; confirmedKey: string }> {
  const [job] = await knex('ingest.import_jobs')
    .insert({
      user_id: userId,
      source_name: 'letterboxd',
      status: 'ready',
      options: { mode: 'fill', format: 'letterboxd' },
    })
    .returning<{ id: string }[]>('id');
  const jobId = job!.id;
  await knex('ingest.import_uploads').insert({
    job_id: jobId,
    file_name: 'watched.csv',
    byte_size: 0,
    bytes: Buffer.alloc(0),
  });
  const record = (title: string, line: number) => ({
    ...emptyRecord({ file: 'watched.csv', line }, ['movie']),
    title,
    year: 2001,
    status: 'completed' as const,
  });
  await knex('ingest.import_rows').insert([
    {
      job_id: jobId,
      row_number: 1,
      file: 'watched.csv',
      line: 2,
      record: record('Uncertain', 2),
      outcome: 'uncertain',
      reason: 'a year off',
    },
    {
      job_id: jobId,
      row_number: 2,
      file: 'watched.csv',
      line: 3,
      record: record('Sure', 3),
      outcome: 'add',
      media_id: candidate,
    },
  ]);
  await knex('ingest.conflicts').insert({
    job_id: jobId,
    kind: 'import',
    user_id: userId,
    row_number: 1,
    source_name: 'letterboxd',
    external_key: 'Uncertain',
    reason: 'a year off',
    payload: JSON.stringify({
      candidates: [{ mediaId: candidate, title: 'Candidate', mediaType: 'movie', year: 2002, popularity: 0 }],
    }),
  });
  // An id the owner confirmed in an earlier import's review: what the administrators promote.
  const confirmedKey = `https://boxd.it/${madeUp(8, 'link')}`;
  await knex('ingest.user_links').insert({
    user_id: userId,
    source_name: 'letterboxd',
    external_key: confirmedKey,
    media_id: candidate,
  });
  return { jobId, confirmedKey };
}

/** The ingest source and key name the world's pair comes from. */
const PAIR_SOURCE = { name: 'wikipedia-movie-data', keyName: 'enwiki' };

/**
 * Two works that are one film (a year apart), the run of the source that made the second, and the
 * conflict it recorded: what Merge and Keep apart act on. The two are linked as alternative
 * versions, so that no later world takes them for its titles (those are unlinked ones).
 */
async function plantCatalogPair(knex: Knex, name: string): Promise<CatalogPair> {
  const [job] = await knex('ingest.import_jobs')
    .insert({
      source_name: PAIR_SOURCE.name,
      status: 'succeeded',
      summary: { records: 1, inserted: 1, conflicts: 1 },
      started_at: knex.fn.now(),
      finished_at: knex.fn.now(),
    })
    .returning<{ id: string }[]>('id');
  const title = `World film ${name}`;
  const key = `World_film_${name}`;
  const [original] = await knex('media.media').insert(pairWork(title, '2001-01-01')).returning<{ id: string }[]>('id');
  const [duplicate] = await knex('media.media').insert(pairWork(title, '2002-01-01')).returning<{ id: string }[]>('id');
  await knex('media.external_links').insert({
    media_id: duplicate!.id,
    source_name: PAIR_SOURCE.keyName,
    external_key: key,
  });
  await knex('media.relationships').insert([
    { source_id: duplicate!.id, kind: 'alternative', target_id: original!.id },
    { source_id: original!.id, kind: 'alternative', target_id: duplicate!.id },
  ]);
  const [conflict] = await knex('ingest.conflicts')
    .insert({
      job_id: job!.id,
      media_id: original!.id,
      source_name: PAIR_SOURCE.name,
      external_key: key,
      reason: 'year_off_by_one',
      payload: { title, date: '2002' },
    })
    .returning<{ id: string }[]>('id');
  return {
    duplicate: duplicate!.id,
    original: original!.id,
    jobId: job!.id,
    conflictId: String(conflict!.id),
    title,
    key,
  };
}

function pairWork(title: string, releaseDate: string) {
  return {
    media_type: 'movie',
    media_class: 'video.film',
    title,
    release_date: releaseDate,
    release_date_precision: 'year',
  };
}

/** Whether the world's pair is as planted: the duplicate there with its key, the conflict open. */
async function catalogPairIntact(knex: Knex, pair: CatalogPair): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: { intact: boolean }[] }>(
    `select exists (select 1 from media.external_links
                     where source_name = :keyName and external_key = :key and media_id = :duplicate)
        and exists (select 1 from ingest.conflicts
                     where id = :conflictId and resolution = 'pending' and media_id = :original) as intact`,
    {
      keyName: PAIR_SOURCE.keyName,
      key: pair.key,
      duplicate: pair.duplicate,
      original: pair.original,
      conflictId: pair.conflictId,
    },
  );
  return rows[0]!.intact;
}

/**
 * Puts the world's pair back after a Merge or a Keep apart: the duplicate (with its id), its key,
 * the conflict open again. Its relationships come back with the world's (restoreWorld).
 */
async function replantCatalogPair(trx: Knex.Transaction, pair: CatalogPair): Promise<void> {
  await trx('media.media')
    .insert({ id: pair.duplicate, ...pairWork(pair.title, '2002-01-01') })
    .onConflict('id')
    .ignore();
  await trx('media.external_links')
    .where({ source_name: PAIR_SOURCE.keyName, external_key: pair.key })
    .update({ media_id: pair.duplicate });
  await trx('ingest.conflicts')
    .where('id', pair.conflictId)
    .update({ resolution: 'pending', resolved_at: null, media_id: pair.original });
}

/** A value for a path parameter, and whether it names something of the owner's own. */
export interface ParamValue {
  value: string;
  /** True when it names the owner's private resource: anyone else must get 404. */
  ownersOwn: boolean;
}

/**
 * Path parameters by name. A route with a parameter not here fails the proofs: add a filler that
 * names real data of the world, and say whether that data belongs to the owner alone.
 */
export const PARAM_FILLERS: Record<string, (world: World, route: AppRoute) => ParamValue> = {
  mediaId: (world) => ({ value: world.media.owned, ownersOwn: true }),
  username: (world) => ({ value: world.owner.username, ownersOwn: true }),
  id: (world) => ({ value: world.media.linkSource, ownersOwn: false }),
  kind: (world) => ({ value: world.linkKind, ownersOwn: false }),
  targetId: (world) => ({ value: world.media.linkTarget, ownersOwn: false }),
  path: (world) => ({ value: world.collectionPath, ownersOwn: false }),
  duplicateId: (world) => ({ value: world.catalog.duplicate, ownersOwn: false }),
  keptId: (world) => ({ value: world.catalog.original, ownersOwn: false }),
  // A catalog run's log is the administrators'; a list import is its owner's alone.
  jobId: (world, route) =>
    route.path.startsWith('/import')
      ? { value: world.importJob, ownersOwn: true }
      : { value: world.catalog.jobId, ownersOwn: false },
  row: () => ({ value: '1', ownersOwn: true }),
};

/** Every path parameter of a route filled from the world; throws naming a parameter nobody taught it. */
export function paramsFor(route: AppRoute, world: World): Record<string, ParamValue> {
  return Object.fromEntries(
    route.params.map((name) => {
      const filler = PARAM_FILLERS[name];
      if (!filler) {
        throw new Error(
          `${route.label}: no filler for :${name}. Add one to PARAM_FILLERS in test/support/security-world.ts ` +
            `that names real data of the world, and say whether it is the owner's own.`,
        );
      }
      return [name, filler(world, route)];
    }),
  );
}

/** Who a crawled page was drawn for. */
export type Role = 'owner' | 'admin' | 'visitor';

/** A form as a page draws it. */
export interface DrawnForm {
  method: string;
  action: string;
  fields: Record<string, string>;
  page: string;
  /** Who the page was drawn for: a form drawn to visitors alone is one a visitor fills in. */
  drawnTo: Role;
}

/** What the pages of a world show: their forms, and the query parameter names their links and search forms use. */
export interface Crawl {
  forms: DrawnForm[];
  queryNames: string[];
}

/** The pages whose forms the proofs learn bodies from, as each role sees them. */
function pagesToCrawl(world: World): { role: Role; who: Agent; pages: string[] }[] {
  return [
    {
      role: 'owner',
      who: world.owner.agent,
      // /list first: it shows the Undo form of the title the owner removed, once.
      pages: [
        '/list',
        '/',
        '/catalog',
        `/list/${world.media.owned}/edit`,
        `/media/${world.media.owned}`,
        `/media/${world.media.unlinked}`,
        '/settings',
        `/users/${world.owner.username}`,
        '/import',
        `/import/${world.importJob}?show=uncertain`,
      ],
    },
    {
      role: 'admin',
      who: world.admin.agent,
      pages: [
        `/media/${world.media.linkSource}`,
        '/admin/catalog',
        '/admin/catalog/links',
        `/admin/catalog/pairs/${world.catalog.duplicate}/${world.catalog.original}/merge`,
      ],
    },
    { role: 'visitor', who: world.visitor.agent, pages: ['/login', '/register', '/settings', '/'] },
  ];
}

/** Reads the forms and links of the world's pages. */
export async function crawl(world: World): Promise<Crawl> {
  const forms: DrawnForm[] = [];
  const queryNames = new Set<string>();
  for (const { role, who, pages } of pagesToCrawl(world)) {
    for (const page of pages) {
      const response = await who.get(page);
      if (response.status !== 200) throw new Error(`Crawling ${page} gave ${response.status}`);
      const $ = cheerio.load(response.text);
      $('form').each((_, element) => {
        const form = $(element);
        const method = (form.attr('method') ?? 'get').toLowerCase();
        const action = form.attr('action') ?? page;
        const fields = formFields($, form);
        // A browser sends the button that was pressed: the first named one stands in for it.
        const button = form.find('button[name]:not([type="button"]):not([type="reset"])').first();
        if (button.length && !(button.attr('name')! in fields))
          fields[button.attr('name')!] = button.attr('value') ?? '';
        if (method === 'get') Object.keys(fields).forEach((name) => queryNames.add(name));
        forms.push({ method, action, fields, page, drawnTo: role });
      });
      $('a[href]').each((_, element) => {
        const href = $(element).attr('href')!;
        if (!href.startsWith('/') || href.startsWith('//')) return;
        new URL(href, 'http://omt.invalid').searchParams.forEach((_value, name) => queryNames.add(name));
      });
    }
  }
  return { forms, queryNames: [...queryNames].sort() };
}

/** The world's values by name, to carry a form drawn in one world over to another. */
function worldValues(world: World): Record<string, string> {
  return {
    ...world.media,
    owner: world.owner.username,
    other: world.other.username,
    admin: world.admin.username,
    importJob: world.importJob,
    confirmedKey: world.confirmedKey,
  };
}

/** What the proofs learnt from one world's pages, with the routes the forms post to. */
export interface Learnt {
  crawl: Crawl;
  world: World;
  routes: AppRoute[];
}

/** A body: form fields (with who the pages draw the form for), or JSON for the API. */
export type Body =
  | { type: 'form'; fields: Record<string, string>; drawnTo?: Role[] }
  | { type: 'json'; value: Record<string, unknown> }
  /** A form with a file (the import's upload): its fields, and the file in the field `file`. */
  | { type: 'multipart'; fields: Record<string, string>; file: { name: string; content: string } };

/**
 * Bodies for routes whose form no crawled page draws (the API has no form). A POST route with
 * neither a drawn form nor an entry here fails the proofs: draw its form on a crawled page, or
 * add it here.
 */
export const UNDRAWN_BODIES: Record<string, (world: World) => Body> = {
  // Drawn only while an import waits for an answer, or once it is applied.
  // A form with a file: the crawl learns urlencoded fields alone, which the upload refuses (422).
  'POST /import': () => ({
    type: 'multipart',
    fields: { source: '', mode: 'fill' },
    file: { name: 'watched.csv', content: 'Date,Name,Year,Letterboxd URI\n2024-01-01,A Film,2001,https://boxd.it/x\n' },
  }),
  'POST /import/:jobId/answer': () => ({ type: 'form', fields: { list_kind: 'watched' } }),
  'POST /import/:jobId/undo': () => ({ type: 'form', fields: {} }),
  'POST /api/media/:id/relationships': (world) => ({
    type: 'json',
    value: { kind: world.linkKind, targetId: world.media.unlinked },
  }),
};

/**
 * Fields whose drawn value cannot succeed (a password box is drawn empty), by name: the value the
 * signed-in person (or, for a visitor, the owner) would type.
 */
function typedValue(
  name: string,
  fields: Record<string, string>,
  world: World,
  who: { username: string; password: string },
): string | undefined {
  // A form with an email field makes an account: its password is a new one, typed twice.
  const registering = 'email' in fields;
  switch (name) {
    case 'password':
      return registering ? NEW_PASSWORD : who.password;
    case 'current_password':
    case 'delete_password':
      return who.password;
    case 'new_password':
    case 'confirm_password':
    case 'confirm':
      return NEW_PASSWORD;
    case 'username':
      return registering ? `fresh${madeUp(10, 'registration')}` : who.username;
    case 'email':
      return `fresh${madeUp(10, 'registration')}@example.com`;
    case 'target_id':
      return world.media.unlinked;
    case 'kind':
      return world.linkKind;
    default:
      return undefined;
  }
}

/**
 * Plausible bodies for a route: one for each differently shaped form the pages draw for it (learnt
 * in the crawl's world and carried over to this one), or the one in UNDRAWN_BODIES; empty for
 * routes that take no body.
 */
export function bodiesFor(
  route: AppRoute,
  learnt: Learnt,
  world: World,
  who: { username: string; password: string },
): Body[] {
  const undrawn = UNDRAWN_BODIES[route.label];
  if (undrawn) return [undrawn(world)];
  // The route Express would hand the form to: the first that matches, as /list/restore comes
  // before /list/:mediaId.
  const forms = learnt.crawl.forms.filter((candidate) => {
    const path = new URL(candidate.action, 'http://omt.invalid').pathname;
    return learnt.routes.find((other) => other.method === candidate.method && other.matches(path)) === route;
  });
  if (!forms.length) {
    if (route.method === 'get' || route.method === 'delete') return [];
    throw new Error(
      `${route.label}: no crawled page draws a form for it. Draw it on a page in pagesToCrawl ` +
        `(test/support/security-world.ts), or give it a body in UNDRAWN_BODIES.`,
    );
  }
  if (route.method === 'get') return [];
  const from = worldValues(learnt.world);
  const to = worldValues(world);
  const carried = (value: string) =>
    Object.entries(from).reduce((text, [name, old]) => text.split(old).join(to[name]), value);
  const shapes = new Map<string, { form: DrawnForm; drawnTo: Set<Role> }>();
  for (const form of forms) {
    const shape = Object.keys(form.fields).sort().join('&');
    const known = shapes.get(shape) ?? { form, drawnTo: new Set<Role>() };
    known.drawnTo.add(form.drawnTo);
    shapes.set(shape, known);
  }
  return [...shapes.values()].map(({ form, drawnTo }) => ({
    type: 'form',
    drawnTo: [...drawnTo].sort(),
    fields: Object.fromEntries(
      Object.entries(form.fields)
        .filter(([name]) => name !== '_csrf')
        .map(([name, value]) => [name, typedValue(name, form.fields, world, who) ?? carried(value)]),
    ),
  }));
}

/** The body of the first form a page draws for a route (see bodiesFor). */
export function bodyFor(
  route: AppRoute,
  learnt: Learnt,
  world: World,
  who: { username: string; password: string },
): Body | undefined {
  return bodiesFor(route, learnt, world, who)[0];
}

/**
 * A digest of what is stored about some people (their accounts, preferences and lists) and, unless
 * told otherwise, of every relationship. Cheap enough to take around each request.
 */
export async function storedDigest(
  knex: Knex,
  ids: string[],
  { relationships = true }: { relationships?: boolean } = {},
): Promise<string> {
  const { rows } = await knex.raw<{ rows: { digest: string }[] }>(
    `select md5(concat_ws('|',
       (select string_agg(concat_ws(',', id, username, email, password_hash, role), ';' order by id)
          from users.users where id = any(:ids::uuid[])),
       (select string_agg(concat_ws(',', user_id, theme, rating_scale, profile_visibility,
                                    catalog_columns::text, list_columns::text), ';' order by user_id)
          from users.preferences where user_id = any(:ids::uuid[])),
       (select string_agg(concat_ws(',', user_id, media_id, status, progress, rating, md5(notes),
                                    started_at, completed_at), ';' order by user_id, media_id)
          from interaction.user_media where user_id = any(:ids::uuid[])),
       (select md5(string_agg(concat_ws(',', source_id, kind, target_id), ';' order by source_id, kind, target_id))
          from media.relationships where :relationships)
     )) as digest`,
    { ids, relationships },
  );
  return rows[0]!.digest;
}

/** A new visitor: an agent with no session, holding the token the sign-in form carries. */
export async function freshVisitor(app: Express): Promise<Visitor> {
  const agent = request.agent(app);
  return { agent, token: await csrfTokenFrom(agent, '/login') };
}

/** Forgets failed sign-ins (and password confirmations), so the throttle refuses nobody in the next run. */
export async function clearSignInFailures(knex: Knex): Promise<void> {
  await knex('auth.login_events').whereNot('outcome', 'success').delete();
}

let memberHash: { password: string; hash: Promise<string> } | undefined;

/**
 * A member of their own, signed in: for a run that may spend its person (sign out, change the
 * password, delete the account). Made in the database with one hash shared by all such members,
 * so only the sign-in pays for argon2.
 */
export async function freshMember(app: Express, knex: Knex, password: string): Promise<Person> {
  if (memberHash?.password !== password) memberHash = { password, hash: hashPassword(password) };
  const username = `m${madeUp(10, 'member')}`;
  const [row] = await knex('users.users')
    .insert({ username, email: `${username}@example.com`, password_hash: await memberHash.hash, role: 'member' })
    .returning<{ id: string }[]>('id');
  await knex('users.preferences').insert({ user_id: row!.id, profile_visibility: 'public' });
  await clearSignInFailures(knex);
  const agent = await signedInAgent(app, { username, password });
  return { id: row!.id, username, password, agent, token: await csrfTokenFrom(agent, '/settings') };
}

/** The rows a world's runs may change, as they were once the world was made, with their digest. */
export interface WorldSnapshot {
  ids: string[];
  titles: string[];
  digest: string;
  userMedia: unknown[];
  preferences: unknown[];
  relationships: unknown[];
  catalog: CatalogPair;
}

/** The world's people (owner, other member, admin), as storedDigest takes them. */
export const worldIds = (world: World): string[] => [world.owner.id, world.other.id, world.admin.id];

/** Takes what restoreWorld puts back: the people's lists and preferences, and the links of the world's titles. */
export async function snapshotWorld(knex: Knex, world: World): Promise<WorldSnapshot> {
  const ids = worldIds(world);
  const titles = [...Object.values(world.media), world.catalog.duplicate, world.catalog.original];
  const rowsOf = async (sql: string, values: Record<string, unknown>) =>
    (await knex.raw<{ rows: { rows: unknown[] | null }[] }>(sql, values)).rows[0]!.rows ?? [];
  return {
    ids,
    titles,
    digest: await storedDigest(knex, ids),
    userMedia: await rowsOf(
      `select json_agg(t) as rows from interaction.user_media t where user_id = any(:ids::uuid[])`,
      { ids },
    ),
    preferences: await rowsOf(`select json_agg(t) as rows from users.preferences t where user_id = any(:ids::uuid[])`, {
      ids,
    }),
    relationships: await rowsOf(
      `select json_agg(t) as rows from media.relationships t
        where source_id = any(:titles::uuid[]) or target_id = any(:titles::uuid[])`,
      { titles },
    ),
    catalog: world.catalog,
  };
}

/**
 * Puts the world back as snapshotWorld took it when a run changed it (a title added, removed or
 * edited, a preference saved, a link made or deleted): one transaction, rows as they were,
 * timestamps included. Throws when what is stored still differs, naming what it cannot restore.
 */
export async function restoreWorld(knex: Knex, snapshot: WorldSnapshot): Promise<boolean> {
  const { ids, titles } = snapshot;
  const pairIntact = await catalogPairIntact(knex, snapshot.catalog);
  if (pairIntact && (await storedDigest(knex, ids)) === snapshot.digest) return false;
  await knex.transaction(async (trx) => {
    // First, so that the relationships below have both their works.
    if (!pairIntact) await replantCatalogPair(trx, snapshot.catalog);
    await trx.raw(`delete from interaction.user_media where user_id = any(?::uuid[])`, [ids]);
    await trx.raw(
      `insert into interaction.user_media select * from json_populate_recordset(null::interaction.user_media, ?::json)`,
      [JSON.stringify(snapshot.userMedia)],
    );
    await trx.raw(`delete from users.preferences where user_id = any(?::uuid[])`, [ids]);
    await trx.raw(
      `insert into users.preferences select * from json_populate_recordset(null::users.preferences, ?::json)`,
      [JSON.stringify(snapshot.preferences)],
    );
    await trx.raw(
      `delete from media.relationships where source_id = any(:titles::uuid[]) or target_id = any(:titles::uuid[])`,
      {
        titles,
      },
    );
    await trx.raw(
      `insert into media.relationships select * from json_populate_recordset(null::media.relationships, ?::json)`,
      [JSON.stringify(snapshot.relationships)],
    );
  });
  if ((await storedDigest(knex, ids)) !== snapshot.digest) {
    throw new Error(
      'restoreWorld could not put the world back: a run changed something it does not restore ' +
        '(an account, or a link between titles outside the world). Teach it in test/support/security-world.ts.',
    );
  }
  return true;
}

/**
 * Plants the owner's Undo again: the undoable title goes back in the list (if a run restored it,
 * it is there already) and the owner removes it through the app, which keeps it in the session.
 */
export async function replantUndo(knex: Knex, world: World): Promise<void> {
  await knex('interaction.user_media')
    .insert({ user_id: world.owner.id, media_id: world.media.undoable, status: 'planning' })
    .onConflict(['user_id', 'media_id'])
    .ignore();
  const removed = await world.owner.agent
    .post(`/list/${world.media.undoable}/remove`)
    .type('form')
    .send({ _csrf: world.owner.token, next: '/list' });
  if (removed.status !== 303) throw new Error(`The owner could not remove a title again (status ${removed.status})`);
}

/** Deletes the accounts a registration form would make, so that it can make them again. */
export async function forgetRegistrations(knex: Knex, bodies: Body[]): Promise<void> {
  const forms = bodies.flatMap((body) => (body.type === 'form' ? [body.fields] : []));
  const usernames = forms.flatMap((fields) => (fields.username ? [fields.username] : []));
  const emails = forms.flatMap((fields) => (fields.email ? [fields.email] : []));
  if (!usernames.length && !emails.length) return;
  await knex('users.users').whereIn('username', usernames).orWhereIn('email', emails).delete();
}
