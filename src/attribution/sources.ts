import { ADAPTERS } from '../ingest/adapters';

/**
 * The credit every dataset of the catalog is owed, in one place: the page that gives it
 * (/about/data), the export of a list (which carries catalog data) and anything else that copies
 * the catalog read it from here. Keyed by the source's adapter name (src/ingest/adapters/), so a
 * new adapter without an entry here fails test/about/sources.test.ts.
 *
 * The wording follows what each licence asks of whoever shares the data:
 * - CC BY 4.0 and CC BY-SA 4.0 (section 3(a)): the creator, a link to the material, the licence
 *   with a link to it, and whether it was changed; BY-SA also (3(b)) that what is adapted from it
 *   and shared is under the same licence.
 * - MIT: the copyright notice and the licence go with copies; we say where they are.
 * - CC0 and the public domain ask nothing: they are credited all the same.
 * The facts (sizes, commits, licence statements) come from each dataset's README in seeds/data/raw/
 * and from seeds/data/SOURCES.md.
 */

export interface Licence {
  /** Its short name: "CC BY-SA 4.0". */
  name: string;
  /** Where its text is. */
  url: string;
  /** What it covers, when a source comes under more than one licence. */
  covers?: string;
}

export interface SourceAttribution {
  /** The dataset's title as its authors publish it. */
  title: string;
  /** Where it is published (the adapter's homepage wins when there is an adapter). */
  homepage: string;
  /** Who made it and holds the rights. */
  creator: string;
  /** What it gives the catalog, in a sentence. */
  supplies: string;
  licences: readonly [Licence, ...Licence[]];
  /** The credit line, as the licence asks for it. */
  credit: string;
  /** What was done to the data on its way into the catalog. */
  changes: string;
  /** The share-alike condition in words, for a licence that has one; null otherwise. */
  shareAlike: string | null;
  /** The copyright notice and where it travels with the data (MIT), or null. */
  notice: string | null;
  /**
   * What the seed catalog (seeds/data/catalog.jsonl) took from it, to follow "The seed catalog
   * took …"; null when it took nothing.
   */
  inSeedCatalog: string | null;
}

