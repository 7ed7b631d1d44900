import type { Knex } from 'knex';
import { whereMediaMatches } from '../tables/media-filters';
import type { Status } from '../users/queries';
import { MAX_ROWS, PAGE_SIZE, type CatalogQuery } from './validation';

export interface CatalogRow {
  id: string;
  title: string;
  originalTitle: string | null;
  mediaType: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
  creators: string[];
  country: string | null;
  genres: string[];
  trackingCount: number;
  /** The viewer's status for this title, when signed in and it is in their list. */
  status: Status | null;
}

export interface MediaType {
  mediaType: string;
  label: string;
  pluralLabel: string;
}

export interface MediaClass {
  mediaClass: string;
  label: string;
}

export interface Genre {
  genre: string;
  mediaCount: number;
}

/**
 * Past this many matches the count says "more than": counting further would cost more than the
 * page, and no page past it can be shown anyway.
 */
export const COUNT_LIMIT = MAX_ROWS;

export interface CatalogVocabulary {
  types: MediaType[];
  classes: MediaClass[];
  /** Every genre some title carries, most common first (counts kept by triggers, so cheap). */
  genres: Genre[];
}

/**
 * The names the filters offer and accept (media types, classes, genres), as three columns that
 * ride along with a page's statement (see searchCatalog and listEntries). The list's filters have
 * no genre: with `genres: false` the column is an empty array.
 */
export function vocabularyColumns(genres: boolean): string {
  const genreList = genres
    ? `(select json_agg(json_build_object('genre', genre, 'mediaCount', media_count)
                        order by media_count desc, genre)
          from media.genre_counts where media_count > 0)`
    : 'null::json';
  return `
      coalesce((select json_agg(json_build_object('mediaType', media_type, 'label', label,
                                                  'pluralLabel', plural_label) order by position)
                  from media.media_types), '[]') as types,
      coalesce((select json_agg(json_build_object('mediaClass', media_class::text, 'label', label)
                                order by position)
                  from media.media_classes), '[]') as classes,
      coalesce(${genreList}, '[]') as genres`;
}

/** How many catalog words a typo may stand for. */
const CORRECTIONS = 3;

/**
 * A typed word stands for the catalog words it starts, spelled out, when there are at most this
 * many: the GIN index then looks each one up (and can skip through a common word to a rare one's
 * titles), where a prefix makes it gather every matching word's titles first ("star:* & wars:*"
 * took 7 ms on a million titles, "star & wars" 0.4). A shorter prefix stays a prefix.
 */
const COMPLETIONS = 64;

