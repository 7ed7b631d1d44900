import type { Knex } from 'knex';
import type { BadgeLabels } from './definition';
import { list } from './params';
import type { CatalogVocabulary, Genre } from './vocabulary-queries';
import { LTREE_PATH } from '../http/validation';

/** The filters on a title that the catalog and the list share. */
export interface MediaFilters {
  types: string[];
  /** ltree paths; each takes in the classes below it. */
  classes: string[];
  from: number | null;
  to: number | null;
}

/** A type or genre name that could exist: PostgreSQL refuses text with a NUL in it. */
const NAME = /^[^\p{Cc}]{1,200}$/u;

/**
 * The type, class and genre names a URL asks for, taken as known until the database says (the
 * page is read with them, and the names that exist come back in the same round trip): only names
 * that could exist, so none makes the statement fail (a class is cast to ltree; no text may hold a
 * control character such as NUL). The others are left out, and the note says so.
 */
export function namesAsked(raw: Record<string, unknown>): { types: string[]; classes: string[]; genres: string[] } {
  return {
    types: list(raw.type).filter((name) => NAME.test(name)),
    classes: list(raw.class).filter((path) => LTREE_PATH.test(path)),
    genres: list(raw.genre).filter((name) => NAME.test(name)),
  };
}

/** The names a page's vocabulary holds, as the filters check them (see TableDefinition). */
export function knownNames(vocabulary: Pick<CatalogVocabulary, 'types' | 'classes'> & { genres?: Genre[] }): {
  types: string[];
  classes: string[];
  genres: string[];
} {
  return {
    types: vocabulary.types.map((type) => type.mediaType),
    classes: vocabulary.classes.map((entry) => entry.mediaClass),
    genres: (vocabulary.genres ?? []).map((genre) => genre.genre),
  };
}

/** The labels of the types and classes, for the filter badges. */
export function mediaLabels(vocabulary: Pick<CatalogVocabulary, 'types' | 'classes'>): BadgeLabels {
  return {
    types: new Map(vocabulary.types.map((type) => [type.mediaType, type.label])),
    classes: new Map(vocabulary.classes.map((entry) => [entry.mediaClass, entry.label])),
  };
}

/** Narrows a query on `media.media as m` (joined under that alias) by type, class and release years. */
export function whereMediaMatches(builder: Knex.QueryBuilder, filters: MediaFilters): Knex.QueryBuilder {
  if (filters.types.length) builder.whereIn('m.media_type', filters.types);
  if (filters.classes.length) {
    builder.where((anyClass) => {
      for (const mediaClass of filters.classes) anyClass.orWhereRaw('m.media_class <@ ?::ltree', [mediaClass]);
    });
  }
  if (filters.from !== null) builder.whereRaw('m.release_date >= make_date(?::int, 1, 1)', [filters.from]);
  if (filters.to !== null) builder.whereRaw('m.release_date < make_date(?::int + 1, 1, 1)', [filters.to]);
  return builder;
}
