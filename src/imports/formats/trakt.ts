/**
 * Trakt's data export (import-formats.md): a ZIP of JSON files, each an array of objects about a
 * movie or a show. What one title has in several files (watched, each play in the history, its
 * rating, the watchlist) becomes one record: movies with a viewing per play, shows with the
 * number of episodes seen as progress.
 */
import {
  emptyRecord,
  ImportFileError,
  normaliseImdbId,
  parseDate,
  parseYear,
  scaleRating,
  type ImportFormat,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
  type RejectedRow,
} from '../records';
import { isObject, parseJson, type Json } from '../json';

type FileKind =
  'watched-movies' | 'watched-shows' | 'watched-history' | 'ratings-movies' | 'ratings-shows' | 'watchlist';

/** The files read, by name (a large export may number its parts: watched-history-2.json). */
const FILE_NAMES: [RegExp, FileKind][] = [
  [/^watched-movies(?:-\d+)?\.json$/, 'watched-movies'],
  [/^watched-shows(?:-\d+)?\.json$/, 'watched-shows'],
  [/^watched-history(?:-\d+)?\.json$/, 'watched-history'],
  [/^ratings-movies(?:-\d+)?\.json$/, 'ratings-movies'],
  [/^ratings-shows(?:-\d+)?\.json$/, 'ratings-shows'],
  [/^lists-watchlist(?:-\d+)?\.json$/, 'watchlist'],
];
/** Files of the export that are not read (episode ratings, custom lists, collection, profile), for detection. */
const OTHER_TRAKT_FILE = /^(?:ratings-|lists-|collection-|user-|watched-|comments-|likes-|network-)[\w-]*\.json$/;

const RAW_LIMIT = 300;

const baseName = (name: string) => (name.split('/').pop() ?? name).toLowerCase();

function kindOf(name: string): FileKind | null {
  const base = baseName(name);
  return FILE_NAMES.find(([pattern]) => pattern.test(base))?.[1] ?? null;
}

/** A Trakt numeric id (a number, or digits as text), else null: plex ids are objects, any may be null. */
function numericId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
  return null;
}

function parseJsonArray(member: ImportMember): unknown[] {
  let parsed: unknown;
  try {
    parsed = parseJson(member);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportFileError(`${member.name} could not be read as JSON (${reason}).`);
  }
  if (!Array.isArray(parsed))
    throw new ImportFileError(`${member.name} is not a Trakt export file: it should hold a list of entries.`);
  return parsed;
}

interface Title {
  record: ImportRecord;
  kind: 'movie' | 'show';
  /** Plays counted by watched-movies.json, which knows plays the history may not list. */
  plays: number | null;
  lastWatched: string | null;
  /** "season:number" of every episode seen, specials (season 0) left out. */
  episodes: Set<string>;
  airedEpisodes: number | null;
  watched: boolean;
  inWatchlist: boolean;
}

