import type { Knex } from 'knex';
import { MAX_NOTES } from './rules';

/**
 * What people hold about a work, moved to another work when an administrator retires a duplicate
 * (src/admin/merge-queries.ts runs it inside the retirement's transaction): list entries, their
 * history, reviews and custom lists' items. Every table here refers to media.media; the entries,
 * reviews and list items forbid deleting a work they name, so they all move before the duplicate
 * is deleted.
 *
 * Where one person tracks both works, the entry changed last wins: its status, progress, rating
 * and dates are the ones kept, on the kept work's row, and the other entry's notes are added
 * below the winner's after NOTES_SEPARATOR (unless they are empty or already in them, so a second
 * merge adds nothing twice; when the winner has none, the other's alone). The triggers
 * on user_media keep media.media.tracking_count and interaction.list_status_counts right through
 * every statement here: a moved entry changes work, not status; a merged pair loses one entry.
 * A moved entry's updated_at becomes the time of the move (the table's touch trigger sets it on
 * every update): its work did change.
 */

/** Between the winner's notes and the other entry's, so that the person sees where one ends. */
export const NOTES_SEPARATOR = '\n\n--- Notes from the duplicate entry, merged ---\n';

export interface MovedEntries {
  /** Entries that moved to the kept work as they were (their person did not track it). */
  moved: number;
  /** People who tracked both works: their two entries became one. */
  merged: number;
  /** Of those, the people whose notes were joined. */
  notesJoined: number;
}

export class NotesTooLongError extends Error {
  constructor(readonly people: number) {
    super(`joining the notes of ${people} people would pass ${MAX_NOTES} characters`);
  }
}

/**
 * The two entries of each person who tracks both works, one row per person: the winner's values
 * (the later updated_at wins, the kept work's entry on a tie), both creation times, and the notes
 * joined (see the top of this file).
 */
const BOTH_ENTRIES = `
  select b.*,
         case
           when nullif(btrim(b.other_notes), '') is null then b.winner_notes
           when nullif(btrim(b.winner_notes), '') is null then b.other_notes
           when strpos(b.winner_notes, btrim(b.other_notes)) > 0 then b.winner_notes
           else b.winner_notes || :separator || b.other_notes
         end as joined_notes
    from (select k.user_id, x.duplicate_wins,
                 k.created_at as kept_created, d.created_at as duplicate_created,
                 case when x.duplicate_wins then d.status else k.status end as status,
                 case when x.duplicate_wins then d.progress else k.progress end as progress,
                 case when x.duplicate_wins then d.rating else k.rating end as rating,
                 case when x.duplicate_wins then d.started_at else k.started_at end as started_at,
                 case when x.duplicate_wins then d.completed_at else k.completed_at end as completed_at,
                 case when x.duplicate_wins then d.meta_snapshot else k.meta_snapshot end as meta_snapshot,
                 case when x.duplicate_wins then d.notes else k.notes end as winner_notes,
                 case when x.duplicate_wins then k.notes else d.notes end as other_notes
            from interaction.user_media k
            join interaction.user_media d on d.user_id = k.user_id and d.media_id = :from
            cross join lateral (select d.updated_at > k.updated_at as duplicate_wins) x
           where k.media_id = :to) b`;

/**
 * Moves everything people hold about work `from` to work `to`, in the caller's transaction (see
 * the top of this file). Throws NotesTooLongError, having written nothing, when someone's joined
 * notes would pass the notes' limit: cutting them would lose what they wrote.
 */
export async function moveEntriesToWork(trx: Knex.Transaction, from: string, to: string): Promise<MovedEntries> {
  const bindings = { from, to, separator: NOTES_SEPARATOR };
  const { rows: checks } = await trx.raw<{ rows: { merged: number; notesJoined: number; tooLong: number }[] }>(
    `select count(*)::int as merged,
            count(*) filter (where joined_notes is distinct from winner_notes)::int as "notesJoined",
            count(*) filter (where length(joined_notes) > ${MAX_NOTES})::int as "tooLong"
       from (${BOTH_ENTRIES}) both_entries`,
    bindings,
  );
  const { merged, notesJoined, tooLong } = checks[0]!;
  if (tooLong > 0) throw new NotesTooLongError(tooLong);

  // History first, so the removal of the losing entries below (recorded on the duplicate, which is
  // deleted with its rows) does not show in anyone's activity.
  await trx.raw(`update interaction.list_activity set media_id = :to where media_id = :from`, bindings);

  if (merged > 0) {
    // The kept work's row takes the winner's values and the joined notes; a row that would not
    // change is left alone (an update would stamp it as changed now).
    await trx.raw(
      `update interaction.user_media k
          set status = b.status, progress = b.progress, rating = b.rating, started_at = b.started_at,
              completed_at = b.completed_at, meta_snapshot = b.meta_snapshot, notes = b.joined_notes,
              created_at = least(b.kept_created, b.duplicate_created)
         from (${BOTH_ENTRIES}) b
        where k.user_id = b.user_id and k.media_id = :to
          and (b.duplicate_wins or b.joined_notes is distinct from b.winner_notes
               or b.duplicate_created < b.kept_created)`,
      bindings,
    );
    await trx.raw(
      `delete from interaction.user_media d
        where d.media_id = :from
          and exists (select 1 from interaction.user_media k where k.user_id = d.user_id and k.media_id = :to)`,
      bindings,
    );
  }
  const moved = await trx('interaction.user_media').where('media_id', from).update({ media_id: to });

  // A review and a custom list hold a work once: the kept work's stays where both exist (the
  // later review wins, as entries do), the duplicate's moves otherwise.
  await trx.raw(
    `delete from interaction.reviews r
      using interaction.reviews o
      where o.user_id = r.user_id
        and ((r.media_id = :from and o.media_id = :to and o.updated_at >= r.updated_at)
          or (r.media_id = :to and o.media_id = :from and o.updated_at > r.updated_at))`,
    bindings,
  );
  await trx('interaction.reviews').where('media_id', from).update({ media_id: to });
  await trx.raw(
    `delete from interaction.list_items i
      where i.media_id = :from
        and exists (select 1 from interaction.list_items o where o.list_id = i.list_id and o.media_id = :to)`,
    bindings,
  );
  await trx('interaction.list_items').where('media_id', from).update({ media_id: to });

  return { moved, merged, notesJoined };
}

/** How many people track both works: whose entries a retirement would join into one. */
export async function countPeopleTrackingBoth(knex: Knex, first: string, second: string): Promise<number> {
  const { rows } = await knex.raw<{ rows: { count: number }[] }>(
    `select count(*)::int as count
       from interaction.user_media a
       join interaction.user_media b on b.user_id = a.user_id and b.media_id = :second
      where a.media_id = :first`,
    { first, second },
  );
  return rows[0]?.count ?? 0;
}
