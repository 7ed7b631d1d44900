import type { Knex } from 'knex';
import {
  buildSearchPlan,
  COMPLETIONS,
  CORRECTABLE_LENGTH,
  CORRECTIONS,
  LONGEST_LEXEME_BYTES,
  SHORTEST_CORRECTION,
  searchWords,
  type LookedUpWord,
  type LookUp,
  type SearchPlan,
} from './plan';

/**
 * The search for what was typed (see buildSearchPlan), once the catalog's word list has said, for
 * each word, which words it starts and, for a word of three letters or more that starts none, the
 * nearest (none much shorter than it: SHORTEST_CORRECTION). With `correctEveryWord`, a word that
 * starts at most COMPLETIONS words has nearest words too, other than those: the second try of a
 * search that found nothing ("forest gump"). Each word is unaccented here as the titles' words
 * are (media.search_document), so both sides agree on "ø", "ß" or "ё". Null when nothing
 * searchable was typed.
 */
export async function planSearch(
  knex: Knex,
  text: string,
  lookUp: LookUp = { correctEveryWord: false },
): Promise<SearchPlan | null> {
  const typedWords = searchWords(text);
  if (typedWords.length === 0) return null;
  const { rows } = await knex.raw<{ rows: LookedUpWord[] }>(
    `select w.word as typed, coalesce(c.completions, '[]') as completions,
            case when length(w.word) < ${CORRECTABLE_LENGTH}
                      -- Only a word that starts none is a typo, unless every word may be one.
                      or (c.completions is not null
                          and not (?::boolean and json_array_length(c.completions) <= ${COMPLETIONS}))
                 then '[]'::json
                 else coalesce((select json_agg(json_build_object('word', s.word, 'titles', s.titles))
                                  from (select s.word, s.titles from media.search_words s
                                         where s.word % w.word and length(s.word) >= ?::float8 * length(w.word)
                                           and not starts_with(s.word, w.word)
                                         order by similarity(s.word, w.word) desc, s.titles desc, s.word
                                         limit ${CORRECTIONS}) s), '[]')
            end as nearest
       -- Each word unaccented once: without the fence (offset 0) PostgreSQL would paste the
       -- expression into every place w.word is read, and unaccent it there each time.
       from (select n, lower(media.immutable_unaccent(word)) as word
               from unnest(?::text[]) with ordinality as t(word, n) offset 0) w
       cross join lateral (select json_agg(json_build_object('word', p.word, 'titles', p.titles)) as completions
                             from (select p.word, p.titles from media.search_words p
                                    where p.word ~>=~ w.word and p.word ~<~ (w.word || chr(1114111))
                                    order by p.word using ~<~ limit ${COMPLETIONS + 1}) p) c
      where octet_length(w.word) <= ?
      order by w.n`,
    [lookUp.correctEveryWord, SHORTEST_CORRECTION, typedWords, LONGEST_LEXEME_BYTES],
  );
  return buildSearchPlan(rows, lookUp);
}

/** The tsquery of what was typed (see planSearch), or null when nothing searchable was typed. */
export async function searchQuery(knex: Knex, text: string): Promise<string | null> {
  return (await planSearch(knex, text))?.tsquery ?? null;
}
