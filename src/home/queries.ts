import type { Knex } from 'knex';

// Home's tiles and welcome read the user's entries: the entries core holds those queries.
export { findTileItem, listTile, type TileItem, type TileKind } from '../entries/tile-queries';
export { listTotals } from '../entries/queries';

export interface MediaTypeCount {
  mediaType: string;
  label: string;
  pluralLabel: string;
  count: number;
}

/**
 * Catalog size per media type, in the types' display order; types with no items are left out.
 * Read from the counts the triggers keep (media.facet_counts, every genre: genre ''), not by
 * counting the catalog: with a million titles that took a quarter of a second per anonymous visit
 * to the home page.
 */
export function countMediaByType(knex: Knex): Promise<MediaTypeCount[]> {
  return knex('media.media_types as t')
    .join('media.facet_counts as f', 'f.media_type', 't.media_type')
    .where('f.genre', '')
    .groupBy('t.media_type', 't.label', 't.plural_label', 't.position')
    .havingRaw('sum(f.media_count) > 0')
    .orderBy('t.position')
    .select<MediaTypeCount[]>(
      't.media_type as mediaType',
      't.label',
      't.plural_label as pluralLabel',
      knex.raw('sum(f.media_count)::int as count'),
    );
}
