import { countEntriesByStatus } from '../../src/users/queries';
import { useSeededApp } from '../support/seeded';
import { createUser } from '../support/session';

/** interaction.list_status_counts, kept by a trigger on user_media, agrees with a recount after every kind of write. */
describe('list status counts', () => {
  const seeded = useSeededApp();

  const recount = async (userId: string) => {
    const rows = await seeded.db
      .knex('interaction.user_media')
      .where({ user_id: userId })
      .groupBy('status')
      .select<{ status: string; entries: number }[]>('status', seeded.db.knex.raw('count(*)::int as entries'));
    return Object.fromEntries(rows.map((row) => [row.status, row.entries]));
  };

  const kept = async (userId: string) => {
    const counts = await countEntriesByStatus(seeded.db.knex, userId);
    return Object.fromEntries(Object.entries(counts).filter(([, entries]) => entries > 0));
  };

  it('follows adds, status changes, other edits, removals and restores', async () => {
    const knex = seeded.db.knex;
    const [user, other] = [await createUser(knex), await createUser(knex)];
    const titles = await knex('media.media').orderBy('id').limit(6).pluck<string[]>('id');
    const entries = knex('interaction.user_media');
    await entries
      .clone()
      .insert(
        titles.map((id, index) => ({ user_id: user.id, media_id: id, status: index < 4 ? 'planning' : 'completed' })),
      );
    await entries.clone().insert({ user_id: other.id, media_id: titles[0], status: 'dropped' });
    expect(await kept(user.id)).toEqual({ planning: 4, completed: 2 });

    await entries
      .clone()
      .where({ user_id: user.id })
      .whereIn('media_id', titles.slice(0, 2))
      .update({ status: 'in_progress' });
    await entries.clone().where({ user_id: user.id, media_id: titles[4] }).update({ status: 'planning', rating: 70 });
    await entries
      .clone()
      .where({ user_id: user.id, media_id: titles[2] })
      .update({ notes: 'only a note', status: 'planning' });
    expect(await kept(user.id)).toEqual({ planning: 3, in_progress: 2, completed: 1 });

    const [removed] = await entries.clone().where({ user_id: user.id, media_id: titles[5] }).delete().returning('*');
    expect(await kept(user.id)).toEqual({ planning: 3, in_progress: 2 });
    await entries.clone().insert(removed).onConflict(['user_id', 'media_id']).ignore();
    // Restoring what is there already changes nothing.
    await entries.clone().insert(removed).onConflict(['user_id', 'media_id']).ignore();

    expect(await kept(user.id)).toEqual({ planning: 3, in_progress: 2, completed: 1 });
    expect(await kept(user.id)).toEqual(await recount(user.id));
    expect(await kept(other.id)).toEqual({ dropped: 1 });
  });

  it('goes with the account when it is deleted', async () => {
    const knex = seeded.db.knex;
    const user = await createUser(knex);
    const [title] = await knex('media.media').orderBy('id').limit(1).pluck<string[]>('id');
    await knex('interaction.user_media').insert({ user_id: user.id, media_id: title, status: 'paused' });
    await knex('users.users').where({ id: user.id }).delete();
    expect(await knex('interaction.list_status_counts').where({ user_id: user.id })).toEqual([]);
  });
});
