import { countEntriesByStatus, recountEntriesByStatus } from '../../src/entries/queries';
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

    const [removed] = await entries
      .clone()
      .where({ user_id: user.id, media_id: titles[5] })
      .delete()
      .returning<Record<string, unknown>[]>('*');
    expect(await kept(user.id)).toEqual({ planning: 3, in_progress: 2 });
    await entries.clone().insert(removed).onConflict(['user_id', 'media_id']).ignore();
    // Restoring what is there already changes nothing.
    await entries.clone().insert(removed).onConflict(['user_id', 'media_id']).ignore();

    expect(await kept(user.id)).toEqual({ planning: 3, in_progress: 2, completed: 1 });
    expect(await kept(user.id)).toEqual(await recount(user.id));
    expect(await kept(other.id)).toEqual({ dropped: 1 });
  });

  it('follows statements that change many entries of several users at once', async () => {
    const knex = seeded.db.knex;
    const [user, other] = [await createUser(knex), await createUser(knex)];
    const titles = await knex('media.media').orderBy('id').offset(10).limit(8).pluck<string[]>('id');
    const entries = knex('interaction.user_media');
    const statuses = ['planning', 'completed', 'in_progress', 'planning', 'dropped', 'completed', 'paused', 'planning'];
    await entries
      .clone()
      .insert([
        ...titles.map((id, index) => ({ user_id: user.id, media_id: id, status: statuses[index] })),
        ...titles.slice(0, 3).map((id) => ({ user_id: other.id, media_id: id, status: 'completed' })),
      ]);
    expect(await kept(user.id)).toEqual({ planning: 3, completed: 2, in_progress: 1, dropped: 1, paused: 1 });
    expect(await kept(other.id)).toEqual({ completed: 3 });

    // One update moving entries of both users in several directions.
    await knex.raw(
      `update interaction.user_media
          set status = case when status = 'planning' then 'in_progress' when status = 'completed' then 'dropped' else status end
        where user_id in (?, ?)`,
      [user.id, other.id],
    );
    expect(await kept(user.id)).toEqual({ in_progress: 4, dropped: 3, paused: 1 });
    expect(await kept(other.id)).toEqual({ dropped: 3 });

    // An upsert: one entry added, two changed.
    await entries
      .clone()
      .insert([
        { user_id: other.id, media_id: titles[0], status: 'paused' },
        { user_id: other.id, media_id: titles[1], status: 'paused' },
        { user_id: other.id, media_id: titles[7], status: 'planning' },
      ])
      .onConflict(['user_id', 'media_id'])
      .merge(['status']);
    expect(await kept(other.id)).toEqual({ paused: 2, dropped: 1, planning: 1 });

    await entries.clone().whereIn('user_id', [user.id, other.id]).whereIn('media_id', titles.slice(0, 5)).delete();
    expect(await kept(user.id)).toEqual({ in_progress: 1, dropped: 1, paused: 1 });
    expect(await kept(other.id)).toEqual({ planning: 1 });
    for (const id of [user.id, other.id]) expect(await kept(id)).toEqual(await recount(id));
  });

  it('writes no count for an edit that keeps the status', async () => {
    const knex = seeded.db.knex;
    const user = await createUser(knex);
    const [title] = await knex('media.media').orderBy('id').offset(20).limit(1).pluck<string[]>('id');
    await knex('interaction.user_media').insert({ user_id: user.id, media_id: title, status: 'planning' });
    const version = () =>
      knex('interaction.list_status_counts')
        .where({ user_id: user.id })
        .first<{ xmin: string } | undefined>(knex.raw('xmin::text as xmin'));
    const before = await version();
    await knex('interaction.user_media').where({ user_id: user.id, media_id: title }).update({ rating: 60 });
    expect(await version()).toEqual(before);
  });

  it('locks the counts in one order, so an import meeting another writer waits instead of deadlocking', async () => {
    const knex = seeded.db.knex;
    const user = await createUser(knex);
    const titles = await knex('media.media').orderBy('id').offset(30).limit(6).pluck<string[]>('id');
    const entry = (index: number, status: string) => ({ user_id: user.id, media_id: titles[index], status });
    await knex('interaction.user_media').insert([entry(0, 'planning'), entry(1, 'completed')]);

    // B adds a completed title (it now holds that count) and keeps its transaction open.
    const b = await knex.transaction();
    const a = await knex.transaction();
    try {
      await b('interaction.user_media').insert(entry(2, 'completed'));
      const { rows } = await a.raw<{ rows: { pid: number }[] }>('select pg_backend_pid() as pid');
      // A imports a planned and a completed title in one statement: it waits for B's count.
      const imported = a('interaction.user_media').insert([entry(3, 'planning'), entry(4, 'completed')]);
      const importing = imported.then(() => 'done');
      for (let waited = 0; ; waited += 1) {
        // (A's own wait: other test files share the server.)
        const [row] = await knex('pg_locks')
          .where({ granted: false, pid: rows[0]!.pid })
          .count<{ waiting: string }[]>({ waiting: '*' });
        if (Number(row?.waiting) > 0) break;
        if (waited > 200) throw new Error('the import never waited for the other writer');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // B goes on with a planned title. Counted row by row, A would hold the planning count while
      // waiting for the completed one, and this would deadlock; in order, A holds nothing yet.
      await b('interaction.user_media').insert(entry(5, 'planning'));
      await b.commit();
      expect(await importing).toBe('done');
      await a.commit();
    } finally {
      if (!a.isCompleted()) await a.rollback();
      if (!b.isCompleted()) await b.rollback();
    }
    expect(await kept(user.id)).toEqual({ planning: 3, completed: 3 });
  });

  it('rebuilds drifted counts from the entries, for one user or for everyone', async () => {
    const knex = seeded.db.knex;
    const [user, other] = [await createUser(knex), await createUser(knex)];
    const titles = await knex('media.media').orderBy('id').offset(40).limit(3).pluck<string[]>('id');
    await knex('interaction.user_media').insert([
      { user_id: user.id, media_id: titles[0], status: 'planning' },
      { user_id: user.id, media_id: titles[1], status: 'completed' },
      { user_id: other.id, media_id: titles[2], status: 'paused' },
    ]);
    const counts = knex('interaction.list_status_counts');
    await counts.clone().where({ user_id: user.id, status: 'planning' }).update({ entries: 7 });
    await counts.clone().where({ user_id: user.id, status: 'completed' }).delete();
    await counts.clone().where({ user_id: other.id }).update({ entries: 0 });

    await recountEntriesByStatus(knex, user.id);
    expect(await kept(user.id)).toEqual({ planning: 1, completed: 1 });
    expect(await kept(other.id)).toEqual({});

    await recountEntriesByStatus(knex);
    expect(await kept(other.id)).toEqual({ paused: 1 });
    expect(await kept(user.id)).toEqual(await recount(user.id));
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
