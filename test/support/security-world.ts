import crypto from 'node:crypto';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { addRelationship, listRelationshipKinds } from '../../src/media/relationships';
import { formFields } from './pages';
import type { AppRoute } from './routes';
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
}

/** What each world is made with apart from its ids, so one world's forms fit another's. */
export const OWNER_ENTRY = { status: 'in_progress', progress: 1 } as const;
export const NEW_PASSWORD = 'a different fine passphrase';

let worlds = 0;

/** Creates a world: users made directly in the database, each signed in through the real form. */
export async function createWorld(app: Express, knex: Knex): Promise<World> {
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

  const secret = `owner-private-notes-${crypto.randomBytes(6).toString('hex')}`;
  const ownerUser = await createUser(knex, { visibility: 'private' });
  const otherUser = await createUser(knex);
  const adminUser = await createUser(knex, { role: 'admin' });
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
  const visitorAgent = request.agent(app);
  const visitor = { agent: visitorAgent, token: await csrfTokenFrom(visitorAgent, '/login') };
  return {
    visitor,
    owner,
    other,
    admin,
    secret,
    media: { owned, undoable, othersOwn, linkSource, linkTarget, unlinked },
    linkKind: kind.kind,
    collectionPath: collection.collection_path,
  };
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

/** A form as a page draws it. */
export interface DrawnForm {
  method: string;
  action: string;
  fields: Record<string, string>;
  page: string;
}

/** What the pages of a world show: their forms, and the query parameter names their links and search forms use. */
export interface Crawl {
  forms: DrawnForm[];
  queryNames: string[];
}

/** The pages whose forms the proofs learn bodies from, as each role sees them. */
function pagesToCrawl(world: World): { who: Agent; pages: string[] }[] {
  return [
    {
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
      ],
    },
    { who: world.admin.agent, pages: [`/media/${world.media.linkSource}`] },
    { who: world.visitor.agent, pages: ['/login', '/register', '/settings', '/'] },
  ];
}

/** Reads the forms and links of the world's pages. */
export async function crawl(world: World): Promise<Crawl> {
  const forms: DrawnForm[] = [];
  const queryNames = new Set<string>();
  for (const { who, pages } of pagesToCrawl(world)) {
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
        forms.push({ method, action, fields, page });
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
  return { ...world.media, owner: world.owner.username, other: world.other.username, admin: world.admin.username };
}

/** What the proofs learnt from one world's pages, with the routes the forms post to. */
export interface Learnt {
  crawl: Crawl;
  world: World;
  routes: AppRoute[];
}

/** A body: form fields, or JSON for the API. */
export type Body = { type: 'form'; fields: Record<string, string> } | { type: 'json'; value: Record<string, unknown> };

/**
 * Bodies for routes whose form no crawled page draws (the API has no form). A POST route with
 * neither a drawn form nor an entry here fails the proofs: draw its form on a crawled page, or
 * add it here.
 */
export const UNDRAWN_BODIES: Record<string, (world: World) => Body> = {
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
      return registering ? `fresh${crypto.randomBytes(5).toString('hex')}` : who.username;
    case 'email':
      return `fresh${crypto.randomBytes(5).toString('hex')}@example.com`;
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
    Object.entries(from).reduce((text, [name, old]) => text.split(old).join(to[name]!), value);
  const shapes = new Map<string, DrawnForm>();
  for (const form of forms) {
    const shape = Object.keys(form.fields).sort().join('&');
    if (!shapes.has(shape)) shapes.set(shape, form);
  }
  return [...shapes.values()].map((form) => ({
    type: 'form',
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
