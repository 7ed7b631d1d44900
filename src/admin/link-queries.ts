import type { Knex } from 'knex';

/**
 * Ids that people confirmed in their list imports (ingest.user_links: "this IMDb id is that work",
 * picked in an import's review) and that the catalog does not hold: an administrator promotes one
 * to media.external_links, after which every person's import matches it by id.
 *
 * Our own media id ('omnimediatrak') is a work's id, not a link, and never suggested.
 */

export interface SuggestedLink {
  sourceName: string;
  externalKey: string;
  mediaId: string;
  title: string;
  typeLabel: string;
  year: number | null;
  /** How many people confirmed this id for this work. */
  people: number;
  lastConfirmed: Date;
  /** The work the catalog gives the id to already, when it is another one (a disagreement). */
  catalogWork: { id: string; title: string } | null;
}

const SUGGESTIONS = `
  select ul.source_name, ul.external_key, ul.media_id,
         count(*)::int as people, max(ul.created_at) as last_confirmed, el.media_id as catalog_media_id
    from ingest.user_links ul
    left join media.external_links el
           on el.source_name = ul.source_name and el.external_key = ul.external_key
   where ul.source_name <> 'omnimediatrak'
     and el.media_id is distinct from ul.media_id
   group by ul.source_name, ul.external_key, ul.media_id, el.media_id`;

/** A page of the links people confirmed that the catalog lacks, the most confirmed first, and how many there are. */
export async function listSuggestedLinks(
  knex: Knex,
  { limit, offset }: { limit: number; offset: number },
): Promise<{ links: SuggestedLink[]; total: number }> {
  const [{ rows }, { rows: counted }] = await Promise.all([
    knex.raw<{ rows: SuggestedLink[] }>(
      `select s.source_name as "sourceName", s.external_key as "externalKey", s.media_id as "mediaId",
              m.title, t.label as "typeLabel", extract(year from m.release_date)::int as year,
              s.people, s.last_confirmed as "lastConfirmed",
              case when c.id is null then null else json_build_object('id', c.id, 'title', c.title) end
                as "catalogWork"
         from (${SUGGESTIONS}) s
         join media.media m on m.id = s.media_id
         join media.media_types t on t.media_type = m.media_type
         left join media.media c on c.id = s.catalog_media_id
        order by s.people desc, s.last_confirmed desc, s.source_name, s.external_key, s.media_id
        limit :limit offset :offset`,
      { limit, offset },
    ),
    knex.raw<{ rows: { total: number }[] }>(`select count(*)::int as total from (${SUGGESTIONS}) s`),
  ]);
  return { links: rows, total: counted[0]!.total };
}

export type PromotionOutcome =
  | { kind: 'promoted' | 'already'; title: string }
  | { kind: 'not-confirmed' }
  | { kind: 'taken'; title: string; otherTitle: string };

/**
 * Puts a confirmed link into the catalog (media.external_links), in one transaction: 'promoted'
 * when it was added, 'already' when the catalog holds it for that work, 'taken' when the catalog
 * gives the id to another work (nothing changes: merge the two works if they are one),
 * 'not-confirmed' when nobody confirmed it (or the work is gone).
 */
export async function promoteLink(
  knex: Knex,
  link: { sourceName: string; externalKey: string; mediaId: string },
): Promise<PromotionOutcome> {
  return knex.transaction(async (trx) => {
    const confirmed = await trx('ingest.user_links as ul')
      .join('media.media as m', 'm.id', 'ul.media_id')
      .where({ 'ul.source_name': link.sourceName, 'ul.external_key': link.externalKey, 'ul.media_id': link.mediaId })
      .whereNot('ul.source_name', 'omnimediatrak')
      .first<{ title: string } | undefined>('m.title');
    if (!confirmed) return { kind: 'not-confirmed' };
    const inserted = await trx('media.external_links')
      .insert({ source_name: link.sourceName, external_key: link.externalKey, media_id: link.mediaId })
      .onConflict(['source_name', 'external_key'])
      .ignore()
      .returning('media_id');
    if (inserted.length > 0) return { kind: 'promoted', title: confirmed.title };
    const holder = await trx('media.external_links as el')
      .join('media.media as m', 'm.id', 'el.media_id')
      .where({ 'el.source_name': link.sourceName, 'el.external_key': link.externalKey })
      .first<{ mediaId: string; title: string }>('el.media_id as mediaId', 'm.title');
    if (holder.mediaId === link.mediaId) return { kind: 'already', title: confirmed.title };
    return { kind: 'taken', title: confirmed.title, otherTitle: holder.title };
  });
}
