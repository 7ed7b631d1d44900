import { countEntriesByStatus } from '../../src/entries/queries';
import { runCliCommand } from '../support/cli';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser } from '../support/session';

describe('npm run recount', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('rebuilds every list’s counts by status from its entries', async () => {
    const knex = db.knex;
    const user = await createUser(knex);
    const titles = await knex('media.media').orderBy('id').limit(3).pluck<string[]>('id');
    await knex('interaction.user_media').insert(
      titles.map((id, index) => ({ user_id: user.id, media_id: id, status: index ? 'completed' : 'paused' })),
    );
    // Counts gone wrong, as after a load with the triggers off.
    await knex('interaction.list_status_counts').where({ user_id: user.id }).update({ entries: 40 });

    const run = await runCliCommand('database.ts', db.url, ['recount']);
    expect(run.code).toBe(0);
    expect(await countEntriesByStatus(knex, user.id)).toMatchObject({ paused: 1, completed: 2, planning: 0 });
  });
});