const CC_BY_4 = { name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' };
const CC_BY_SA_4 = { name: 'CC BY-SA 4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0/' };
const CC0_1 = { name: 'CC0 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' };
const MIT = { name: 'MIT', url: 'https://opensource.org/license/mit' };

/** What happens to every source on its way in (src/ingest/pipeline.ts); entries add their own. */
const MERGED =
  'converted to this catalog’s format, merged with the other sources (one title per work), fields normalised';

/** Where the shipped datasets are, in the project's source. */
const RAW = 'seeds/data/raw';

const SHARE_ALIKE_CC_BY_SA =
  'Data adapted from it that is shared (this catalog, a copy of it, an export of a list) is under CC BY-SA 4.0 as well, and must be credited the same way.';

export const SOURCE_ATTRIBUTIONS: Readonly<Record<string, SourceAttribution>> = {
  'bangumi-data': {
    title: 'bangumi-data',
    homepage: 'https://github.com/bangumi-data/bangumi-data',
    creator: 'the bangumi-data project and its contributors',
    supplies:
      '8,821 anime (series, films, OVAs and web series) with their air dates, Japanese and translated titles, and their Bangumi, MyAnimeList, AniList, AniDB and TMDB ids.',
    licences: [CC_BY_4],
    credit: 'Anime data: source bangumi-data (github.com/bangumi-data/bangumi-data), by its contributors, CC BY 4.0.',
    changes: `Read from its JSON and ${MERGED}; a title chosen per language; the episode count of a weekly series estimated from its dates; the 64 items without a Bangumi id left out.`,
    shareAlike: null,
    notice: null,
    inSeedCatalog: '3,306 anime',
  },
  'goodbooks-10k': {
    title: 'goodbooks-10k',
    homepage: 'https://github.com/zygmuntz/goodbooks-10k',
    creator: 'Zygmunt Zając (zygmuntz), from Goodreads metadata',
    supplies:
      '10,000 popular books from Goodreads with their authors, original titles, first publication years, languages, Goodreads ids and ISBNs.',
    licences: [CC_BY_SA_4],
    credit: 'Book data: “goodbooks-10k” by Zygmunt Zając (github.com/zygmuntz/goodbooks-10k), CC BY-SA 4.0.',
    changes: `Read from its CSV and ${MERGED}; the series and its position taken out of the title; ISBN-10 zero-padded and its check digit verified, ISBN-13 computed from it.`,
    shareAlike: SHARE_ALIKE_CC_BY_SA,
    notice: `Its licence ships with the data, in ${RAW}/goodbooks-10k/LICENSE.`,
    inSeedCatalog: '3,673 books',
  },
  'wikipedia-movie-data': {
    title: 'Wikipedia movie data',
    homepage: 'https://github.com/prust/wikipedia-movie-data',
    creator: 'Peter Rust; the facts are taken from English Wikipedia, written by its contributors',
    supplies:
      '36,273 American films listed on English Wikipedia (1900 to 2023) with their years, genres, casts and Wikipedia article names.',
    licences: [
      {
        name: 'MIT',
        url: 'https://github.com/prust/wikipedia-movie-data/blob/91ae721d3672e8ef4f15b213c763a634250ef61a/LICENSE',
        covers: 'the dataset',
      },
      { ...CC_BY_SA_4, covers: 'Wikipedia’s text, which the facts were taken from' },
    ],
    credit:
      'Film data: “wikipedia-movie-data” by Peter Rust (github.com/prust/wikipedia-movie-data), MIT; from English Wikipedia articles by Wikipedia contributors, CC BY-SA 4.0.',
    changes: `Read from its JSON and ${MERGED}; cast lists cleaned of wiki markup; the country set to the United States; article extracts and thumbnails left out; films without an article skipped.`,
    shareAlike:
      'No article text is kept, only facts listed in Wikipedia; in case those lists count as adapted from Wikipedia, what is taken from them and shared is under CC BY-SA 4.0 as well.',
    notice: `Copyright (c) 2016 Peter Rust. The notice and the MIT licence ship with the data, in ${RAW}/wikipedia-movie-data/LICENSE.`,
    inSeedCatalog: '3,306 films',
  },
  'netflix-titles': {
    title: 'Netflix Movies and TV Shows',
    homepage: 'https://huggingface.co/datasets/hugginglearners/netflix-shows',
    creator: 'Shivam Bansal',
    supplies:
      '8,807 films and series on Netflix (up to 2021) with their directors, casts, countries, age ratings, running times or seasons, categories and a one-line description.',
    licences: [CC0_1],
    credit: 'Film and series data: “Netflix Movies and TV Shows” by Shivam Bansal, CC0 1.0.',
    changes: `Read from its CSV and ${MERGED}; countries turned into country codes, durations into minutes or seasons, categories into genres; titles in Netflix’s anime categories taken as anime.`,
    shareAlike: null,
    notice: null,
    inSeedCatalog: '2,676 series and 630 films',
  },
  'libretro-database': {
    title: 'libretro-database',
    homepage: 'https://github.com/libretro/libretro-database',
    creator: 'the libretro project and the database’s contributors',
    supplies:
      'Games on many platforms (11,303 once merged) with their developers, publishers, release years and months, genres and franchises.',
    licences: [CC_BY_SA_4],
    credit:
      'Game data: “libretro-database” by libretro and its contributors (github.com/libretro/libretro-database), CC BY-SA 4.0.',
    changes: `Read from its metadata files of every platform, joined per game and merged by title across platforms, and ${MERGED}; region and version tags taken out of titles; betas, prototypes, demos and unlicensed games left out.`,
    shareAlike: SHARE_ALIKE_CC_BY_SA,
    notice: `Its licence ships with the data, in ${RAW}/libretro-database-metadat/LICENSE.`,
    inSeedCatalog: '2,939 games',
  },
  'anime-relations': {
    title: 'anime-relations',
    homepage: 'https://github.com/erengy/anime-relations',
    creator: 'erengy and the project’s contributors',
    supplies:
      '543 rules that carry an anime’s episodes on to its next season, by MyAnimeList, Kitsu and AniList ids: the sequel links between anime.',
    licences: [{ ...CC0_1, covers: 'the whole repository, which is in the public domain' }],
    credit:
      'Anime sequel links: “anime-relations” by erengy (github.com/erengy/anime-relations), public domain (CC0 1.0).',
    changes:
      'Its rules read as sequel links (with their prequels) between the anime whose MyAnimeList, AniList or Kitsu ids they name, a season to the next; rules within one anime left out.',
    shareAlike: null,
    notice: null,
    inSeedCatalog: 'the sequel and prequel links between its anime',
  },
  'kawaiioverflow-arm': {
    title: 'arm (Anime Relations Mapping)',
    homepage: 'https://github.com/kawaiioverflow/arm',
    creator: 'P-Chan (kawaiioverflow)',
    supplies:
      'Ids only: 36,069 anime mapped between MyAnimeList, AniList, Annict and Syoboi Calendar, which tie the other sources’ anime together.',
    licences: [MIT],
    credit: 'Anime id map: “arm” by P-Chan (github.com/kawaiioverflow/arm), MIT.',
    changes:
      'Its ids added, as MyAnimeList, AniList, Annict and Syoboi Calendar ids, to the anime other sources describe; it makes no title of its own.',
    shareAlike: null,
    notice: `MIT, as the package’s own package.json states (author P-Chan); the repository has no LICENSE file and no copyright line. That statement ships with the data, in ${RAW}/kawaiioverflow-arm/README.md.`,
    inSeedCatalog: null,
  },
  podcastindex: {
    title: 'Podcast Index database (sample of its feeds)',
    homepage: 'https://github.com/Podcastindex-org/database',
    creator: 'Podcast Index (podcastindex.org)',
    supplies:
      '1,000 podcasts from the Podcast Index feed table with their titles, authors, descriptions, languages, artwork, feed and site links, and iTunes ids.',
    licences: [MIT],
    credit:
      'Podcast data: the Podcast Index database sample by Podcast Index (github.com/Podcastindex-org/database), MIT.',
    changes: `The owners’ e-mail addresses left out before it was shipped; ${MERGED}; HTML in descriptions turned into text, languages written as language tags; dead feeds and duplicates of other feeds left out.`,
    shareAlike: null,
    notice: `MIT, as the repository’s README states (“Everything in this repo is under the MIT license”); it has no LICENSE file and no copyright line. That statement ships with the data, in ${RAW}/podcastindex-sample/README.md.`,
    inSeedCatalog: null,
  },
};

/** One source of the catalog as the pages show it: its attribution, and where its works are kept. */
export interface CatalogSource extends SourceAttribution {
  /** The adapter's name (src/ingest/adapters/) and the key of SOURCE_ATTRIBUTIONS. */
  name: string;
  /**
   * Under which name its works' own ids are kept in media.external_links; null for a source with
   * no ids of its own (an ids-only adapter, or no adapter).
   */
  keyName: string | null;
  /** Whether `npm run ingest` can load it (it has an adapter). */
  loadable: boolean;
}

/**
 * A source with an adapter but no entry in SOURCE_ATTRIBUTIONS still gets credited with what its
 * adapter says, so no page breaks; test/about/sources.test.ts keeps that from shipping.
 */
function fromAdapterAlone(adapter: (typeof ADAPTERS)[number]): SourceAttribution {
  return {
    title: adapter.label,
    homepage: adapter.homepage,
    creator: `see ${adapter.homepage}`,
    supplies: adapter.label,
    licences: [{ name: adapter.licence, url: adapter.homepage }],
    credit: `${adapter.label} (${adapter.homepage}), ${adapter.licence}.`,
    changes: `${MERGED.charAt(0).toUpperCase()}${MERGED.slice(1)}.`,
    shareAlike: null,
    notice: null,
    inSeedCatalog: null,
  };
}

/**
 * The sources whose data the catalog holds, in the order a full ingest loads them: every adapter's,
 * then the datasets only the seed catalog took from (anime-relations' links, until it has an adapter).
 */
export function catalogSources(): CatalogSource[] {
  const loadable = ADAPTERS.map((adapter) => {
    const attribution = SOURCE_ATTRIBUTIONS[adapter.name] ?? fromAdapterAlone(adapter);
    return { ...attribution, homepage: adapter.homepage, name: adapter.name, keyName: adapter.keyName, loadable: true };
  });
  const seedOnly = Object.entries(SOURCE_ATTRIBUTIONS)
    .filter(([name, attribution]) => attribution.inSeedCatalog !== null && !ADAPTERS.some((a) => a.name === name))
    .map(([name, attribution]) => ({ ...attribution, name, keyName: null, loadable: false }));
  return [...loadable, ...seedOnly];
}

/**
 * The sources whose licence has a share-alike condition, named in words ("a, b and c"), or null
 * when none has: the pages and the export say that what comes from them is under CC BY-SA 4.0.
 */
export function shareAlikeSources(sources: readonly CatalogSource[]): string | null {
  const titles = sources.filter((source) => source.shareAlike !== null).map((source) => source.title);
  if (titles.length === 0) return null;
  return titles.length === 1 ? titles[0]! : `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}`;
}

/** The path of the page that credits every source, for links from other pages and from exports. */
export const DATA_SOURCES_PATH = '/about/data';
