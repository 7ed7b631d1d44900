import type { Knex } from 'knex';
import { buildSearchPlan, COMPLETIONS, CORRECTIONS, searchWords, type LookedUpWord, type SearchPlan } from './plan';

/**
 * The search for what was typed (see buildSearchPlan), once the catalog's word list has said, for
 * each word, which words it starts and, for a word of three letters or more that starts none, the
 * nearest. Null when nothing searchable was typed.
 */
export async function planSearch(knex: Knex, text: string): Promise<SearchPlan | null> {
  const typedWords = searchWords(text);
  if (typedWords.length === 0) return null;
  const { rows } = await knex.raw<{ rows: LookedUpWord[] }>(
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
  return buildSearchPlan(rows);
}

/** The tsquery of what was typed (see planSearch), or null when nothing searchable was typed. */
export async function searchQuery(knex: Knex, text: string): Promise<string | null> {
  return (await planSearch(knex, text))?.tsquery ?? null;
}
