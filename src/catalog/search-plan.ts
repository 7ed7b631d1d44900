import type { SearchTerm } from '../search/plan';
import type { CatalogQuery } from './validation';

/**
 * Titles read from media.search_terms instead of the GIN index: when the search has one word and
 * no filter (every title read is a match, so it reads RANKED_CANDIDATES + 1 of them at most), or
 * when its rarest word is in at most this many titles (each read title is checked against the rest
 * of the search and the filters: about 2 µs each). Otherwise the GIN index intersects the words.
 */
export const PROBED_TITLES = 2_000;

/** The word whose titles a search reads from media.search_terms, or null for the GIN index. */
export function termToRead(query: CatalogQuery, terms: SearchTerm[]): SearchTerm | null {
  // A list filter keeps a user's few hundred titles out of a million: the GIN index is the way.
  if (query.list) return null;
  const filtered =
    query.types.length > 0 ||
    query.classes.length > 0 ||
    query.genres.length > 0 ||
    query.from !== null ||
    query.to !== null;
  // One word alone is read however common: even a prefix of thousands of words ("th", typed on
  // the way to "the thing") reads its first titles and stops.
  if (terms.length === 1 && !filtered) return terms[0]!;
  const spelled = terms.filter((term) => term.words !== null);
  if (spelled.length === 0) return null;
  const rarest = spelled.reduce((best, term) => (term.titles < best.titles ? term : best));
  return rarest.titles <= PROBED_TITLES ? rarest : null;
}
