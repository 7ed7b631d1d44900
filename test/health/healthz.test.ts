import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createKnex } from '../../src/database/connection';
import { findFreePort } from '../../src/database/embedded';
import { createTestApp } from '../support/app';

const silentLogger = pino({ level: 'silent' });
import { createSeededDatabase, type TestDatabase } from '../support/database';

describe('GET /healthz', () => {
  describe('when the database answers', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await createSeededDatabase();
    });

    afterAll(async () => {
      await db.drop();
    });

    it('is 200 with status ok and the database up, never cached', async () => {
      const response = await request(createTestApp(db.knex)).get('/healthz');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ status: 'ok', database: 'up' });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('does not fill the request log with a line per check', async () => {
      const chunks: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          chunks.push(chunk.toString());
          callback();
        },
      });
      const app = createTestApp(db.knex, { logger: pino({ level: 'info' }, stream) });

      await request(app).get('/healthz').expect(200);
      await request(app).get('/no-such-page').expect(404);

      const loggedPaths = () =>
        chunks
          .join('')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => (JSON.parse(line) as { req?: { path?: string } }).req?.path);
      // The line is written when the response finishes, which can be a moment after the client has it.
      const deadline = Date.now() + 2000;
      while (!loggedPaths().includes('/no-such-page') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const paths = loggedPaths();
      expect(paths).toContain('/no-such-page');
      expect(paths).not.toContain('/healthz');
    });
  });

  describe('when nothing listens where the database should be', () => {
    let knex: Knex;

    beforeAll(async () => {
      const port = await findFreePort();
      knex = createKnex(`postgres://postgres@127.0.0.1:${port}/x`, { poolMax: 1, logger: silentLogger });
    });

    afterAll(async () => {
      await knex.destroy();
    });

    it('is 503 with status unavailable and the database down, never cached', async () => {
      const response = await request(createTestApp(knex)).get('/healthz');

      expect(response.status).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ status: 'unavailable', database: 'down' });
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });
});
