import path from 'node:path';
import type { IngestRecord, SourceAdapter } from '../source';
import { clean, isObject, readGzippedJson, type Skip } from './formats';

/**
 * bangumi-data/bangumi-data: anime, one gzipped JSON object `{siteMeta, items[]}` (the month files
 * joined, as the project's own dist/data.json), each item `{title, titleTranslate, type, lang,
 * officialSite, begin, end, broadcast?, comment?, sites[]}`; `sites` holds the work's ids in
 * catalogs (bangumi, mal, aniList, anidb, tmdb) and on streaming and download sites.
 *
 * Mapped as the seed catalog maps it (seeds/data/SOURCES.md): the bangumi id is the key; the
 * English title, when there is one, is the title and the title in the work's own language
 * (`title`, Japanese for nearly all) the original title, which is null when it is the title;
 * attributes `format` (the type: tv, web, ova, movie), `language`, `official_site`, `end_date` and
 * `title_translations` (the first title per language); country JP for Japanese, CN for Chinese
 * works, none for the few English ones; the mal, aniList, anidb and tmdb ids (tmdb as given:
 * "tv/N", "movie/N", or down to a season or an episode); `begin` and `end` as the date part of the
 * UTC instant, as the seed takes them (see dateOf). Unlike the seed, every translation is also a
 * title matched on, a film is one episode, and a weekly broadcast with an end has an estimated
 * episode count. Streaming-site ids are left out, and `comment` is read only for "end unknown".
 */

/** What each item type is: its media class. Films are `video.film.anime`, as in the seed. */
const CLASSES: Readonly<Record<string, string>> = {
  tv: 'video.series.anime',
  web: 'video.series.anime',
  ova: 'video.series.anime',
  movie: 'video.film.anime',
};

/** The catalogs whose ids are kept, by their names in `sites`, and the names they are kept under. */
const CATALOGS: Readonly<Record<string, string>> = { mal: 'mal', aniList: 'anilist', anidb: 'anidb', tmdb: 'tmdb' };

/** The country of a work in `lang` (ja 8,775 items, zh-Hans 31, en 15), as the seed gives it. */
const COUNTRIES: Readonly<Record<string, string>> = { ja: 'JP', 'zh-Hans': 'CN' };

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** An ISO 8601 instant ("2020-01-05T15:00:00.000Z") as milliseconds, or null ("" is unknown). */
function instant(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The date of an instant as bangumi-data writes it: its UTC date part, as the seed takes it. The
 * data is not consistent here. Broadcasts are real instants, so a late-night one is a day later in
 * Japan (2013-04-06T16:58Z aired on 7 April), but most films and OVAs have a bare date written at
 * 16:00Z, and for some of them (もののけ姫 1997-07-12T16:00Z, out on 12 July) it is the UTC date that
 * is right, for others (君の名は。 2016-08-25T16:00Z, out on 26 August) the Japanese one.
 */
function dateOf(value: unknown): string | null {
  const ms = instant(value);
  return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
}

/** An item's titles by language, cleaned, each once, the empty ones dropped. */
function translations(value: unknown): [string, string[]][] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([language, titles]): [string, string[]][] => {
    const list = Array.isArray(titles) ? [...new Set(titles.map(clean).filter((title) => title !== ''))] : [];
    return list.length ? [[language, list]] : [];
  });
}

/**
 * The first title per language, its keys in the order a jsonb object keeps them (shorter keys
 * first, then by their bytes), so that a work read back from the database compares equal to the
 * record and a second run of the same file changes nothing.
 */
