import type { Knex } from 'knex';
import { type Status } from './statuses';

/**
 * The titles of home's tiles, each with the viewer's entry: the viewer's own unfinished entries,
 * and the catalog's popular, recent and newest titles beside the viewer's status.
 */

/** A title on a home tile: what it is, and the viewer's entry for it if they have one. */
export interface TileItem {
  mediaId: string;
  title: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  /** media_types.progress_unit, and the title's length in it when known. */
  unit: string;
  total: number | null;
  status: Status | null;
  progress: number | null;
}

export type TileKind = 'continue' | 'up-next' | 'popular' | 'recent' | 'newest';

const TILE_COLUMNS = `m.id as "mediaId", m.title, t.label as "typeLabel",
  to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate", m.release_date_precision as "releaseDatePrecision",
  t.progress_unit as unit,
  media.title_length(t.progress_unit, m.attributes) as total,
  e.status, e.progress`;

/** How the catalog's tiles pick their titles; each order is an index's (see the plan tests). */
const CATALOG_TILES: Record<'popular' | 'recent' | 'newest', { where: string; order: string }> = {
  popular: { where: '', order: 'm.tracking_count desc, m.id desc' },
  recent: { where: '', order: 'm.created_at desc, m.id' },
  newest: {
    where: 'where m.release_date is not null and m.release_date <= current_date',
    order: 'm.release_date desc, m.id',
  },
};

/**
 * The titles of one home tile, each with the viewer's entry. Continue and Up next are the viewer's
 * own in-progress and planned titles, most recently touched first (index user_media_unfinished_idx);
 * Popular is the most tracked titles (media_tracking_count_idx), Recently added the newest in the
 * catalog (media_created_at_idx), Newest releases those released last up to today
 * (media_release_date_idx), with the viewer's status when signed in.
 */
export async function listTile(
  knex: Knex,
  kind: TileKind,
  userId: string | undefined,
  limit: number,
): Promise<TileItem[]> {
  if (kind === 'continue' || kind === 'up-next') {
    if (!userId) return [];
    const { rows } = await knex.raw<{ rows: TileItem[] }>(
      `select ${TILE_COLUMNS}
         from interaction.user_media e
         join media.media m on m.id = e.media_id
         join media.media_types t on t.media_type = m.media_type
        where e.user_id = ? and e.status = ?
        order by e.updated_at desc, e.media_id
        limit ?`,
      [userId, kind === 'continue' ? 'in_progress' : 'planning', limit],
    );
    return rows;
  }
  const { where, order } = CATALOG_TILES[kind];
  const { rows } = await knex.raw<{ rows: TileItem[] }>(
    `select ${TILE_COLUMNS}
       from (select * from media.media m ${where} order by ${order} limit ?) m
       join media.media_types t on t.media_type = m.media_type
       left join interaction.user_media e on e.user_id = ? and e.media_id = m.id
      order by ${order}`,
    [limit, userId ?? null],
  );
  return rows;
}

/** One title as a tile shows it, for the answer to an action on that tile. */
export async function findTileItem(knex: Knex, mediaId: string, userId: string): Promise<TileItem | undefined> {
  const { rows } = await knex.raw<{ rows: TileItem[] }>(
    `select ${TILE_COLUMNS}
       from media.media m
       join media.media_types t on t.media_type = m.media_type
       left join interaction.user_media e on e.user_id = ? and e.media_id = m.id
      where m.id = ?`,
    [userId, mediaId],
  );
  return rows[0];
}
