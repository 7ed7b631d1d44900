import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IdsAdapter, IdsRecord } from '../source';
import { clean, type Skip } from './formats';

/**
 * erengy/anime-relations (public domain, CC0): Taiga's episode redirections between anime, one
 * text file. A `::meta` section, then `::rules`, a rule a line, each under a comment that names
 * the two anime in romaji ("# Shingeki no Kyojin -> ~ Season 2"):
 *
 *   - 16498|7442|16498:26-37 -> 25777|8671|20958:1-12!
 *
 * says episodes 26–37 of the anime with MAL id 16498, Kitsu id 7442 and AniList id 16498 (as fans
 * number them, going on from the first season) are episodes 1–12 of the anime 25777|8671|20958.
 * An id may be `?` (unknown); in the destination `~` repeats the source's id; a `!` suffix also
 * redirects the destination to itself, which says nothing of relations; the episodes are `N`,
 * `N-M` or `N-?`.
 *
 * An ids-only source (src/ingest/source.ts): each anime named is a record with its MAL, AniList
 * and Kitsu ids (in that order, the order its work is looked for in), and the name its comment
 * gives it. A rule whose destination is another anime says the destination comes after the source:
 * it is a sequel. Only direct sequels are written, as the watch order walks them: one anime whose
 * episodes are redirected to several (Shingeki no Kyojin's 26–37 to Season 2, 38–49 to Season 3…)
 * gives a chain in the order of its episodes, the first season's sequel is Season 2, Season 2's is
 * Season 3, and so on, never the first season's sequel Season 3.
 *
 * Left out: a rule onto the same anime (`~|~|~`, or any id the same); a rule from episode 0, which
 * names a special shown before the first episode ("Episode 0", a prologue), not a sequel; a rule
 * whose source or destination has no known id. A line among the rules that is neither a rule nor
 * a comment is skipped.
 */

/** The catalogs of a rule's three ids, in the file's order, and the order a work is looked for in. */
const FILE_ORDER = ['mal', 'kitsu', 'anilist'] as const;
const LOOKUP_ORDER = ['mal', 'anilist', 'kitsu'] as const;
type Catalog = (typeof FILE_ORDER)[number];
type Ids = Partial<Record<Catalog, string>>;

const RULE = /^- (\S+) -> (\S+?)(!?)$/;
const SIDE = /^([^|:\s]+)\|([^|:\s]+)\|([^|:\s]+):(\d+)(?:-(\d+|\?))?$/;

/** One side of a rule: its ids (`~` as the source's), and the first episode. */
function side(text: string, source: Ids | null): { ids: Ids; first: number } | null {
  const match = SIDE.exec(text);
  if (!match) return null;
  const ids: Ids = {};
  for (const [index, catalog] of FILE_ORDER.entries()) {
    const id = match[index + 1]!;
    if (id === '~' && source) {
      if (source[catalog]) ids[catalog] = source[catalog];
    } else if (/^[1-9]\d*$/.test(id)) ids[catalog] = id;
    else if (id !== '?') return null;
  }
  return { ids, first: Number(match[4]) };
}

/** A record's key and ids: the ids in lookup order. */
function named(ids: Ids): { key: string; externalIds: Record<string, string> } {
  const externalIds: Record<string, string> = {};
  for (const catalog of LOOKUP_ORDER) if (ids[catalog]) externalIds[catalog] = ids[catalog];
  return {
    key: Object.entries(externalIds)
      .map(([name, value]) => `${name}:${value}`)
      .join(' '),
    externalIds,
  };
}

/** The names a comment gives a rule's two anime: "A -> ~ 2nd Season" names A and "A 2nd Season". */
function namesOf(comment: string): { source: string; destination: string } | null {
  const parts = comment.replace(/^#/, '').split(' -> ');
  if (parts.length !== 2) return null;
  const source = clean(parts[0]);
  const destination = clean(parts[1]!.replace(/~/g, source));
  return source && destination ? { source, destination } : null;
}

interface Redirect {
  source: string;
  destination: string;
  /** The source's first episode redirected: the order of its sequels. */
  first: number;
  line: number;
}

/** The anime of a file and the direct sequels its rules give, as records (see the comment above). */
function recordsOf(text: string, skip: Skip): IdsRecord[] {
  const anime = new Map<string, IdsRecord>();
  const redirects: Redirect[] = [];
  const remember = (ids: Ids, name: string | undefined) => {
    const { key, externalIds } = named(ids);
    const known = anime.get(key);
    if (!known) anime.set(key, { key, externalIds, ...(name ? { name } : {}) });
    else if (!known.name && name) known.name = name;
    return key;
  };

  let section = '';
  let names: { source: string; destination: string } | null = null;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') {
      names = null;
      continue;
    }
    if (line.startsWith('::')) {
      section = line.slice(2);
      continue;
    }
    if (line.startsWith('#')) {
      names = namesOf(line);
      continue;
    }
    if (section !== 'rules') continue;
    const rule = RULE.exec(line);
    const from = rule ? side(rule[1]!, null) : null;
    const to = rule && from ? side(rule[2]!, from.ids) : null;
    if (!from || !to) {
      skip('not a rule', { line: index + 1, text: line });
      continue;
    }
    const same = FILE_ORDER.some((catalog) => from.ids[catalog] && from.ids[catalog] === to.ids[catalog]);
    if (same || from.first === 0 || !Object.keys(from.ids).length || !Object.keys(to.ids).length) continue;
    redirects.push({
      source: remember(from.ids, names?.source),
      destination: remember(to.ids, names?.destination),
      first: from.first,
      line: index + 1,
    });
  }

  // Each source's destinations in the order of its episodes (each at its first redirected episode),
  // linked one to the next.
  const bySource = new Map<string, Redirect[]>();
  for (const redirect of redirects) bySource.set(redirect.source, [...(bySource.get(redirect.source) ?? []), redirect]);
  for (const [source, list] of bySource) {
    const order = [...list].sort((a, b) => a.first - b.first || a.line - b.line);
    const chain = [source, ...new Set(order.map((redirect) => redirect.destination))];
    for (let at = 0; at + 1 < chain.length; at += 1) {
      const record = anime.get(chain[at]!)!;
      const sequel = anime.get(chain[at + 1]!)!.externalIds;
      const relations = record.relations ?? [];
      if (!relations.some((relation) => relation.externalIds === sequel)) {
        record.relations = [...relations, { kind: 'sequel', externalIds: sequel }];
      }
    }
  }
  return [...anime.values()];
}

async function* read(file: string, skip: Skip): AsyncGenerator<IdsRecord> {
  yield* recordsOf(await readFile(file, 'utf8'), skip);
}

export const animeRelations: IdsAdapter = {
  kind: 'ids',
  name: 'anime-relations',
  label: 'anime-relations',
  homepage: 'https://github.com/erengy/anime-relations',
  licence: 'CC0 1.0 (public domain)',
  keyName: null,
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'anime-relations', 'anime-relations.txt')],
  read,
};