/** One typed word: the catalog words that stand for it and how many titles use them. */
export interface SearchTerm {
  typed: string;
  /** The catalog words it stands for; null when it starts more than COMPLETIONS of them. */
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
 * The longest word PostgreSQL keeps in a tsvector, in bytes: a longer one is in no title, and in a
 * tsquery it is an error.
 */
const LONGEST_LEXEME_BYTES = 2047;

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

interface CatalogWord {
  word: string;
  titles: number;
}

/** A tsquery that matches any of `alternatives` (tsquery text each). */
function anyOf(alternatives: string[]): string {
  return alternatives.length > 1 ? `(${alternatives.join(' | ')})` : alternatives[0]!;
}

/**
 * The search for what was typed: every word must start a word of the title, original title or
 * creators ("harry pot" → "harry:* & pot:*", with each prefix spelled out as the catalog words it
 * starts when they are few). A word of three letters or more that starts no word in the catalog
 * is a typo: it stands for the nearest catalog words instead ("godfathr" → "(godfathr:* |
 * godfather | godfathers)"). Null when nothing searchable was typed.
 */
export async function planSearch(knex: Knex, text: string): Promise<SearchPlan | null> {
  const typedWords = searchWords(text);
  if (typedWords.length === 0) return null;
  const { rows } = await knex.raw<{ rows: { typed: string; completions: CatalogWord[]; nearest: CatalogWord[] }[] }>(
    `select w.word as typed, coalesce(c.completions, '[]') as completions,
            -- Only a word that starts none is a typo.
            case when length(w.word) < 3 or c.completions is not null
                 then '[]'::json
                 else coalesce((select json_agg(json_build_object('word', s.word, 'titles', s.titles))
                                  from (select s.word, s.titles from media.search_words s
                                         where s.word % w.word
                                         order by similarity(s.word, w.word) desc, s.titles desc, s.word
                                         limit ${CORRECTIONS}) s), '[]')
            end as nearest
       from unnest(?::text[]) with ordinality as w(word, n)
       cross join lateral (select json_agg(json_build_object('word', p.word, 'titles', p.titles)) as completions
                             from (select p.word, p.titles from media.search_words p
                                    where p.word ~>=~ w.word and p.word ~<~ (w.word || chr(1114111))
                                    order by p.word using ~<~ limit ${COMPLETIONS + 1}) p) c
      order by w.n`,
    [typedWords],
  );
  const terms: SearchTerm[] = [];
  const parts: string[] = [];
  for (const { typed, completions, nearest } of rows) {
    const prefix = `${quotedLexeme(typed)}:*`;
    const spelled = completions.length > 0 && completions.length <= COMPLETIONS;
    const found = completions.length > 0 ? completions : nearest;
    // Rarest first: the order media.search_terms reads them in (see readFromTerms).
    const byTitles = [...found].sort((a, b) => Number(a.titles) - Number(b.titles) || (a.word < b.word ? -1 : 1));
    const words = completions.length > COMPLETIONS ? null : byTitles.map((entry) => entry.word);
    terms.push({ typed, words, titles: found.reduce((sum, entry) => sum + Number(entry.titles), 0) });
    const alternatives = spelled
      ? found.map((entry) => quotedLexeme(entry.word))
      : [prefix, ...nearest.map((entry) => quotedLexeme(entry.word))];
    parts.push(anyOf(alternatives));
  }
  return { tsquery: parts.join(' & '), terms };
}

/** The tsquery of what was typed (see planSearch), or null when nothing searchable was typed. */
export async function searchQuery(knex: Knex, text: string): Promise<string | null> {
  return (await planSearch(knex, text))?.tsquery ?? null;
}

/** Each sort reads an index in order (see the catalog migrations), ties broken by id. */
function orderFor(query: CatalogQuery): string {
  const dir = query.direction;
  switch (query.sort) {
    case 'year':
      return `m.release_date ${dir} nulls last, m.id ${dir}`;
    case 'type':
      return `m.media_type ${dir}, m.title ${dir}, m.id ${dir}`;
    case 'popularity':
      return `m.tracking_count ${dir}, m.id ${dir}`;
    default:
      return `m.title ${dir}, m.id ${dir}`;
  }
}

/** The titles the filters let through (not the search), before ordering and paging. */
function filtered(knex: Knex, query: CatalogQuery, userId: string | null): Knex.QueryBuilder {
  const base = whereMediaMatches(knex('media.media as m'), query);
  if (query.genres.length) base.whereRaw('m.genres && ?::text[]', [query.genres]);
  if (query.list && userId) {
    const inList = knex('interaction.user_media as mine')
      .select(knex.raw('1'))
      .where('mine.user_id', userId)
      .whereRaw('mine.media_id = m.id');
    if (query.list === 'out') base.whereNotExists(inList);
    else base.whereExists(query.list === 'in' ? inList : inList.where('mine.status', query.list));
  }
  return base;
}

const MATCHES_WORDS = 'm.search_vector @@ ?::tsquery';

/** The filtered, searched set of titles, before ordering and paging. */
function matching(knex: Knex, query: CatalogQuery, userId: string | null, tsquery: string | null): Knex.QueryBuilder {
  const base = filtered(knex, query, userId);
  if (query.q) base.whereRaw(tsquery ? MATCHES_WORDS : 'false', tsquery ? [tsquery] : []);
  return base;
}

/**
 * A search sorted by relevance ranks a bounded set: the first RANKED_CANDIDATES matches the
 * full-text index gives. When there are more, the count says so, and a narrower search is the
 * better answer than ranking a hundred thousand titles that all contain "the". Reading and
 * ranking a candidate costs a few microseconds, so 500 (ten pages) is the bound: 1,000 took twice
 * as long for pages nobody reads past the first few of.
 */
export const RANKED_CANDIDATES = 500;

/** Titles that are, or start with, exactly what was typed (accents and case aside). */
const TITLE_CANDIDATES = 50;
const TYPED = 'lower(media.immutable_unaccent(?))';
// The title unaccented and in lower case, stored (migration 20261203000100_title_key).
const TITLE_KEY = 'm.title_key';

/**
 * How well a title matches, highest first, from tests that cost about a microsecond each (what was
 * typed, accents and case aside): the title is exactly it (4), starts with it (2), holds it as one
 * run (1); every word searched for is in the title itself, not only in the original title or the
 * creators (0.5); then shorter titles first (under 0.25). The ranking used before, ts_rank plus
 * pg_trgm's word_similarity, cost about 9 µs a candidate and so most of a broad search's time,
 * and told little more: every candidate already holds every word.
 */
const RELEVANCE = `(4 * (${TITLE_KEY} = ${TYPED})::int
    + 2 * (${TITLE_KEY} ^@ ${TYPED})::int
    + (strpos(${TITLE_KEY}, ${TYPED}) > 0)::int
    + 0.5 * (m.search_vector @@ ?::tsquery)::int
    + 0.25 / (1 + length(${TITLE_KEY})))::float8`;

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

async function searchByRelevance(
  knex: Knex,
  query: CatalogQuery,
  userId: string | null,
  plan: SearchPlan,
): Promise<CatalogPage> {
  const { tsquery } = plan;
  // Each candidate is ranked where it is first read; only the page's 50 are read again whole.
  const rank = knex.raw(`${RELEVANCE} as rank`, [query.q, query.q, query.q, titleQuery(plan)]);
  const term = termToRead(query, plan.terms);
  const words = term
    ? readFromTerms(knex, query, userId, plan, term, rank)
    : readFromIndex(knex, query, userId, tsquery, rank);
  // The index gives word matches in no useful order, so the title typed exactly (or its start)
  // joins them from its own index: "It" is found among a hundred thousand "it…" words.
  const titled = filtered(knex, query, userId)
    .select('m.id', 'm.title', rank)
    .whereRaw(`${TITLE_KEY} ~>=~ ${TYPED} and ${TITLE_KEY} ~<~ (${TYPED} || chr(1114111))`, [query.q, query.q])
    // In the index's own (byte) order, so the scan stops at the limit instead of sorting every
    // title that starts with a common word.
    .orderByRaw(`${TITLE_KEY} using ~<~`)
    .limit(TITLE_CANDIDATES);
  const ranked = knex('candidates')
    .select('id', 'title', 'rank')
    .orderByRaw('rank desc, title, id')
    .limit(PAGE_SIZE)
    .offset((query.page - 1) * PAGE_SIZE);
  const page = withRowColumns(
    knex,
    knex.from(ranked.as('x')).join('media.media as m', 'm.id', 'x.id'),
    userId,
  ).orderByRaw('x.rank desc, x.title, x.id');
  // json_agg takes the rows in the order the subquery gives them.
  const { rows } = await knex.raw<{
    rows: ({ rows: CatalogRow[]; total: number; wordCount: number } & CatalogVocabulary)[];
  }>(
    `with word_matches as ?, title_matches as ?,
          candidates as (select id, title, rank from word_matches union select id, title, rank from title_matches)
     select coalesce((select json_agg(r) from ? as r), '[]') as rows, (select count(*) from candidates) as total,
            (select count(*) from word_matches) as "wordCount", ${vocabularyColumns(true)}`,
    [words, titled, page],
  );
  const [found] = rows;
  if (!found) throw new Error('the search query returned no row');
  const capped = Number(found.wordCount) > RANKED_CANDIDATES;
  return {
    rows: found.rows,
    total: capped ? RANKED_CANDIDATES : Number(found.total),
    capped,
    vocabulary: vocabularyOf(found),
  };
}

/**
 * The full-text index in parts (migration 20261203000200_search_buckets): part k holds the titles
 * whose id's last byte ends in k. The expression is the indexes' own, so each part's query reads
 * its index.
 */
const SEARCH_PARTS = 8;
const searchPart = (part: number) => `(get_byte(uuid_send(m.id), 15) & ${SEARCH_PARTS - 1}) = ${part}`;

/**
 * The first RANKED_CANDIDATES + 1 word matches the GIN index gives (in no useful order), asked part
 * by part: PostgreSQL reads the parts one after another and stops at the limit, so a search with
 * thousands of matches reads the index of the few parts that hold the first 501.
 */
function readFromIndex(
  knex: Knex,
  query: CatalogQuery,
  userId: string | null,
  tsquery: string,
  rank: Knex.Raw,
): Knex.Raw {
  const parts = Array.from({ length: SEARCH_PARTS }, (_, part) =>
    filtered(knex, query, userId)
      .select('m.id', 'm.title', rank)
      .whereRaw(MATCHES_WORDS, [tsquery])
      .whereRaw(searchPart(part)),
  );
  return knex.raw(`(${parts.map(() => '(?)').join(' union all ')} limit ?)`, [...parts, RANKED_CANDIDATES + 1]);
}

/**
 * The first RANKED_CANDIDATES + 1 word matches read through one typed word's titles in
 * media.search_terms, in its key's order (the title's own words first, shorter titles first).
 * Each title is looked up by id and kept when it matches the whole search and the filters, and
 * only once (a title with both "dragon" and "dragons" is kept under one of them).
 */
function readFromTerms(
  knex: Knex,
  query: CatalogQuery,
  userId: string | null,
  { tsquery, terms }: SearchPlan,
  term: SearchTerm,
  rank: Knex.Raw,
): Knex.QueryBuilder {
  const probe = filtered(knex, query, userId).select('m.id', 'm.title', rank).whereRaw('m.id = t.media_id').limit(1);
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

/** The vocabulary columns of a statement's row. */
function vocabularyOf({ types, classes, genres }: CatalogVocabulary): CatalogVocabulary {
  return { types, classes, genres };
}

/**
 * How many titles match, as a one-value query. A set chosen by type, class and at most one genre
 * is read from the counts the triggers keep (media.facet_counts); anything narrower (years, list,
 * search, several genres) is counted, up to COUNT_LIMIT (`capsAt`: a count above it means "more").
 */
function countMatching(
  knex: Knex,
  query: CatalogQuery,
  userId: string | null,
  tsquery: string | null,
): { count: Knex.QueryBuilder; capsAt: number | null } {
  const byFacets = !query.q && query.from === null && query.to === null && !query.list && query.genres.length <= 1;
  if (byFacets) {
    const counts = knex('media.facet_counts').where('genre', query.genres[0] ?? '');
    if (query.types.length) counts.whereIn('media_type', query.types);
    // A class takes in the classes below it; a title has one class, so no title counts twice.
    if (query.classes.length) counts.whereRaw('media_class <@ ?::ltree[]', [query.classes]);
    return { count: counts.select(knex.raw('coalesce(sum(media_count), 0)')), capsAt: null };
  }
  const capped = matching(knex, query, userId, tsquery)
    .select(knex.raw('1'))
    .limit(COUNT_LIMIT + 1);
  return { count: knex.from(capped.as('capped')).select(knex.raw('count(*)')), capsAt: COUNT_LIMIT };
}

/** The columns of a catalog row, with the viewer's status when there is a viewer. */
function withRowColumns(knex: Knex, base: Knex.QueryBuilder, userId: string | null): Knex.QueryBuilder {
  base
    .join('media.media_types as t', 't.media_type', 'm.media_type')
    .select(
      'm.id',
      'm.title',
      'm.original_title as originalTitle',
      'm.media_type as mediaType',
      't.label as typeLabel',
      'm.release_date as releaseDate',
      'm.release_date_precision as releaseDatePrecision',
      'm.creators',
      'm.country_of_origin as country',
      'm.genres',
      'm.tracking_count as trackingCount',
      userId ? 'entry.status' : knex.raw('null as status'),
    );
  if (userId) {
    base.leftJoin('interaction.user_media as entry', (join) =>
      join.on('entry.media_id', 'm.id').andOnVal('entry.user_id', userId),
    );
  }
  return base;
}

export interface CatalogPage {
  rows: CatalogRow[];
  total: number;
  capped: boolean;
  /** The filters' names, read in the same statement. */
  vocabulary: CatalogVocabulary;
}

/**
 * One page of the catalog and the number of matches, in SQL: full-text search (prefixes) or,
 * for typos, trigram word similarity on the unaccented title, ranked by relevance when searching;
 * filters and sorts on indexed columns. With a viewer, each row carries their status.
 *
 * The page, its count and the filters' names come back from one statement,
 * as JSON: on two cores a round trip costs about as much as the page's SQL itself, in Node and in
 * PostgreSQL alike. (A search first corrects its typos against the catalog's words.)
 */
export async function searchCatalog(knex: Knex, query: CatalogQuery, userId: string | null): Promise<CatalogPage> {
  const plan = query.q ? await planSearch(knex, query.q) : null;
  const tsquery = plan?.tsquery ?? null;
  if (plan && query.sort === 'relevance') return searchByRelevance(knex, query, userId, plan);
  // The page's ids first, then their columns: the ids come from the sort's index alone (an
  // index-only scan), so skipping 7,450 rows for page 150 reads no row it does not show.
  const ids = matching(knex, query, userId, tsquery)
    .select('m.id')
    .orderByRaw(orderFor(query))
    .limit(PAGE_SIZE)
    .offset((query.page - 1) * PAGE_SIZE);
  const page = withRowColumns(
    knex,
    knex.from(ids.as('page')).join('media.media as m', 'm.id', 'page.id'),
    userId,
  ).orderByRaw(orderFor(query));
  const { count, capsAt } = countMatching(knex, query, userId, tsquery);
  // json_agg takes the rows in the order the subquery gives them.
  const { rows } = await knex.raw<{ rows: ({ total: number; rows: CatalogRow[] } & CatalogVocabulary)[] }>(
    `select ?::bigint as total, coalesce((select json_agg(r) from ? as r), '[]') as rows, ${vocabularyColumns(true)}`,
    [count, page],
  );
  const [found] = rows;
  if (!found) throw new Error('the catalog query returned no row');
  const total = Number(found.total);
  const capped = capsAt !== null && total > capsAt;
  return { rows: found.rows, total: capped ? capsAt : total, capped, vocabulary: vocabularyOf(found) };
}

/** One catalog row by id (to show it again after a change), or undefined. */
export async function findCatalogRow(
  knex: Knex,
  mediaId: string,
  userId: string | null,
): Promise<CatalogRow | undefined> {
  const rows = (await withRowColumns(knex, knex('media.media as m').where('m.id', mediaId), userId)) as CatalogRow[];
  return rows[0];
}
