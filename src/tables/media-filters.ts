import type { Knex } from 'knex';
import { list, yearsLabel } from './params';
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

/** Whether two readings of a URL filter by the same names (else the page read with the first is wrong). */
export function sameNames(a: MediaFilters & { genres?: string[] }, b: MediaFilters & { genres?: string[] }): boolean {
  const names = (filters: MediaFilters & { genres?: string[] }) =>
    JSON.stringify([filters.types, filters.classes, filters.genres ?? []]);
  return names(a) === names(b);
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

export interface Badge {
  label: string;
  removeUrl: string;
}

/** The badges of the media filters, each with the URL without it (built by `without`). */
export function mediaFilterBadges(
  filters: MediaFilters,
  labels: { types: Map<string, string>; classes: Map<string, string> },
  without: (changes: Partial<MediaFilters>) => string,
): Badge[] {
  return [
    ...filters.types.map((type) => ({
      label: `Type: ${labels.types.get(type) ?? type}`,
      removeUrl: without({ types: filters.types.filter((other) => other !== type) }),
    })),
    ...filters.classes.map((mediaClass) => ({
      label: `Kind: ${labels.classes.get(mediaClass) ?? mediaClass}`,
      removeUrl: without({ classes: filters.classes.filter((other) => other !== mediaClass) }),
    })),
    ...(filters.from !== null || filters.to !== null
      ? [{ label: `Released: ${yearsLabel(filters.from, filters.to)}`, removeUrl: without({ from: null, to: null }) }]
      : []),
  ];
}