/** Reads the Trakt export's watched, history, ratings and watchlist files into one record per title. */
function readTrakt(members: ImportMember[]): ReadResult {
  const files = members.flatMap((member) => {
    const kind = kindOf(member.name);
    return kind ? [{ member, kind }] : [];
  });
  if (files.length === 0)
    throw new ImportFileError(
      'None of these is a Trakt file we import (custom lists, favourites, comments and episode or season ratings are not): upload the export ZIP, or its watched-movies.json, watched-shows.json, watched-history.json, ratings-movies.json, ratings-shows.json or lists-watchlist.json.',
    );

  const titles = new Map<string, Title>();
  const rejected: RejectedRow[] = [];

  for (const { member, kind } of files) {
    parseJsonArray(member).forEach((entry, index) => {
      const origin = { file: member.name, line: index + 1 };
      const reject = (reason: string) =>
        rejected.push({ origin, reason, raw: JSON.stringify(entry).slice(0, RAW_LIMIT) });
      if (!isObject(entry)) return reject('not an entry object');
      const type = typeof entry.type === 'string' ? entry.type : null;
      // History and the watchlist hold episodes and seasons too; for an episode play, the show is the title.
      if (kind === 'watchlist' && (type === 'episode' || type === 'season'))
        return reject(`${type === 'episode' ? 'an episode' : 'a season'}: lists here track whole titles`);
      const isShow = isObject(entry.show) && !isObject(entry.movie);
      const item = isShow ? entry.show : entry.movie;
      if (!isObject(item)) return reject('neither a movie nor a show');
      const title = titleFor(titles, item, isShow ? 'show' : 'movie', origin);
      const { record } = title;

      switch (kind) {
        case 'watched-movies':
        case 'watched-shows': {
          title.watched = true;
          title.plays = typeof entry.plays === 'number' ? entry.plays : title.plays;
          title.lastWatched = latest(title.lastWatched, parseDate(entry.last_watched_at));
          if (isShow) addSeasons(title, entry.seasons);
          touch(record, entry.last_updated_at ?? entry.last_watched_at);
          break;
        }
        case 'watched-history': {
          title.watched = true;
          const date = parseDate(entry.watched_at);
          touch(record, entry.watched_at);
          if (isShow) {
            if (isObject(entry.episode)) addEpisode(title, entry.episode.season, entry.episode.number);
            if (date !== null && (record.startedOn === null || date < record.startedOn)) record.startedOn = date;
            title.lastWatched = latest(title.lastWatched, date);
          } else {
            record.viewings.push({ date, rating: null, rewatch: false, note: null });
          }
          break;
        }
        case 'ratings-movies':
        case 'ratings-shows': {
          const rating = scaleRating(entry.rating, 10);
          if (rating === undefined) record.problems.push(`rating ${String(entry.rating)} is not 1–10: left out`);
          else record.rating = rating;
          touch(record, entry.rated_at);
          break;
        }
        case 'watchlist': {
          title.inWatchlist = true;
          if (typeof entry.notes === 'string' && entry.notes.trim() !== '') record.notes = entry.notes.trim();
          touch(record, entry.listed_at);
          break;
        }
      }
    });
  }

  return { records: [...titles.values()].map(finish), rejected };
}

