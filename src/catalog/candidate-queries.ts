import type { Knex } from 'knex';
import { quotedLexeme, titleQuery, type SearchPlan, type SearchTerm } from '../search/plan';
import { termToRead } from './search-plan';
import type { CatalogQuery } from './validation';

/**
 * A search sorted by relevance: the titles it ranks (its candidates) and how each is ranked. The
 * words' matches come from the full-text index or from one word's titles in media.search_terms
 * (termToRead decides), and the works known by a title that is or starts with what was typed
 * (or meant, when a word was a typo) join them from the title keys' index. The page query
 * (queries.ts) ranks them and reads the page.
 */

/** The titles the page's filters let through, before the search: a new builder each call. */
export type FilteredTitles = () => Knex.QueryBuilder;

/** A title matches the search (bind the plan's tsquery). */
export const MATCHES_WORDS = 'm.search_vector @@ ?::tsquery';

/**
 * A search sorted by relevance ranks a bounded set: the first RANKED_CANDIDATES matches the
 * full-text index gives. When there are more, the count says so, and a narrower search is the
 * better answer than ranking a hundred thousand titles that all contain "the". Reading and
 * ranking a candidate costs a few microseconds, so 500 (ten pages) is the bound: 1,000 took twice
 * as long for pages nobody reads past the first few of.
 */
export const RANKED_CANDIDATES = 500;

/** Works read from media.title_keys for each key searched (what was typed, what was meant). */
const TITLE_CANDIDATES = 50;
const TYPED = 'lower(media.immutable_unaccent(?))';
// The title unaccented and in lower case, stored (migration 20261203000100_title_key).
const TITLE_KEY = 'm.title_key';

/**
 * A share of how many people follow a work, on a log scale, 0 to 1: the trackers here, or, where
 * a dataset counted them (goodbooks' ratings_count), its readers' ratings. A thousand trackers and
 * ten million ratings are each the whole share; the larger of the two counts.
 */
const FULL_TRACKING = 1_000;
const FULL_RATINGS = 10_000_000;
const POPULARITY = `least(1, greatest(
      ln(1 + m.tracking_count) / ln(1 + ${FULL_TRACKING}),
      ln(1 + greatest(0, case when jsonb_typeof(m.attributes -> 'ratings_count') = 'number'
                              then (m.attributes ->> 'ratings_count')::float8 else 0 end)) / ln(1 + ${FULL_RATINGS})))`;

/**
 * How well a title matches, highest first, from tests that cost about a microsecond each (what was
 * typed, accents and case aside): its title starts with it, a leading "the" aside (2), holds it as
 * one run (1); every word searched for is in the title itself, not only in the original title or
 * the creators (0.5); how popular the work is (0 to 1); then shorter titles first (under 0.25). A
 * work read from its title keys gains more (TITLE_KEY_RANK). The ranking used before, ts_rank plus
 * pg_trgm's word_similarity, cost about 9 µs a candidate and so most of a broad search's time, and
 * told little more: every candidate already holds every word.
 */
const RELEVANCE = `(2 * (${TITLE_KEY} ^@ ${TYPED} or ${TITLE_KEY} ^@ ('the ' || ${TYPED}))::int
    + (strpos(${TITLE_KEY}, ${TYPED}) > 0)::int
    + 0.5 * (m.search_vector @@ ?::tsquery)::int
    + ${POPULARITY}
    + 0.25 / (1 + length(${TITLE_KEY})))::float8`;

/**
 * What a work gains over RELEVANCE when one of the titles it is known by (media.title_keys: its
 * title, original title, translations) starts with what was typed or meant (2), and more when it
 * is that whole title (4 more): "godfathr" meant "godfather", and The Godfather is that title
 * (its key drops "the"), where Tokyo Godfathers or 3 Godfathers only hold the word.
 */
const TITLE_KEY_RANK = `(2 + 4 * (t.title_key = s.key)::int)`;

/**
 * The full-text index in parts (migration 20261203000200_search_buckets): part k holds the titles
 * whose id's last byte ends in k. The expression is the indexes' own, so each part's query reads
 * its index.
 */
const SEARCH_PARTS = 8;
const searchPart = (part: number) => `(get_byte(uuid_send(m.id), 15) & ${SEARCH_PARTS - 1}) = ${part}`;

/** The columns RELEVANCE reads, for ranking rows read elsewhere under the name m. */
const RANKED_COLUMNS = ['m.id', 'm.title', 'm.title_key', 'm.search_vector', 'm.tracking_count', 'm.attributes'];

/**
 * The first RANKED_CANDIDATES + 1 word matches the GIN index gives (in no useful order), asked part
 * by part: PostgreSQL reads the parts one after another and stops at the limit, so a search with
 * thousands of matches reads the index of the few parts that hold the first 501. They are ranked
 * once read, so the ranking is planned once, not once a part.
 */
function readFromIndex(knex: Knex, titles: FilteredTitles, tsquery: string, rank: Knex.Raw): Knex.Raw {
  const parts = Array.from({ length: SEARCH_PARTS }, (_, part) =>
    titles()
      .select(...RANKED_COLUMNS)
      .whereRaw(MATCHES_WORDS, [tsquery])
      .whereRaw(searchPart(part)),
  );
  return knex.raw(`(select m.id, m.title, ? from (${parts.map(() => '(?)').join(' union all ')} limit ?) m)`, [
    rank,
    ...parts,
    RANKED_CANDIDATES + 1,
  ]);
}

