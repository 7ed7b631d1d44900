/**
 * Franchises as the catalog files them: media.media.collection_path, an ltree path the media page
 * links to (/collections/:path, src/media/), listing every title at or below it. The ingest gives
 * a work one only when it has none, as an administrator may have set it: a work whose source names
 * its franchise (libretro's games) the label of that name, anime linked by sequels the label of
 * their franchise. Pure: src/ingest/relations.ts reads and writes what is decided here.
 */

/** The longest label the collection page takes (LTREE_PATH in src/http/validation.ts). */
const MAX_LABEL = 100;

/** Latin letters that Unicode does not decompose into a letter and a mark. */
const LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ł: 'l',
  Ł: 'l',
  þ: 'th',
  Þ: 'th',
  ð: 'd',
  Ð: 'd',
};

/**
 * A name as an ltree label: "The Legend of Zelda" → "the_legend_of_zelda", "Pokémon" → "pokemon".
 * Null for a name with letters other than Latin ones ("進撃の巨人", "機動戦士ガンダムSEED"), whose
 * label would be empty or a fragment of the name ("seed"), and for one with no letter or digit.
 */
export function franchiseLabel(name: string): string | null {
  const latin = name
    .replace(/[ßæÆœŒøØđĐłŁþÞðÐ]/g, (letter) => LETTERS[letter]!)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  if (/(?![A-Za-z])\p{L}/u.test(latin)) return null;
  const label = latin
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_LABEL)
    .replace(/_+$/, '');
  return label === '' ? null : label;
}

/**
 * What a season's title ends with when it names its season: "Season 2", "(Season 2)", "2nd Season",
 * "Part 1", "Cour 2", "S1", one after another ("Season 2 Part 2"); else a lone digit
 * ("Chihayafuru 2", "Digimon Adventure tri. 1").
 */
const SEASON = /(?:[\s:,\-–]*\(?\b(?:(?:season|part|cour)\s*\d+|\d+(?:st|nd|rd|th)\s+season|s\d+)\)?)+$/i;
const LONE_DIGIT = /\s+\d$/;

/**
 * A season's title as the name of its franchise, its season taken off ("Major S1" → "Major"), so
 * that a chain whose earliest work in the catalog is not its first season is still named after
 * the franchise. A title that is only a season ("Season 2", "86") is kept as it is.
 */
export function withoutSeason(title: string): string {
  const name = title.trim();
  const shorter = (SEASON.test(name) ? name.replace(SEASON, '') : name.replace(LONE_DIGIT, '')).trim();
  return /[\p{L}\p{N}]/u.test(shorter) ? shorter : name;
}

/** A work of a sequel chain, as its franchise is decided. */
export interface ChainWork {
  id: string;
  /** Its title first, then its other titles (original title, translations). */
  titles: string[];
  releaseDate: string | null;
  collectionPath: string | null;
  /** What a relations source called it (see IdsRecord.name), when its titles are not in Latin letters. */
  name?: string;
}

/** The works linked to each other, directly or not: the connected groups of the links, of two or more. */
export function linkedGroups(ids: readonly string[], links: readonly { from: string; to: string }[]): string[][] {
  const parent = new Map(ids.map((id) => [id, id]));
  const root = (id: string): string => {
    let at = id;
    while (parent.get(at) !== at) at = parent.get(at)!;
    // The next walk from here is one step.
    parent.set(id, at);
    return at;
  };
  for (const { from, to } of links) {
    if (!parent.has(from) || !parent.has(to)) continue;
    const [a, b] = [root(from), root(to)];
    if (a !== b) parent.set(b, a);
  }
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const group = root(id);
    groups.set(group, [...(groups.get(group) ?? []), id]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * How many sequel links each work of a group is from a work the group gives no prequel (its
 * first): the order of works released the same day, or undated. A work only a cycle reaches has none.
 */
function stepsFromFirst(group: readonly string[], links: readonly { from: string; to: string }[]): Map<string, number> {
  const members = new Set(group);
  const inGroup = links.filter((link) => members.has(link.from) && members.has(link.to));
  const hasPrequel = new Set(inGroup.map((link) => link.to));
  const steps = new Map(group.filter((id) => !hasPrequel.has(id)).map((id) => [id, 0]));
  for (let frontier = [...steps.keys()], step = 1; frontier.length; step += 1) {
    const next = inGroup.filter((link) => frontier.includes(link.from) && !steps.has(link.to)).map((link) => link.to);
    for (const id of next) steps.set(id, step);
    frontier = [...new Set(next)];
  }
  return steps;
}

/**
 * The collection_path of each work of a sequel chain that has none: the path a work of the chain
 * already has (the earliest such), so the franchise stays one; else the label of the earliest
 * work's title without its season (or, when its titles are not in Latin letters, of its name in
 * the relations source), else of the next work's. A chain with no such name gets none: it is
 * counted as unnamed.
 */
export function chainFranchises(
  works: readonly ChainWork[],
  links: readonly { from: string; to: string }[],
): { paths: { id: string; path: string }[]; unnamed: number } {
  const byId = new Map(works.map((work) => [work.id, work]));
  const paths: { id: string; path: string }[] = [];
  let unnamed = 0;
  for (const group of linkedGroups([...byId.keys()], links)) {
    const steps = stepsFromFirst(group, links);
    // Earliest release first (undated last), then along the chain, then by id: the same every run.
    const members = group
      .map((id) => byId.get(id)!)
      .sort(
        (a, b) =>
          compare(a.releaseDate ?? '9999', b.releaseDate ?? '9999') ||
          (steps.get(a.id) ?? Infinity) - (steps.get(b.id) ?? Infinity) ||
          compare(a.id, b.id),
      );
    const path =
      members.find((work) => work.collectionPath !== null)?.collectionPath ??
      members
        .flatMap((work) => [...work.titles, ...(work.name ? [work.name] : [])])
        .map((title) => franchiseLabel(withoutSeason(title)))
        .find((label) => label !== null);
    if (!path) {
      unnamed += 1;
      continue;
    }
    for (const work of members) if (work.collectionPath === null) paths.push({ id: work.id, path });
  }
  return { paths, unnamed };
}
