import type { Knex } from 'knex';
import { PAGE_SIZE, type CatalogQuery } from './validation';

export interface CatalogRow {
  id: string;
  title: string;
  originalTitle: string | null;
  mediaType: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  creators: string[];
}

export interface MediaType {
  mediaType: string;
  label: string;
  pluralLabel: string;
}

export function listMediaTypes(knex: Knex): Promise<MediaType[]> {
  return knex('media.media_types')
    .orderBy('position')
    .select<MediaType[]>('media_type as mediaType', 'label', 'plural_label as pluralLabel');
}

/**
 * "harry pot" → "harry:* & pot:*": every word, as typed so far, must start a word of the title,
 * original title or creators. Only letters and digits reach the tsquery.
 */
export function prefixQuery(text: string): string | null {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 12);
  return words.length ? words.map((word) => `${word}:*`).join(' & ') : null;
}

const ORDER: Record<Exclude<CatalogQuery['sort'], 'relevance'>, string> = {
  title: 'm.title',
  year: 'm.release_date',
  type: 't.position',
};

/**
 * One page of the catalog and the number of matches, in SQL: full-text search (prefixes) or,
 * for typos, trigram word similarity on the unaccented title, ranked by relevance when searching;
 * filters and sorts on indexed columns.
 */
export async function searchCatalog(knex: Knex, query: CatalogQuery): Promise<{ rows: CatalogRow[]; total: number }> {
  const base = knex('media.media as m').join('media.media_types as t', 't.media_type', 'm.media_type');
  if (query.types.length) base.whereIn('m.media_type', query.types);
  const tsquery = prefixQuery(query.q);
  if (query.q) {
    base.where((match) => {
      if (tsquery) match.whereRaw("m.search_vector @@ to_tsquery('simple', ?)", [tsquery]);
      match.orWhereRaw('media.immutable_unaccent(lower(?)) <% media.immutable_unaccent(m.title)', [query.q]);
    });
  }

  const totalQuery = base.clone().count<{ total: number }[]>({ total: '*' });
  const page = base
    .clone()
    .select<CatalogRow[]>(
      'm.id',
      'm.title',
      'm.original_title as originalTitle',
      'm.media_type as mediaType',
      't.label as typeLabel',
      'm.release_date as releaseDate',
      'm.release_date_precision as releaseDatePrecision',
      'm.creators',
    )
    .limit(PAGE_SIZE)
    .offset((query.page - 1) * PAGE_SIZE);
  const direction = query.direction;
  if (query.sort === 'relevance') {
    page.orderByRaw(
      `${tsquery ? "ts_rank(m.search_vector, to_tsquery('simple', ?)) + " : ''}word_similarity(media.immutable_unaccent(lower(?)), media.immutable_unaccent(m.title)) desc, m.title, m.id`,
      tsquery ? [tsquery, query.q] : [query.q],
    );
  } else {
    const first = query.sort === 'title' ? '' : `${ORDER[query.sort]} ${direction} nulls last, `;
    page.orderByRaw(`${first}m.title ${direction}, m.id ${direction}`);
  }
  const [rows, [count]] = await Promise.all([page, totalQuery]);
  return { rows, total: count?.total ?? 0 };
}
