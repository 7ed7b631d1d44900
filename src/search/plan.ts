/**
 * Planning a search, without the database: the words typed, and the tsquery they make once the
 * catalog's word list has answered for each (see planSearch in queries.ts). The catalog and the
 * list both search with it; which way the catalog reads its candidates is src/catalog/search-plan.ts.
 */

/** How many catalog words a typo may stand for. */
export const CORRECTIONS = 3;

/** A word long enough to be taken for a typo (shorter ones have too few trigrams to compare). */
export const CORRECTABLE_LENGTH = 3;

/**
 * A typo stands only for catalog words at least this share of its length: trigrams alone put
 * "god" (3 of its 4 trigrams in "godfathr") among the nearest words of "godfathr", and every
 * title with "god" in it then matched a search for The Godfather. A typed letter too many is a
 * typo; most of the word gone is another word.
 */
export const SHORTEST_CORRECTION = 0.8;

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
export const LONGEST_LEXEME_BYTES = 2047;

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
  /**
   * For a word of three letters or more that starts none (or, looked up with `correctEveryWord`,
   * that starts at most COMPLETIONS): the nearest other catalog words (CORRECTIONS), nearest first.
   */
  nearest: CatalogWord[];
}

/** How the words were looked up (see planSearch). */
export interface LookUp {
  /** Every word's nearest words were asked for, not only a word's that starts none. */
  correctEveryWord: boolean;
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
  /**
   * What was most likely meant when a word was a typo: the words typed, each typo replaced by its
   * nearest catalog word ("lord of the rngs" → "lord of the rings"), for comparing whole titles
   * with. Null when no word was a typo, or none has a nearest word.
   */
  corrected: string | null;
  /**
   * A word was taken as typed because it starts catalog words, though it may be a misspelling of
   * another ("forest gump"): when nothing matches, looking the words up again with
   * `correctEveryWord` may find what was meant.
   */
  mayCorrectMore: boolean;
}

/**
 * A Latin or Greek letter's accents, once decomposed (NFKD): what unaccent takes off the titles'
 * words. Other scripts' marks are part of the letter: "ゴ" is "コ" and a voicing mark, "हि" a
 * consonant and a vowel sign, and without them the word is another word.
 */
const ACCENTS = /(?<=[\p{Script=Latin}\p{Script=Greek}]\p{M}*)\p{M}/gu;

/**
 * "Harry Pot!" → ["harry", "pot"]: the words typed, unaccented and lower-case, letters (with their
 * marks) and digits only, put back together (NFC) as titles store them ("ゴジラ", "기생충"). The
 * database unaccents them once more as it does the titles (planSearch). A word no title can hold
 * is left out: NFKD can make a short text long ("㍿" is "株式会社").
 */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(ACCENTS, '')
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
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
 * the nearest catalog words as well ("godfathr" → "(godfathr:* | godfather | godfathers)"), as
 * does every word when they were looked up with `correctEveryWord`.
 * Null when nothing searchable was typed.
 */
export function buildSearchPlan(
  words: LookedUpWord[],
  { correctEveryWord }: LookUp = { correctEveryWord: false },
): SearchPlan | null {
  if (words.length === 0) return null;
  const terms: SearchTerm[] = [];
  const parts: string[] = [];
  const meant: string[] = [];
  for (const { typed, completions, nearest } of words) {
    meant.push(completions.length === 0 ? (nearest[0]?.word ?? typed) : typed);
    const spelled = completions.length > 0 && completions.length <= COMPLETIONS;
    const found = spelled ? [...completions, ...nearest] : nearest;
    // Rarest first: the order media.search_terms reads them in (see candidate-queries.ts).
    const byTitles = [...found].sort((a, b) => Number(a.titles) - Number(b.titles) || (a.word < b.word ? -1 : 1));
    terms.push({
      typed,
      words: completions.length > COMPLETIONS ? null : byTitles.map((entry) => entry.word),
      titles: [...completions, ...nearest].reduce((sum, entry) => sum + Number(entry.titles), 0),
    });
    const alternatives = spelled
      ? found.map((entry) => quotedLexeme(entry.word))
      : [`${quotedLexeme(typed)}:*`, ...nearest.map((entry) => quotedLexeme(entry.word))];
    parts.push(anyOf(alternatives));
  }
  const corrected = meant.join(' ');
  return {
    tsquery: parts.join(' & '),
    terms,
    corrected: corrected === words.map((word) => word.typed).join(' ') ? null : corrected,
    mayCorrectMore:
      !correctEveryWord &&
      words.some(
        ({ typed, completions }) =>
          completions.length > 0 && completions.length <= COMPLETIONS && [...typed].length >= CORRECTABLE_LENGTH,
      ),
  };
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
