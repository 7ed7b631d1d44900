import * as cheerio from 'cheerio';
import type { Express } from 'express';
import type request from 'supertest';
import { createSessionStore } from '../../src/auth/session';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, signedInAgent } from '../support/session';

describe('session lifetime', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex, { config: { sessionIdleMinutes: 60, sessionAbsoluteHours: 24 } });
  });

  afterAll(async () => {
    await db.drop();
  });

  const signedInName = async (agent: ReturnType<typeof request.agent>) =>
    cheerio
      .load((await agent.get('/')).text)('.signed-in-as strong')
      .text();

  it('ends a session that has not been used for the idle time', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    expect(await signedInName(agent)).toBe(user.username);
    await db
      .knex('auth.sessions')
      .whereRaw("sess -> 'passport' ->> 'user' = ?", [user.id])
      .update({ expire: db.knex.raw("now() - interval '1 second'") });
    expect(await signedInName(agent)).toBe('');
  });

  it('moves a session in use on by the idle time, writing it at most once a minute', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    const stored = () =>
      db
        .knex('auth.sessions')
        .whereRaw("sess -> 'passport' ->> 'user' = ?", [user.id])
        .first<{ expire: Date; lastSeenAt: string | null }>(
          'expire',
          db.knex.raw('sess ->> \'lastSeenAt\' as "lastSeenAt"'),
        );
    await agent.get('/');
    const first = await stored();
    expect(first.lastSeenAt).not.toBeNull();
    // Within the minute: no write, the stored expiry stays where it was.
    await agent.get('/');
    expect(await stored()).toEqual(first);
    // A minute later, the next request moves it on by the idle time (60 minutes here).
    await db.knex.raw(
      `update auth.sessions set sess = jsonb_set(sess::jsonb, '{lastSeenAt}', to_jsonb(?::bigint))::json,
         expire = now() + interval '5 minutes'
       where sess -> 'passport' ->> 'user' = ?`,
      [Date.now() - 61_000, user.id],
    );
    const before = Date.now();
    expect(await signedInName(agent)).toBe(user.username);
    const moved = await stored();
    expect(Number(moved.lastSeenAt)).toBeGreaterThanOrEqual(before);
    expect(moved.expire.getTime()).toBeGreaterThanOrEqual(before + 59 * 60_000);
  });

  it('never brings back a session deleted while a request was using it', async () => {
    const store = createSessionStore(db.knex, false);
    const sid = 'deleted-while-in-use';
    await db.knex('auth.sessions').insert({
      sid,
      sess: JSON.stringify({ cookie: {}, lastSeenAt: Date.now() - 120_000 }),
      expire: db.knex.raw("now() + interval '1 hour'"),
    });
    // The request read it; then it was signed out elsewhere; then the request ends.
    // The store hands on what pg failed with: an Error (its callback's type says only unknown).
    const seen = await new Promise<Record<string, unknown>>((resolve, reject: (error: Error) => void) =>
      store.get(sid, (error, data) =>
        error ? reject(error as Error) : resolve(data as unknown as Record<string, unknown>),
      ),
    );
    await db.knex('auth.sessions').where({ sid }).delete();
    await new Promise<void>((resolve, reject) =>
      store.touch(sid, { ...seen, cookie: { expires: new Date(Date.now() + 3_600_000) } } as never, (error?: Error) =>
        error ? reject(error) : resolve(),
      ),
    );
    // connect-pg-simple's close is async, though its types say void.
    await (store.close() as unknown as Promise<void>);
    expect(await db.knex('auth.sessions').where({ sid })).toEqual([]);
  });

  it('ends a session at the absolute limit even while it is in use', async () => {
    const user = await createUser(db.knex);
    const agent = await signedInAgent(app, user);
    expect(await signedInName(agent)).toBe(user.username);
    await db.knex.raw(
      `update auth.sessions set sess = jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb(?::bigint))::json
       where sess -> 'passport' ->> 'user' = ?`,
      [Date.now() - 25 * 3_600_000, user.id],
    );
    expect(await signedInName(agent)).toBe('');
  });

  it('prunes expired sessions from the store', async () => {
    await db.knex('auth.sessions').insert([
      { sid: 'expired-one', sess: JSON.stringify({ cookie: {} }), expire: db.knex.raw("now() - interval '1 hour'") },
      { sid: 'still-valid', sess: JSON.stringify({ cookie: {} }), expire: db.knex.raw("now() + interval '1 hour'") },
    ]);
    const store = createSessionStore(db.knex, false);
    await new Promise<void>((resolve, reject) =>
      store.pruneSessions((error?: Error) => (error ? reject(error) : resolve())),
    );
    // connect-pg-simple's close is async, though its types say void.
    await (store.close() as unknown as Promise<void>);
    const sids = (
      await db.knex('auth.sessions').whereIn('sid', ['expired-one', 'still-valid']).select<{ sid: string }[]>('sid')
    ).map((row) => row.sid);
    expect(sids).toEqual(['still-valid']);
  });
});
