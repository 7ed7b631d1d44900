import crypto from 'node:crypto';
import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { visitorCsrfCookie } from '../../src/auth/csrf';
import { createTestApp, testConfig } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';

/** A session cookie for `sid`, signed as express-session signs one with the test secret. */
function signedSessionCookie(sid: string, mac?: string): string {
  const signature = (
    mac ?? crypto.createHmac('sha256', testConfig.sessionSecrets[0]!).update(sid).digest('base64')
  ).replace(/=+$/, '');
  return `omt.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

describe("a visitor's CSRF token and the session cookie's signature", () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('never lets a visitor have a session id of their choosing signed', async () => {
    // The visitor picks the nonce, and reads its token off the form.
    const nonce = 'A'.repeat(43);
    const page = await request(app)
      .get('/login')
      .set('Cookie', `${visitorCsrfCookie(false)}=${nonce}`);
    const token = cheerio.load(page.text)('input[name="_csrf"]').val() as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Were the token a MAC under the session secret itself, it would sign some string holding
    // the nonce as a session id: try the strings it could have signed.
    const mac = Buffer.from(token, 'base64url').toString('base64');
    for (const sid of [nonce, `omt visitor csrf\0${nonce}`, `omt visitor csrf${nonce}`]) {
      expect(signedSessionCookie(sid, mac)).not.toBe(signedSessionCookie(sid));
    }
  });

  it('looks up no session id the app could not have made, however well signed', async () => {
    const before = await db.knex('auth.sessions').count<{ count: number }[]>('*');
    for (const sid of ['a\0b', 'short', `${'x'.repeat(32)}'; drop table auth.sessions; --`, 'é'.repeat(32)]) {
      const response = await request(app).get('/').set('Cookie', signedSessionCookie(sid));
      expect(response.status).toBe(200);
      expect(cheerio.load(response.text)('a[href="/login"]').length).toBeGreaterThan(0);
    }
    expect(await db.knex('auth.sessions').count<{ count: number }[]>('*')).toEqual(before);
  });
});
