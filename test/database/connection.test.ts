import { createKnex } from '../../src/database/connection';
import { createEmptyDatabase, type TestDatabase } from '../support/database';

describe('the app’s database connections', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('run without parallel query workers, on every connection of the pool', async () => {
    const knex = createKnex(db.url, { poolMax: 3 });
    try {
      // Three at once, so the pool opens three connections.
      const settings = await Promise.all(
        [1, 2, 3].map(() =>
          knex.transaction(async (trx) => {
            const { rows } = await trx.raw<{ rows: { max_parallel_workers_per_gather: string }[] }>(
              'show max_parallel_workers_per_gather',
            );
            await trx.raw('select pg_sleep(0.05)');
            return rows[0]!.max_parallel_workers_per_gather;
          }),
        ),
      );
      expect(settings).toEqual(['0', '0', '0']);
    } finally {
      await knex.destroy();
    }
  });
});
