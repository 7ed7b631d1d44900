import type { Knex } from 'knex';
import { TITLE_RATINGS } from '../entries/queries';

/** What the media page shows of a title, with its trackers and their average rating. */
export interface MediaDetail {
  id: string;
  title: string;
  originalTitle: string | null;
  mediaType: string;
  typeLabel: string;
  mediaClass: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  country: string | null;
  creators: string[];
  genres: string[];
  attributes: Record<string, unknown>;
  collectionPath: string | null;
  trackingCount: number;
  /** 1–100, over the users who rated it; null when none did. */
  averageRating: number | null;
  ratingCount: number;
}

export async function findMediaDetail(knex: Knex, id: string): Promise<MediaDetail | undefined> {
  // The average rating of m.id is the entries core's (TITLE_RATINGS), the only reader of entries.
  const { rows } = await knex.raw<{ rows: MediaDetail[] }>(
    `select m.id, m.title, m.original_title as "originalTitle", m.media_type as "mediaType",
            t.label as "typeLabel", m.media_class::text as "mediaClass",
            to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate", m.release_date_precision as "releaseDatePrecision",
            m.country_of_origin as country, m.creators, m.genres, m.attributes,
            m.collection_path::text as "collectionPath", m.tracking_count as "trackingCount",
            r.average as "averageRating", coalesce(r.rated, 0)::int as "ratingCount"
       from media.media m
       join media.media_types t on t.media_type = m.media_type
       left join lateral (
         ${TITLE_RATINGS}
       ) r on true
      where m.id = ?`,
    [id],
  );
  return rows[0];
}

/** The class and each class above it, broadest first, with their labels where they have one. */
export async function classTrail(knex: Knex, mediaClass: string): Promise<{ mediaClass: string; label: string }[]> {
  const { rows } = await knex.raw<{ rows: { mediaClass: string; label: string | null }[] }>(
    `select p.path::text as "mediaClass", c.label
       from (select subpath(?::ltree, 0, n) as path, n
               from generate_series(1, nlevel(?::ltree)) as n) p
       left join media.media_classes c on c.media_class = p.path
      order by p.n`,
    [mediaClass, mediaClass],
  );
  return rows.map((row) => ({
    mediaClass: row.mediaClass,
    label: row.label ?? humanPath(row.mediaClass.split('.').at(-1)!),
  }));
}

export function externalIds(knex: Knex, id: string): Promise<{ source: string; key: string }[]> {
  return knex('media.external_links')
    .where('media_id', id)
    .orderBy(['source_name', 'external_key'])
    .select<{ source: string; key: string }[]>('source_name as source', 'external_key as key');
}

export interface ChainTitle {
  id: string;
  title: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  position: number;
}

/** How far the watch order follows links each way: long series fit, a bad cycle stops. */
const CHAIN_LIMIT = 100;

/**
 * The watch/read order through this title: back along prequel links to the first, then forward
 * along sequel links, in one recursive query. Each walk remembers where it has been, so a cycle
 * in the links ends it, and it stops after CHAIN_LIMIT steps. A title with two sequels puts both
 * at the same position.
 */
export async function watchOrder(knex: Knex, id: string): Promise<ChainTitle[]> {
  const { rows } = await knex.raw<{ rows: ChainTitle[] }>(
    `with recursive back(id, depth, path) as (
         select ?::uuid, 0, array[?::uuid]
       union all
         select r.target_id, b.depth + 1, b.path || r.target_id
           from back b join media.relationships r on r.source_id = b.id and r.kind = 'prequel'
          where r.target_id <> all(b.path) and b.depth < ${CHAIN_LIMIT}
     ),
     first as (select id from back order by depth desc, id limit 1),
     forward(id, position, path) as (
         select id, 0, array[id] from first
       union all
         select r.target_id, f.position + 1, f.path || r.target_id
           from forward f join media.relationships r on r.source_id = f.id and r.kind = 'sequel'
          where r.target_id <> all(f.path) and f.position < ${CHAIN_LIMIT}
     ),
     placed as (select id, min(position) as position from forward group by id)
     select m.id, m.title, t.label as "typeLabel", to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate",
            m.release_date_precision as "releaseDatePrecision", p.position
       from placed p join media.media m on m.id = p.id join media.media_types t on t.media_type = m.media_type
      order by p.position, m.release_date nulls last, m.title`,
    [id, id],
  );
  return rows;
}

/** "harry_potter" → "Harry potter": an ltree label made readable. */
export function humanPath(label: string): string {
  const words = label.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface CollectionTitle {
  id: string;
  title: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  collectionPath: string;
}

/**
 * A franchise: every title at or below the path (ltree, through media_collection_path_idx), in
 * release order, at most `limit`; and the sub-collections directly below it.
 */
export async function findCollection(
  knex: Knex,
  path: string,
  limit: number,
): Promise<{ titles: CollectionTitle[]; children: { path: string; titles: number }[]; total: number }> {
  const [titles, children, counted] = await Promise.all([
    knex('media.media as m')
      .join('media.media_types as t', 't.media_type', 'm.media_type')
      .whereRaw('m.collection_path <@ ?::ltree', [path])
      .orderByRaw('m.release_date nulls last, m.title, m.id')
      .limit(limit)
      .select<CollectionTitle[]>(
        'm.id',
        'm.title',
        't.label as typeLabel',
        knex.raw(`to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate"`),
        'm.release_date_precision as releaseDatePrecision',
        knex.raw('m.collection_path::text as "collectionPath"'),
      ),
    knex('media.media')
      .whereRaw('collection_path <@ ?::ltree and nlevel(collection_path) > nlevel(?::ltree)', [path, path])
      .groupByRaw('1')
      .orderByRaw('1')
      .select<{ path: string; titles: string }[]>(
        knex.raw('subpath(collection_path, 0, nlevel(?::ltree) + 1)::text as path', [path]),
        knex.raw('count(*) as titles'),
      ),
    knex('media.media').whereRaw('collection_path <@ ?::ltree', [path]).count<{ n: string }[]>({ n: '*' }),
  ]);
  return {
    titles,
    children: children.map((child) => ({ path: child.path, titles: Number(child.titles) })),
    total: Number(counted[0]?.n ?? 0),
  };
}