function firstTitles(titles: [string, string[]][]): Record<string, string> {
  const ordered = [...titles].sort(([a], [b]) => a.length - b.length || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(ordered.map(([language, list]) => [language, list[0]!]));
}

/** The item's ids in `sites`, by site: the first one of each site. */
function siteIds(value: unknown): Map<string, string> {
  const ids = new Map<string, string>();
  if (!Array.isArray(value)) return ids;
  for (const site of value) {
    if (!isObject(site)) continue;
    const name = clean(site.site);
    const id = typeof site.id === 'number' ? String(site.id) : clean(site.id);
    if (name && id && !ids.has(name)) ids.set(name, id);
  }
  return ids;
}

/**
 * A weekly broadcast's episode count, estimated as its weeks from the first episode to the last,
 * both counted. The weeks are rounded, as the last one is not always at the hour of the first:
 * 1960s–80s items often end an hour earlier (1967-01-06T16:00Z to 1967-09-29T15:00Z is 39 weeks),
 * a finale can be moved by a day or two. Breaks are not known, so a long run is overestimated.
 */
function weeklyEpisodes(broadcast: unknown, begin: number | null, end: number | null): number | null {
  if (typeof broadcast !== 'string' || !/^R\/[^/]+\/P7D$/.test(broadcast.trim())) return null;
  if (begin === null || end === null || end < begin) return null;
  return Math.round((end - begin) / WEEK_MS) + 1;
}

function toRecord(item: Record<string, unknown>, index: number, skip: Skip): IngestRecord | null {
  const ownTitle = clean(item.title);
  const ids = siteIds(item.sites);
  const key = ids.get('bangumi');
  if (!key) {
    skip('no bangumi id', { index, title: ownTitle });
    return null;
  }
  if (!ownTitle) {
    skip('no title', { bangumi: key });
    return null;
  }
  const format = clean(item.type);
  const mediaClass = CLASSES[format];
  if (!mediaClass) {
    skip('unknown type', { bangumi: key, title: ownTitle, type: format });
    return null;
  }

  const titles = translations(item.titleTranslate);
  const english = titles.find(([language]) => language === 'en')?.[1][0];
  const title = english ?? ownTitle;
  const originalTitle = title === ownTitle ? null : ownTitle;
  const otherTitles = [...new Set(titles.flatMap(([, list]) => list))].filter(
    (other) => other !== title && other !== ownTitle,
  );

  const language = clean(item.lang);
  const begin = instant(item.begin);
  // One item says its end is not known, and gives its begin as its end.
  const end = clean(item.comment) === 'end unknown' ? null : instant(item.end);

  const attributes: Record<string, unknown> = { format };
  if (language) attributes.language = language;
  const officialSite = clean(item.officialSite);
  if (officialSite) attributes.official_site = officialSite;
  if (end !== null) attributes.end_date = dateOf(item.end);
  if (titles.length) attributes.title_translations = firstTitles(titles);
  if (format === 'movie') {
    attributes.episodes = 1;
  } else {
    const episodes = weeklyEpisodes(item.broadcast, begin, end);
    if (episodes !== null) Object.assign(attributes, { episodes, episodes_estimated: true });
  }

  const externalIds: Record<string, string> = {};
  for (const [site, name] of Object.entries(CATALOGS)) {
    const id = ids.get(site);
    if (id) externalIds[name] = id;
  }

  return {
    key,
    mediaType: 'anime',
    mediaClass,
    title,
    originalTitle,
    otherTitles,
    releaseDate: dateOf(item.begin),
    country: COUNTRIES[language] ?? null,
    creators: [],
    attributes,
    externalIds,
  };
}

async function* read(file: string, skip: Skip): AsyncGenerator<IngestRecord> {
  const data = await readGzippedJson(file);
  if (!isObject(data) || !Array.isArray(data.items)) throw new Error(`${file}: not bangumi-data's {siteMeta, items}`);
  for (const [index, item] of (data.items as unknown[]).entries()) {
    if (!isObject(item)) {
      skip('not an item object', { index });
      continue;
    }
    const record = toRecord(item, index, skip);
    if (record) yield record;
  }
}

export const bangumiData: SourceAdapter = {
  name: 'bangumi-data',
  label: 'bangumi-data',
  homepage: 'https://github.com/bangumi-data/bangumi-data',
  licence: 'CC BY 4.0',
  keyName: 'bangumi',
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'bangumi-data', 'data.json.gz')],
  read,
};
