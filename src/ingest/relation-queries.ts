import type { Knex } from 'knex';

/** The SQL of what the ingest writes after a source's records (src/ingest/relations.ts): relations and franchises. */

/**
 * Writes relations with their inverses (media.relationship_kinds says which kind answers which),
 * in one statement: a row already there is not written again, and a self link or an unknown kind
 * is left out. Returns the rows written, both directions counted.
 */
export async function writeRelationships(
  knex: Knex,
  links: { sourceId: string; kind: string; targetId: string }[],
): Promise<number> {
  if (links.length === 0) return 0;
  const { rowCount } = await knex.raw<{ rowCount: number | null }>(
    `with given as (
       select g.source_id, k.kind, k.inverse_kind, g.target_id
         from unnest(?::uuid[], ?::text[], ?::uuid[]) as g(source_id, kind, target_id)
         join media.relationship_kinds k on k.kind = g.kind
        where g.source_id <> g.target_id
     )
     insert into media.relationships (source_id, kind, target_id)
     select source_id, kind, target_id from given
      union
     select target_id, inverse_kind, source_id from given
     on conflict do nothing`,
    [links.map((link) => link.sourceId), links.map((link) => link.kind), links.map((link) => link.targetId)],
  );
  return rowCount ?? 0;
}

/** A work of a sequel chain, with what its franchise may be named after. */
export interface ChainWorkRow {
  id: string;
  title: string;
  originalTitle: string | null;
  /** bangumi-data's first title per language, when the work has them. */
  translations: Record<string, string> | null;
  releaseDate: string | null;
  collectionPath: string | null;
}

/** Every sequel link between two anime, and the anime they link. */
export async function animeSequelLinks(
  knex: Knex,
): Promise<{ links: { from: string; to: string }[]; works: ChainWorkRow[] }> {
  const { rows: links } = await knex.raw<{ rows: { from: string; to: string }[] }>(
    `select r.source_id as "from", r.target_id as "to"
       from media.relationships r
       join media.media a on a.id = r.source_id and a.media_type = 'anime'
       join media.media b on b.id = r.target_id and b.media_type = 'anime'
      where r.kind = 'sequel'`,
  );
  const ids = [...new Set(links.flatMap((link) => [link.from, link.to]))];
  if (ids.length === 0) return { links, works: [] };
  const { rows: works } = await knex.raw<{ rows: ChainWorkRow[] }>(
    `select m.id, m.title, m.original_title as "originalTitle",
            case when jsonb_typeof(m.attributes -> 'title_translations') = 'object'
                 then m.attributes -> 'title_translations' end as translations,
            to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate", m.collection_path::text as "collectionPath"
       from media.media m
      where m.id = any(?::uuid[])`,
    [ids],
  );
  return { links, works };
}

/** The works a source describes whose attributes name a franchise, and that have no collection_path. */
export async function unfiledFranchiseWorks(knex: Knex, keyName: string): Promise<{ id: string; franchise: string }[]> {
  const { rows } = await knex.raw<{ rows: { id: string; franchise: string }[] }>(
    `select m.id, m.attributes ->> 'franchise' as franchise
       from media.external_links l
       join media.media m on m.id = l.media_id
      where l.source_name = ? and m.collection_path is null
        and jsonb_typeof(m.attributes -> 'franchise') = 'string'`,
    [keyName],
  );
  return rows;
}

/** Files works under their franchise, each only if it still has no collection_path. Returns how many were. */
export async function fileUnderFranchises(knex: Knex, paths: { id: string; path: string }[]): Promise<number> {
  if (paths.length === 0) return 0;
  const { rowCount } = await knex.raw<{ rowCount: number | null }>(
    `update media.media m
        set collection_path = p.path::ltree
       from unnest(?::uuid[], ?::text[]) as p(id, path)
      where m.id = p.id and m.collection_path is null`,
    [paths.map((entry) => entry.id), paths.map((entry) => entry.path)],
  );
  return rowCount ?? 0;
}
