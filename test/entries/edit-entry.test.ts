import type { Knex } from 'knex';
import { editEntry, type EntryRow } from '../../src/entries/queries';
import { useSeededApp } from '../support/seeded';
import { createUser } from '../support/session';

/**
 * editEntry when another request writes the same entry between its read and its write: the edit
 * is decided again on what the entry holds then, and neither change is lost.
 */
describe('editing an entry while another request changes it', () => {
  const seeded = useSeededApp();

  async function entryOnList() {
    const knex = seeded.db.knex;
    const user = await createUser(knex);
    const media = await knex('media.media').where({ media_type: 'movie' }).orderBy('id').first<{ id: string }>('id');
    await knex('interaction.user_media').insert({
      user_id: user.id,
      media_id: media.id,
      status: 'planning',
      notes: 'mine',
    });
    return { userId: user.id, mediaId: media.id };
  }

  /** Holds the entry's row in an open transaction that has changed its notes. */
  async function otherTabWriting(knex: Knex, userId: string, mediaId: string) {
    const trx = await knex.transaction();
    await trx('interaction.user_media')
      .where({ user_id: userId, media_id: mediaId })
      .update({ notes: 'from the other tab' });
    return trx;
  }

  /** Waits until a statement of this database waits for a row lock. */
  async function someoneWaitsForTheRow(knex: Knex) {
    for (let tries = 0; tries < 200; tries += 1) {
      const { rows } = await knex.raw<{ rows: { waiting: number }[] }>(
        `select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0]!.waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no statement ever waited for the row');
  }

  const stored = (userId: string, mediaId: string) =>
    seeded.db.knex('interaction.user_media').where({ user_id: userId, media_id: mediaId }).first('rating', 'notes');

  it.each([
    ['reads the entry again and writes on top of the other change', 3],
    ['takes the row lock once the unlocked attempts are used up', 1],
  ])('%s', async (_name, unlockedAttempts) => {
    const knex = seeded.db.knex;
    const { userId, mediaId } = await entryOnList();
    const other = await otherTabWriting(knex, userId, mediaId);
    const seen: (string | null)[] = [];
    const editing = editEntry(
      knex,
      userId,
      mediaId,
      (current: EntryRow) => {
        seen.push(current.notes);
        return { next: { ...current, rating: 80 } };
      },
      unlockedAttempts,
    );
    await someoneWaitsForTheRow(knex);
    await other.commit();

    const result = await editing;
    // First decided on the entry as it was, then again on the other tab's version.
    expect(seen).toEqual(['mine', 'from the other tab']);
    expect(result && 'row' in result && result.row.notes).toBe('from the other tab');
    expect(await stored(userId, mediaId)).toEqual({ rating: 80, notes: 'from the other tab' });
  });

  it('is undefined for an entry removed meanwhile', async () => {
    const knex = seeded.db.knex;
    const { userId, mediaId } = await entryOnList();
    const trx = await knex.transaction();
    await trx('interaction.user_media').where({ user_id: userId, media_id: mediaId }).delete();
    const editing = editEntry(knex, userId, mediaId, (current: EntryRow) => ({ next: { ...current, rating: 50 } }));
    await someoneWaitsForTheRow(knex);
    await trx.commit();
    expect(await editing).toBeUndefined();
  });
});
