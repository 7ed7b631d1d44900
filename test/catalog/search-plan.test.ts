import {
  buildSearchPlan,
  COMPLETIONS,
  searchWords,
  titleQuery,
  type CatalogWord,
  type LookedUpWord,
} from '../../src/search/plan';
import { PROBED_TITLES, termToRead } from '../../src/catalog/search-plan';
import { parseCatalogQuery } from '../../src/catalog/validation';

// Searches planned from what the catalog's word list would answer, without a database.

const words = (...entries: [string, number][]): CatalogWord[] => entries.map(([word, titles]) => ({ word, titles }));
const typed = (word: string, completions: CatalogWord[] = [], nearest: CatalogWord[] = []): LookedUpWord => ({
  typed: word,
  completions,
  nearest,
});
const query = (raw: Record<string, unknown>) =>
  parseCatalogQuery(raw, {
    types: ['movie', 'book'],
    classes: [],
    genres: [],
    signedIn: true,
  }).query;

describe('planning a catalog search', () => {
  it('reads the words typed: unaccented, lower-case, letters and digits, twelve at most', () => {
    expect(searchWords('Pokémon: Gotta CATCH ’em all!')).toEqual(['pokemon', 'gotta', 'catch', 'em', 'all']);
    expect(searchWords('!!! ---')).toEqual([]);
    expect(searchWords(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))).toHaveLength(12);
  });

  it('keeps the marks that other scripts spell with, as their titles are stored', () => {
    // Decomposed, ド is ト and a voicing mark, and हि a consonant and a vowel sign: neither is an accent.
    expect(searchWords('ドラゴンボール 기생충 हिन्दी Ελληνικά')).toEqual([
      'ドラゴンボール',
      '기생충',
      'हिन्दी',
      'ελληνικα',
    ]);
  });

  it('plans nothing when nothing searchable was typed', () => {
    expect(buildSearchPlan([])).toBeNull();
  });

  it('spells a word out as the catalog words it starts, rarest first in its terms', () => {
    const plan = buildSearchPlan([typed('pot', words(['potter', 40], ['pot', 3], ['potato', 9]))])!;
    expect(plan.tsquery).toBe("('potter' | 'pot' | 'potato')");
    expect(plan.terms).toEqual([{ typed: 'pot', words: ['pot', 'potato', 'potter'], titles: 52 }]);
    // Nothing was corrected: the titles are compared with what was typed.
    expect(plan.corrected).toBeNull();
  });

  it('keeps a word that starts more catalog words than are worth spelling out as a prefix', () => {
    const many = Array.from({ length: COMPLETIONS + 1 }, (_, i) => ({ word: `th${i}`, titles: 10 }));
    const plan = buildSearchPlan([typed('th', many)])!;
    expect(plan.tsquery).toBe("'th':*");
    expect(plan.terms[0]).toMatchObject({ typed: 'th', words: null, titles: 10 * (COMPLETIONS + 1) });
  });

  it('takes a word that starts none for a typo: the prefix or the nearest words', () => {
    const plan = buildSearchPlan([
      typed('harry', words(['harry', 30])),
      typed('godfathr', [], words(['godfather', 12], ['godfathers', 2])),
    ])!;
    expect(plan.tsquery).toBe("'harry' & ('godfathr':* | 'godfather' | 'godfathers')");
    expect(plan.terms[1]).toEqual({ typed: 'godfathr', words: ['godfathers', 'godfather'], titles: 14 });
    // What was meant, for comparing whole titles: each typo as its nearest word.
    expect(plan.corrected).toBe('harry godfather');
    expect(buildSearchPlan([typed('zqxj')])!.corrected).toBeNull();
  });

  it('says when a word taken as typed might be a misspelling, and with every word corrected, plans its nearest words too', () => {
    const forest = words(['forest', 40], ['forests', 6]);
    const gump = words(['gump', 2]);
    expect(buildSearchPlan([typed('forest', forest), typed('gump', gump)])!.mayCorrectMore).toBe(true);
    // Too short to compare, or a prefix of more words than are spelled out: nothing more to try.
    expect(buildSearchPlan([typed('of', words(['of', 900]))])!.mayCorrectMore).toBe(false);
    const many = Array.from({ length: COMPLETIONS + 1 }, (_, i) => ({ word: `the${i}`, titles: 10 }));
    expect(buildSearchPlan([typed('the', many)])!.mayCorrectMore).toBe(false);

    const again = buildSearchPlan([typed('forest', forest, words(['forrest', 9])), typed('gump', gump)], {
      correctEveryWord: true,
    })!;
    expect(again.tsquery).toBe("('forest' | 'forests' | 'forrest') & 'gump'");
    expect(again.terms[0]).toEqual({ typed: 'forest', words: ['forests', 'forrest', 'forest'], titles: 55 });
    expect(again.mayCorrectMore).toBe(false);
  });

  it('quotes what it cannot trust, and a word that matches nothing stays a prefix', () => {
    expect(buildSearchPlan([typed("o'neil\\")])!.tsquery).toBe("'o''neil\\\\':*");
  });

  it('holds every word to the title itself for the relevance bonus', () => {
    const plan = buildSearchPlan([typed('zq'), typed('star', words(['stars', 5], ['star', 9]))])!;
    expect(titleQuery(plan)).toBe("'zq':*A & ('stars':A | 'star':A)");
  });

  it('reads one word’s titles for a lone word or a rare one, the full-text index otherwise', () => {
    const one = buildSearchPlan([typed('the', words(['the', 90_000]))])!;
    expect(termToRead(query({ q: 'the' }), one.terms)).toBe(one.terms[0]);
    // Filtered, a common word is intersected by the index instead.
    expect(termToRead(query({ q: 'the', type: 'book' }), one.terms)).toBeNull();

    const rare = buildSearchPlan([typed('the', words(['the', 90_000])), typed('zorbl', words(['zorblatt', 4]))])!;
    expect(termToRead(query({ q: 'the zorbl' }), rare.terms)?.typed).toBe('zorbl');
    // A user's list is a few hundred titles: the index, whatever the words.
    expect(termToRead(query({ q: 'the zorbl', list: 'in' }), rare.terms)).toBeNull();

    const common = buildSearchPlan([
      typed('the', words(['the', 90_000])),
      typed('love', words(['love', PROBED_TITLES + 1])),
    ])!;
    expect(termToRead(query({ q: 'the love' }), common.terms)).toBeNull();
  });
});
