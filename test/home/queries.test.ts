import type { Knex } from 'knex';
import { listNewestReleases } from '../../src/home/queries';
import { createSeededDatabase, type TestDatabase } from '../support/database';

describe('home page queries', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
    await db.knex.raw('analyze media.media');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('reads the newest releases from the release-date index instead of sorting the catalog', async () => {
    const { sql, bindings } = (listNewestReleases(db.knex, 8) as unknown as Knex.QueryBuilder).toSQL().toNative();
    const { rows } = await db.knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(
      `explain ${sql.replace(/\$(\d+)/g, '?')}`,
      [...bindings] as Knex.RawBinding[],
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('media_release_date_idx');
    expect(plan).not.toMatch(/Sort\b/);
  });
});