function latest(a: string | null, b: string | null) {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

/** Moves updatedAt to `value` (an ISO time) when it is later. */
function touch(record: ImportRecord, value: unknown) {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return;
  const iso = new Date(value).toISOString();
  if (record.updatedAt === null || iso > record.updatedAt) record.updatedAt = iso;
}

/** The title an item names, made on first sight with its ids; keyed by Trakt id, else another id. */
function titleFor(
  titles: Map<string, Title>,
  item: Json,
  kind: 'movie' | 'show',
  origin: { file: string; line: number },
): Title {
  const ids = isObject(item.ids) ? item.ids : {};
  const trakt = numericId(ids.trakt);
  const imdb = normaliseImdbId(ids.imdb);
  const tmdb = numericId(ids.tmdb);
  const tvdb = kind === 'show' ? numericId(ids.tvdb) : null;
  const name = typeof item.title === 'string' && item.title.trim() !== '' ? item.title.trim() : null;
  const year = parseYear(item.year);
  const slug = typeof ids.slug === 'string' ? ids.slug : null;
  const key = `${kind}:${
    trakt !== null
      ? `trakt:${trakt}`
      : imdb !== null
        ? `imdb:${imdb}`
        : tmdb !== null
          ? `tmdb:${tmdb}`
          : slug !== null
            ? `slug:${slug}`
            : `title:${(name ?? '').toLowerCase()}:${year ?? ''}`
  }`;
  const known = titles.get(key);
  if (known) {
    known.airedEpisodes ??= typeof item.aired_episodes === 'number' ? item.aired_episodes : null;
    return known;
  }
  const record = emptyRecord(origin, kind === 'movie' ? ['movie', 'anime'] : ['tv', 'anime']);
  record.title = name;
  record.year = year;
  if (trakt !== null) record.ids[kind === 'movie' ? 'trakt_movie' : 'trakt_show'] = trakt;
  if (imdb !== null) record.ids.imdb = imdb;
  if (tmdb !== null) record.ids.tmdb = `${kind === 'movie' ? 'movie' : 'tv'}/${tmdb}`;
  if (tvdb !== null) record.ids.tvdb = tvdb;
  const title: Title = {
    record,
    kind,
    plays: null,
    lastWatched: null,
    episodes: new Set(),
    airedEpisodes: typeof item.aired_episodes === 'number' ? item.aired_episodes : null,
    watched: false,
    inWatchlist: false,
  };
  titles.set(key, title);
  return title;
}

function addEpisode(title: Title, season: unknown, number: unknown) {
  if (typeof season !== 'number' || typeof number !== 'number' || season === 0) return;
  title.episodes.add(`${season}:${number}`);
}

/** watched-shows.json's seasons: [{ number, episodes: [{ number, plays, last_watched_at }] }]. */
function addSeasons(title: Title, seasons: unknown) {
  if (!Array.isArray(seasons)) return;
  for (const season of seasons) {
    if (!isObject(season) || !Array.isArray(season.episodes)) continue;
    for (const episode of season.episodes) {
      if (isObject(episode)) addEpisode(title, season.number, episode.number);
    }
  }
}

function finish(title: Title): ImportRecord {
  const { record } = title;
  if (title.kind === 'movie') {
    record.viewings.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
    record.viewings.forEach((viewing, index) => {
      viewing.rewatch = index > 0;
    });
    if (title.watched) {
      record.status = 'completed';
      const plays = Math.max(title.plays ?? 0, record.viewings.length);
      record.rewatchCount = Math.max(0, plays - 1);
      record.completedOn = latest(title.lastWatched, record.viewings.at(-1)?.date ?? null);
    }
  } else if (title.watched) {
    record.progress = title.episodes.size;
    const done = title.airedEpisodes !== null && title.airedEpisodes > 0 && title.episodes.size >= title.airedEpisodes;
    record.status = done ? 'completed' : 'in_progress';
    if (done) record.completedOn = title.lastWatched;
  }
  // A title rated but not in the watched files was seen all the same; only the watchlist says planning.
  if (record.status === null)
    record.status = record.rating !== null ? 'completed' : title.inWatchlist ? 'planning' : null;
  return record;
}

/** Whether a file's content is Trakt's: an array whose objects name a movie or show by Trakt id. */
function holdsTraktItems(member: ImportMember): boolean {
  let parsed: unknown;
  try {
    parsed = parseJson(member);
  } catch {
    return false;
  }
  if (!Array.isArray(parsed)) return false;
  return parsed.slice(0, 20).some((entry) => {
    if (!isObject(entry)) return false;
    const item = isObject(entry.movie) ? entry.movie : isObject(entry.show) ? entry.show : null;
    return item !== null && isObject(item.ids) && numericId(item.ids.trakt) !== null;
  });
}

/** Trakt's data export (JSON files). */
export const traktFormat: ImportFormat = {
  name: 'trakt',
  label: 'Trakt',
  detect(members: ImportMember[]): 'yes' | 'maybe' | 'no' {
    const named = members.filter(
      (member) => kindOf(member.name) !== null || OTHER_TRAKT_FILE.test(baseName(member.name)),
    );
    if (named.some(holdsTraktItems)) return 'yes';
    // A new account's export is empty lists under Trakt's names: nothing else proves whose it is.
    return named.some((member) => kindOf(member.name) !== null && /^\uFEFF?\s*\[\s*\]\s*$/.test(member.text))
      ? 'maybe'
      : 'no';
  },
  read: readTrakt,
};
