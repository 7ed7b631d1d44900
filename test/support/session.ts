import * as cheerio from 'cheerio';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { hashPassword } from '../../src/users/passwords';

export type Agent = ReturnType<typeof request.agent>;

/** The CSRF token of the first form on a page, as a browser would submit it. */
export async function csrfTokenFrom(agent: Agent, path: string): Promise<string> {
  const page = await agent.get(path);
  const token = cheerio.load(page.text)('input[name="_csrf"]').first().val();
  if (typeof token !== 'string' || token === '') throw new Error(`No CSRF token on ${path} (status ${page.status})`);
  return token;
}

/** Posts a form the way a browser does: fetches the page for its token first. */
export async function submitForm(agent: Agent, formPage: string, action: string, fields: Record<string, string>) {
  const _csrf = await csrfTokenFrom(agent, formPage);
  return agent
    .post(action)
    .type('form')
    .send({ ...fields, _csrf });
}

let counter = 0;

/** A user made directly in the database (faster than the form), with a known password. */
export async function createUser(
  knex: Knex,
  overrides: {
    username?: string;
    password?: string;
    role?: 'member' | 'admin';
    visibility?: 'public' | 'private';
  } = {},
) {
  counter += 1;
  const username = overrides.username ?? `user${process.pid}x${counter}`;
  const password = overrides.password ?? 'a perfectly fine passphrase';
  const [row] = await knex('users.users')
    .insert({
      username,
      email: `${username}@example.com`,
      password_hash: await hashPassword(password),
      role: overrides.role ?? 'member',
    })
    .returning<{ id: string }[]>('id');
  await knex('users.preferences').insert({ user_id: row!.id, profile_visibility: overrides.visibility ?? 'public' });
  return { id: row!.id, username, password, email: `${username}@example.com` };
}

/** A signed-in agent for the given user. */
export async function signedInAgent(app: Express, user: { username: string; password: string }): Promise<Agent> {
  const agent = request.agent(app);
  const response = await submitForm(agent, '/login', '/login', { username: user.username, password: user.password });
  if (response.status !== 303) throw new Error(`Sign-in failed with ${response.status}`);
  return agent;
}

/** The session cookie's value from a response, if it set one. */
export function sessionCookie(response: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (response.headers['set-cookie'] as string[] | undefined) ?? [];
  const cookie = cookies.find((line) => line.startsWith('omt.sid='));
  return cookie?.split(';')[0];
}
