import net from 'node:net';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createKnex } from '../../src/database/connection';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, sessionCookie, submitForm, type Agent } from '../support/session';

/**
 * The session store's queries fail for real here: the backend running one is terminated by
 * pg_terminate_backend (a dead pooled connection, as in a database restart), or the app's Knex
 * points at a port nothing listens on (the database down). No mock stands in for PostgreSQL.
 */
describe('sessions when the database fails', () => {
  let db: TestDatabase;
  let app: Express;
  let control: Knex;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
    // Locks and terminations come from a pool of their own, not the app's.
    control = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 2 } });
  });

  afterAll(async () => {
    await control.destroy();
    await db.drop();
  });

  const signIn = async () => {
    const user = await createUser(db.knex);
    const agent = request.agent(app);
    const response = await submitForm(agent, '/login', '/login', { username: user.username, password: user.password });
    expect(response.status).toBe(303);
    return { user, agent, cookie: sessionCookie(response)! };
  };

  const sessionRows = (userId: string) =>
    db.knex('auth.sessions').whereRaw("sess -> 'passport' ->> 'user' = ?", [userId]).count<{ count: number }[]>('*');

  const rowCount = async (userId: string) => Number((await sessionRows(userId))[0]!.count);

  const signedInName = async (agent: Agent) => {
    const response = await agent.get('/settings');
    expect(response.status).toBe(200);
    return cheerio.load(response.text)('.signed-in-as strong').text();
  };

  /** Holds a lock on auth.sessions in a transaction of its own until released. */
  const lockSessions = async (mode: 'access exclusive' | 'exclusive') => {
    const trx = await control.transaction();
    await trx.raw(`lock table auth.sessions in ${mode} mode`);
    return () => trx.commit();
  };

  /** Terminates the backend waiting on that lock to run the statement that starts with `prefix`. */
  const terminateWaiting = async (prefix: string) => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const { rows } = await control.raw<{ rows: { terminated: boolean }[] }>(
        `select pg_terminate_backend(pid) as terminated from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike ?`,
        [`${prefix}%`],
      );
      if (rows.some((row) => row.terminated)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`No backend waited to run ${prefix}`);
  };

  /** Starts a request at once (supertest waits for .then) and gives its response later. */
  const start = (test: request.Test) => test.then((response) => response);

  it('answers a read that died with the connection with 503, keeps the row, and the cookie stays signed in', async () => {
    const { user, agent } = await signIn();
    expect(await rowCount(user.id)).toBe(1);

    const release = await lockSessions('access exclusive');
    const pending = start(agent.get('/settings'));
    await terminateWaiting('select sess from');
    // Anything the request does to the row after its failed read (a delete, say) now runs.
    await release();
    const response = await pending;

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(response.headers.location).toBeUndefined();
    expect(await rowCount(user.id)).toBe(1);
    expect(await signedInName(agent)).toBe(user.username);
  });

  it('keeps every session while the database is down, and the same cookie is signed in once it is back', async () => {
    const { user, cookie } = await signIn();
    // A port that was just free: nothing listens there, so every connection is refused.
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const downKnex = createKnex(`postgres://postgres@127.0.0.1:${closedPort}/postgres`, {
      poolMax: 2,
      logger: pino({ level: 'silent' }),
    });
    const down = createTestApp(downKnex);
    try {
      for (const path of ['/settings', '/list', '/']) {
        const response = await request(down).get(path).set('Cookie', cookie);
        expect(response.status).toBe(503);
        expect(response.headers.location).toBeUndefined();
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      const form = await request(down)
        .post('/settings/theme')
        .set('Cookie', cookie)
        .type('form')
        .send({ theme: 'dark' });
      expect(form.status).toBe(503);
    } finally {
      await downKnex.destroy();
    }

    expect(await rowCount(user.id)).toBe(1);
    const back = await request(app).get('/settings').set('Cookie', cookie);
    expect(back.status).toBe(200);
    expect(cheerio.load(back.text)('.signed-in-as strong').text()).toBe(user.username);
  });

  it('sends the whole page when moving the expiry on fails afterwards, and signs nobody out', async () => {
    const { user, agent } = await signIn();
    await agent.get('/settings');
    // A minute since the expiry last moved: this request touches the row as it ends.
    await db.knex.raw(
      `update auth.sessions set sess = jsonb_set(sess::jsonb, '{lastSeenAt}', to_jsonb(?::bigint))::json
        where sess -> 'passport' ->> 'user' = ?`,
      [Date.now() - 120_000, user.id],
    );
    // Reads go on under an exclusive lock; the touch's update waits, and dies.
    const release = await lockSessions('exclusive');
    const pending = start(agent.get('/settings'));
    await terminateWaiting('update auth.sessions');
    const response = await pending;
    await release();

    expect(response.status).toBe(200);
    expect(cheerio.load(response.text)('h1').text()).toBe('Settings');
    expect(response.text.trimEnd()).toMatch(/<\/html>$/);
    expect(await rowCount(user.id)).toBe(1);
    expect(await signedInName(agent)).toBe(user.username);
  });

  it('sends the whole page when saving the session fails afterwards, and signs nobody out', async () => {
    const { user, agent } = await signIn();
    // The first page after signing in reads the flash and makes a CSRF token: the session is
    // saved as the response ends.
    const release = await lockSessions('exclusive');
    const pending = start(agent.get('/settings'));
    await terminateWaiting('insert into');
    const response = await pending;
    await release();

    expect(response.status).toBe(200);
    expect(response.text.trimEnd()).toMatch(/<\/html>$/);
    expect(await rowCount(user.id)).toBe(1);
    expect(await signedInName(agent)).toBe(user.username);
    // The token the page was drawn with was never stored; the next page's form works.
    const saved = await submitForm(agent, '/settings', '/settings/theme', { theme: 'dark' });
    expect(saved.status).toBe(303);
  });
});
