import type { Knex } from 'knex';

export interface MediaTypeCount {
  mediaType: string;
  label: string;
  pluralLabel: string;
  count: number;
}

export interface NewRelease {
  id: string;
  title: string;
  mediaType: string;
  typeLabel: string;
  releaseDate: string;
  releaseDatePrecision: 'year' | 'month' | 'day';
}

/** Catalog size per media type, in the types' display order; types with no items are left out. */
export function countMediaByType(knex: Knex): Promise<MediaTypeCount[]> {
  return knex('media.media_types as t')
    .join('media.media as m', 'm.media_type', 't.media_type')
    .groupBy('t.media_type', 't.label', 't.plural_label', 't.position')
    .orderBy('t.position')
    .select<MediaTypeCount[]>(
      't.media_type as mediaType',
      't.label',
      't.plural_label as pluralLabel',
      knex.raw('count(*)::int as count'),
    );
}

/** The most recently released items up to today (index: media_release_date_idx). */
export function listNewestReleases(knex: Knex, limit: number): Promise<NewRelease[]> {
  return knex('media.media as m')
    .join('media.media_types as t', 't.media_type', 'm.media_type')
    .whereNotNull('m.release_date')
    .where('m.release_date', '<=', knex.raw('current_date'))
    .orderBy([
      { column: 'm.release_date', order: 'desc' },
      { column: 'm.id', order: 'asc' },
    ])
    .limit(limit)
    .select<NewRelease[]>(
      'm.id',
      'm.title',
      'm.media_type as mediaType',
      't.label as typeLabel',
      'm.release_date as releaseDate',
      'm.release_date_precision as releaseDatePrecision',
    );
}
