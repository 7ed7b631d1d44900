import { createSeededDatabase, type TestDatabase } from '../support/database';

describe('interaction.user_media partitioning', () => {
  let db: TestDatabase;
  let userIds: string[];

  beforeAll(async () => {
    db = await createSeededDatabase();
    const users = await db
      .knex('users.users')
      .insert(
        Array.from({ length: 40 }, (_, i) => ({
          username: `reader${i}`,
          email: `reader${i}@example.com`,
          password_hash: 'x',
        })),
      )
      .returning<{ id: string }[]>('id');
    userIds = users.map((user) => user.id);
    const media = await db.knex('media.media').orderBy('id').limit(5).select<{ id: string }[]>('id');
    await db
      .knex('interaction.user_media')
      .insert(
        userIds.flatMap((userId) => media.map((item) => ({ user_id: userId, media_id: item.id, status: 'planning' }))),
      );
    await db.knex.raw('analyze interaction.user_media');
  });

  afterAll(async () => {
    await db.drop();
  });

  it("keeps all of one user's entries in a single partition and spreads users across partitions", async () => {
    const { rows } = await db.knex.raw<{ rows: { user_id: string; partitions: number }[] }>(`
      select user_id, count(distinct tableoid)::int as partitions from interaction.user_media group by user_id`);
    expect(rows).toHaveLength(40);
    expect(rows.every((row) => row.partitions === 1)).toBe(true);
    const { rows: used } = await db.knex.raw<{ rows: { n: number }[] }>(
      'select count(distinct tableoid)::int as n from interaction.user_media',
    );
    expect(used[0]!.n).toBeGreaterThan(8);
  });

  it("reads a single partition for a user's query", async () => {
    const { rows } = await db.knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(
      "explain (costs off) select * from interaction.user_media where user_id = ? and status = 'planning'",
      [userIds[0]!],
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    const partitionsScanned = new Set(plan.match(/user_media_p\d\d/g));
    expect(partitionsScanned.size).toBe(1);
  });

  it("removes a user's entries with the user", async () => {
    // A user of this test's own, so the others' forty stay for the tests beside it, in any order.
    const [leaving] = await db
      .knex('users.users')
      .insert({ username: 'leaving-reader', email: 'leaving-reader@example.com', password_hash: 'x' })
      .returning<{ id: string }[]>('id');
    const media = await db.knex('media.media').orderBy('id').limit(5).pluck<string[]>('id');
    await db
      .knex('interaction.user_media')
      .insert(media.map((id) => ({ user_id: leaving!.id, media_id: id, status: 'planning' })));
    await db.knex('users.users').where({ id: leaving!.id }).delete();
    expect(await db.knex('interaction.user_media').where({ user_id: leaving!.id }).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
    expect(await db.knex('interaction.user_media').where({ user_id: userIds[2] }).count({ n: '*' })).toEqual([
      { n: 5 },
    ]);
  });
});
