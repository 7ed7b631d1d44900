import { formatNumber } from '../http/format';
import type { MediaType } from '../tables/vocabulary-queries';

/**
 * The type filter's menu with each type's number of titles, and what the catalog says when a
 * type chosen has none (manga, web novels, visual novels and podcasts have no dataset yet).
 *
 * The counts are the whole catalog's, whatever the other filters. The kept counts
 * (media.facet_counts) could narrow them by kind and one genre, but not by a search, years, the
 * list or several genres: a number that is sometimes "within your filters" and sometimes not
 * would mislead. And the menu is not part of what an htmx swap redraws, so a narrowed count
 * would go stale at the first change of a filter.
 */

/** Why the catalog has none of a type, for the types no dataset it is built from lists (seeds/data/SOURCES.md). */
const WHY_NONE: Readonly<Record<string, string>> = {
  manga: 'We found no openly licensed list of manga to ship with the catalog.',
  web_novel: 'None of the openly licensed datasets the catalog is built from lists web novels.',
  visual_novel: 'None of the openly licensed datasets the catalog is built from lists visual novels.',
  podcast: 'None of the openly licensed datasets the catalog is built from lists podcasts.',
};

export interface TypeChoice {
  value: string;
  label: string;
  /** Said after the label, in brackets: "8,746", or "none yet". */
  count: string;
  checked: boolean;
}

/** The type filter's choices: each type with its number of titles in the whole catalog. */
export function typeChoices(
  types: readonly MediaType[],
  counts: Readonly<Record<string, number>>,
  chosen: readonly string[],
): TypeChoice[] {
  return types.map((type) => {
    const titles = counts[type.mediaType] ?? 0;
    return {
      value: type.mediaType,
      label: type.pluralLabel,
      count: titles > 0 ? formatNumber(titles) : 'none yet',
      checked: chosen.includes(type.mediaType),
    };
  });
}

/** What the catalog says of the chosen types that have no titles (views/catalog/empty-types.ejs). */
export interface EmptyTypesNote {
  /** Every type chosen has none: `countText` stands where "Nothing matches" would. */
  countText: string | null;
  /** Plain sentences, drawn before the link to where the catalog comes from. */
  sentences: string[];
}

/**
 * What to say when some of the types chosen have no titles in the catalog, or null when none of
 * them is empty. When all of them are, the page says so instead of "Nothing matches" and why, as
 * far as we know it; when only some are, it names them above the results.
 */
export function emptyTypesNote(
  types: readonly MediaType[],
  counts: Readonly<Record<string, number>>,
  chosen: readonly string[],
  total: number,
): EmptyTypesNote | null {
  const picked = types.filter((type) => chosen.includes(type.mediaType));
  const empty = picked.filter((type) => (counts[type.mediaType] ?? 0) === 0);
  if (empty.length === 0) return null;
  const emptyNames = empty.map((type) => inSentence(type.pluralLabel));
  const others = picked.filter((type) => !empty.includes(type));
  if (others.length > 0) {
    const otherNames = others.map((type) => inSentence(type.pluralLabel));
    return {
      countText: null,
      sentences: [
        `There are no ${joined(emptyNames, 'or')} in the catalog yet, so only ${joined(otherNames, 'and')} can match.`,
      ],
    };
  }
  // The counts say none, yet titles match: believe the titles, and say nothing of the counts.
  if (total > 0) return null;
  return {
    countText: `There are no ${joined(emptyNames, 'or')} in the catalog yet.`,
    sentences: [
      ...empty.flatMap((type) => WHY_NONE[type.mediaType] ?? []),
      `Titles can't be added from the site yet, so ${joined(emptyNames, 'and')} can't be tracked here for now.`,
    ],
  };
}

/** A plural label inside a sentence: "Web novels" → "web novels", but "TV series" stays. */
export function inSentence(label: string): string {
  const [first = '', second = ''] = label;
  return second && second === second.toLowerCase() ? first.toLowerCase() + label.slice(1) : label;
}

/** "manga", "manga or web novels", "manga, web novels or podcasts". */
export function joined(names: readonly string[], word: 'and' | 'or'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${word} ${names.at(-1)}`;
}