/**
 * The first RANKED_CANDIDATES + 1 word matches read through one typed word's titles in
 * media.search_terms, in its key's order (the title's own words first, shorter titles first).
 * Each title is looked up by id and kept when it matches the whole search and the filters, and
 * only once (a title with both "dragon" and "dragons" is kept under one of them).
 */
function readFromTerms(
  knex: Knex,
  titles: FilteredTitles,
  { tsquery, terms }: SearchPlan,
  term: SearchTerm,
  rank: Knex.Raw,
): Knex.QueryBuilder {
  const probe = titles().select('m.id', 'm.title', rank).whereRaw('m.id = t.media_id').limit(1);
  // A title read under the only typed word matches the search: only a search of several words
  // checks the others.
  if (terms.length > 1) probe.whereRaw(MATCHES_WORDS, [tsquery]);
  // Each lateral subquery has an ORDER BY or a LIMIT, so PostgreSQL keeps it a nested loop that
  // the outer LIMIT stops, instead of joining every title of a common word first.
  const page = knex
    .queryBuilder()
    .select('p.id', 'p.title', 'p.rank')
    .limit(RANKED_CANDIDATES + 1);
  if (term.words === null) {
    // A prefix of more words than are worth spelling out: its words in byte order, one range of
    // the key (the column's collation is "C"). A title is kept under the first of its words that
    // the prefix starts.
    probe.whereRaw(
      `not exists (select 1 from unnest(tsvector_to_array(m.search_vector)) as l(word)
                    where l.word ~>=~ ? and l.word ~<~ t.word)`,
      [term.typed],
    );
    return page.from(
      knex.raw(
        `(select word, media_id from media.search_terms s
           where s.word >= ? and s.word < (? || chr(1114111))
           order by s.word, s.place, s.media_id) t
         cross join lateral ? p`,
        [term.typed, term.typed, probe],
      ),
    );
  }
  // The words it stands for one after another, rarest first, so a common one does not crowd out
  // the rare ones; a title is kept under the first of them it has.
  const words = term.words;
  const earlier = words.map((_, index) => (index === 0 ? null : words.slice(0, index).map(quotedLexeme).join(' | ')));
  probe.whereRaw('(d.earlier is null or not m.search_vector @@ d.earlier)');
  return page.from(
    knex.raw(
      `unnest(?::text[], ?::tsquery[]) with ordinality as d(word, earlier, n)
       cross join lateral (select media_id from media.search_terms s where s.word = d.word
                            order by s.place, s.media_id) t
       cross join lateral ? p`,
      // (Knex's types take no null inside an array binding; pg sends it as NULL.)
      [words, earlier as string[], probe],
    ),
  );
}

/** The candidates of a search by relevance, as two sets of (id, title, rank) for the page's statement. */
export interface Candidates {
  /** Titles that match every word: RANKED_CANDIDATES + 1 at most (one more says "more than"). */
  wordMatches: Knex.Raw | Knex.QueryBuilder;
  /**
   * Works known by a title that is, or starts with, what was typed or meant: TITLE_CANDIDATES a
   * key at most. A work may be in both sets, or twice in this one: rank it by its best row.
   */
  titleMatches: Knex.Raw;
}

/** What a search by relevance ranks, each candidate ranked where it is read. */
export function relevanceCandidates(
  knex: Knex,
  query: CatalogQuery,
  plan: SearchPlan,
  titles: FilteredTitles,
): Candidates {
  const relevance = [query.q, query.q, query.q, titleQuery(plan)];
  const rank = knex.raw(`${RELEVANCE} as rank`, relevance);
  const term = termToRead(query, plan.terms);
  const wordMatches = term
    ? readFromTerms(knex, titles, plan, term, rank)
    : readFromIndex(knex, titles, plan.tsquery, rank);
  // The index gives word matches in no useful order, and a title in another language or script
  // may hold none of the words: the works known by what was typed (or meant), or by a title that
  // starts with it, join them from the title keys' own index. "It" is found among a hundred
  // thousand "it…" words, "进击的巨人" though no title's words are Chinese.
  const keys = plan.corrected === null ? [query.q] : [query.q, plan.corrected];
  // Each key read looks its work up by id, through the filters, as readFromTerms does: one
  // subquery for both keys, planned once. Each key is made once (the fence, offset 0, keeps
  // PostgreSQL from pasting media.match_key, two regular expressions, into every row's rank).
  const work = titles().select('m.id', 'm.title', rank).whereRaw('m.id = k.media_id').limit(1);
  const titleMatches = knex.raw(
    `(select t.id, t.title, t.rank + ${TITLE_KEY_RANK} as rank
        from (select media.match_key(typed) as key from unnest(?::text[]) as typed offset 0) s
        cross join lateral (select k.title_key, w.id, w.title, w.rank
                              from media.title_keys k
                              cross join lateral ? w
                             where k.title_key ~>=~ s.key and k.title_key ~<~ (s.key || chr(1114111)) and s.key <> ''
                             -- In the index's own (byte) order, so the scan stops at the limit instead
                             -- of sorting every key that starts with a common word; a whole title
                             -- comes before the longer ones it starts.
                             order by k.title_key using ~<~
                             limit ?) t)`,
    [keys, work, TITLE_CANDIDATES],
  );
  return { wordMatches, titleMatches };
}
