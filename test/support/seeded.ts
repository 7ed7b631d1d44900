import type { Express } from 'express';
import { createTestApp } from './app';
import { createSeededDatabase, type TestDatabase } from './database';

/**
 * A test file's own seeded database and the app over it: made before its tests run, dropped after.
 * Call it in a describe block; read `db` and `app` inside the tests.
 */
export function useSeededApp(): { readonly db: TestDatabase; readonly app: Express } {
  let db: TestDatabase | undefined;
  let app: Express | undefined;
  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get db() {
      if (!db) throw new Error('The seeded database exists only while the tests run');
      return db;
    },
    get app() {
      if (!app) throw new Error('The app exists only while the tests run');
      return app;
    },
  };
}
