import type { Knex } from 'knex';
import type { Status } from '../users/queries';

/**
 * Puts a title in a user's list unless it is there already; adding twice leaves the first entry
 * as it was. Says whether this call added it, and the entry's status either way; undefined when
 * there is no such title.
 */
export async function insertEntry(
  knex: Knex,
  userId: string,
  mediaId: string,
  status: Status,
): Promise<{ added: boolean; status: Status } | undefined> {
  const result = await knex.raw<{ rows: { added: boolean; status: Status }[] }>(
    `with media as (select id from media.media where id = :mediaId),
          inserted as (
            insert into interaction.user_media (user_id, media_id, status)
            select :userId, id, :status from media
            on conflict (user_id, media_id) do nothing
            returning status)
     select true as added, status from inserted
     union all
     select false, e.status from interaction.user_media e
      where e.user_id = :userId and e.media_id = :mediaId and not exists (select 1 from inserted)`,
    { userId, mediaId, status },
  );
  return result.rows[0];
}
