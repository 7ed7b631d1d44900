/**
 * Planning a search, without the database: the words typed, and the tsquery they make once the
 * catalog's word list has answered for each (see planSearch in queries.ts). The catalog and the
 * list both search with it; which way the catalog reads its candidates is src/catalog/search-plan.ts.
 */

/** How many catalog words a typo may stand for. */
export const CORRECTIONS = 3;

/**
 * A typed word stands for the catalog words it starts, spelled out, when there are at most this
 * many: the GIN index then looks each one up (and can skip through a common word to a rare one's
 * titles), where a prefix makes it gather every matching word's titles first ("star:* & wars:*"
 * took 7 ms on a million titles, "star & wars" 0.4). A shorter prefix stays a prefix.
 */
export const COMPLETIONS = 64;

/**
 * The longest word PostgreSQL keeps in a tsvector, in bytes: a longer one is in no title, and in a
 * tsquery it is an error.
 */
const LONGEST_LEXEME_BYTES = 2047;

/** A word of the catalog (media.search_words) and how many titles use it. */
export interface CatalogWord {
  word: string;
  titles: number;
}

/** One typed word as the catalog's word list answers it. */
export interface LookedUpWord {
  typed: string;
  /** The catalog words it starts, in byte order: at most COMPLETIONS + 1 (one more says "too many"). */
  completions: CatalogWord[];
  /** For a word of three letters or more that starts none: the nearest catalog words (CORRECTIONS). */
  nearest: CatalogWord[];
}

/** One typed word: the catalog words that stand for it and how many titles use them. */
export interface SearchTerm {
  typed: string;
  /** The catalog words it stands for, rarest first; null when it starts more than COMPLETIONS. */
  words: string[] | null;
  /** How many titles use those words (an upper bound of the titles it matches; counted per word). */
  titles: number;
}

/** What a search looks for: the tsquery titles must match, and the words it was made of. */
export interface SearchPlan {
  /** In tsquery syntax, lexemes quoted: pass it as `?::tsquery`. */
  tsquery: string;
  terms: SearchTerm[];
}

/**
 * "Harry Pot!" → ["harry", "pot"]: the words typed, unaccented and lower-case, letters and digits
 * only. A word no title can hold is left out: NFKD can make a short text long ("㍿" is "株式会社").
 */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word && Buffer.byteLength(word) <= LONGEST_LEXEME_BYTES)
    .slice(0, 12);
}

/** A lexeme as tsquery syntax writes it: quoted, with its quotes and backslashes doubled. */
export function quotedLexeme(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A tsquery that matches any of `alternatives` (tsquery text each). */
function anyOf(alternatives: string[]): string {
  return alternatives.length > 1 ? `(${alternatives.join(' | ')})` : alternatives[0]!;
}

/**
 * The search for what was typed: every word must start a word of the title, original title or
 * creators ("harry pot" → "harry:* & pot:*", with each prefix spelled out as the catalog words it
 * starts when they are few). A word that starts no word in the catalog is a typo: it stands for
 * the nearest catalog words as well ("godfathr" → "(godfathr:* | godfather | godfathers)").
 * Null when nothing searchable was typed.
 */
export function buildSearchPlan(words: LookedUpWord[]): SearchPlan | null {
  if (words.length === 0) return null;
  const terms: SearchTerm[] = [];
  const parts: string[] = [];
  for (const { typed, completions, nearest } of words) {
    const prefix = `${quotedLexeme(typed)}:*`;
    const spelled = completions.length > 0 && completions.length <= COMPLETIONS;
    const found = completions.length > 0 ? completions : nearest;
    // Rarest first: the order media.search_terms reads them in (see candidate-queries.ts).
    const byTitles = [...found].sort((a, b) => Number(a.titles) - Number(b.titles) || (a.word < b.word ? -1 : 1));
    terms.push({
      typed,
      words: completions.length > COMPLETIONS ? null : byTitles.map((entry) => entry.word),
      titles: found.reduce((sum, entry) => sum + Number(entry.titles), 0),
    });
    const alternatives = spelled
      ? found.map((entry) => quotedLexeme(entry.word))
      : [prefix, ...nearest.map((entry) => quotedLexeme(entry.word))];
    parts.push(anyOf(alternatives));
  }
  return { tsquery: parts.join(' & '), terms };
}

/** The search's tsquery with every word held to the title's own (weight A). */
export function titleQuery({ terms }: SearchPlan): string {
  return terms
    .map(({ typed, words }) => {
      const alternatives = words?.length
        ? words.map((word) => `${quotedLexeme(word)}:A`)
        : [`${quotedLexeme(typed)}:*A`];
      return anyOf(alternatives);
    })
    .join(' & ');
}
