/**
 * What every import format reads a file into: one `ImportRecord` per title the file lists, in
 * our own words (our media types, statuses, a 1–100 rating, YYYY-MM-DD dates), so that matching,
 * the preview, applying and undoing never need to know which tracker a row came from.
 *
 * A format module (./formats/*.ts) exports an `ImportFormat`: how to recognise its files and how
 * to read them. Reading never throws for one bad row: the row is a `RejectedRow` with its reason,
 * and the rest is read. It throws `ImportFileError` only when the file as a whole cannot be read
 * (not this format, truncated, no header), with a message for the person who uploaded it.
 */
import type { Status } from '../entries/statuses';

/** Our media types (media.media_types). */
export const IMPORT_MEDIA_TYPES = [
  'movie',
  'tv',
  'anime',
  'manga',
  'book',
  'game',
  'visual_novel',
  'podcast',
  'web_novel',
] as const;
export type ImportMediaType = (typeof IMPORT_MEDIA_TYPES)[number];

/**
 * The ids a row can carry, each under the name it has in media.external_links.source_name where
 * the catalog holds such ids, so a row matches by `source_name = kind and external_key = value`:
 * - `mal` (MyAnimeList anime id), `mal_manga` (MyAnimeList manga id: the two number ranges overlap),
 * - `anilist` (AniList id, anime and manga share one range), `kitsu` (anime), `kitsu_manga`,
 * - `imdb` (`tt` + digits, always with its `tt`),
 * - `tmdb`: `movie/N` or `tv/N` (the catalog's shape; a bare TMDB number is ambiguous),
 * - `tvdb` (series id), `trakt_movie`, `trakt_show` (Trakt ids, numbers),
 * - `goodreads` (Goodreads book id), `isbn13`, `isbn10` (digits only, X allowed last in ISBN-10;
 *   see normaliseIsbn), `letterboxd` (the film's boxd.it URI, https://boxd.it/XXXX),
 * - `omnimediatrak`: our own media id (a UUID) from our export, matched against media.media.id
 *   (another instance's ids differ: the title and year then match).
 */
export const EXTERNAL_ID_KINDS = [
  'mal',
  'mal_manga',
  'anilist',
  'kitsu',
  'kitsu_manga',
  'imdb',
  'tmdb',
  'tvdb',
  'trakt_movie',
  'trakt_show',
  'goodreads',
  'isbn13',
  'isbn10',
  'letterboxd',
  'omnimediatrak',
] as const;
export type ExternalIdKind = (typeof EXTERNAL_ID_KINDS)[number];

/** One viewing (or reading, or play) a source logged, kept for watch history. */
export interface ImportedViewing {
  /** YYYY-MM-DD, or null when the source gave no (whole) date. */
  date: string | null;
  /** 1–100, when the source rated this viewing. */
  rating: number | null;
  rewatch: boolean;
  note: string | null;
}

export interface ImportRecord {
  /** Where in the upload: the file (member name inside a ZIP) and the line or entry number (1-based). */
  origin: { file: string; line: number };
  /**
   * Our type, or the types it may be in our catalog, best first: a Letterboxd film may be a
   * `movie` or an `anime` film; an IMDb "TV Series" a `tv` or an `anime` series.
   */
  mediaTypes: ImportMediaType[];
  /** The title as the file gives it; null when it gives none (MAL rows with ids only, say). */
  title: string | null;
  /** Other titles the file gives (original, romaji, native, English). */
  alternativeTitles: string[];
  /** Release year, when the file says. */
  year: number | null;
  ids: Partial<Record<ExternalIdKind, string>>;
  status: Status | null;
  /** On our 1–100 scale, exact where the source's scale allows (see docs/imports.md). */
  rating: number | null;
  /** In the type's unit (episodes, chapters, pages…), a whole number >= 0. */
  progress: number | null;
  /** YYYY-MM-DD; a partial or unknown date (0000-00-00, 2019-00-00) is null. */
  startedOn: string | null;
  completedOn: string | null;
  /** Plain text, HTML stripped (see htmlToText). */
  notes: string | null;
  /** A review's text, plain, kept for the reviews feature. */
  review: string | null;
  /** Times finished again (MAL times watched, AniList repeat, Goodreads read count - 1…). */
  rewatchCount: number | null;
  viewings: ImportedViewing[];
  /**
   * When the source last changed the row, ISO 8601 (a time, or a day), to choose between duplicates
   * (latest wins); an entry the import adds takes it as its own last change.
   */
  updatedAt: string | null;
  /** When the person first put the title on their list there, ISO 8601 (a time, or a day). */
  addedAt: string | null;
  /** What was odd but not fatal: "rating 11 is not 1–10: left out", "bytes that are not UTF-8 replaced". */
  problems: string[];
}

/** A row that could not become a record, with why (shown to the person, never dropped silently). */
export interface RejectedRow {
  origin: { file: string; line: number };
  reason: string;
  /** The row as the file had it, shortened, for the downloadable list of rows not imported. */
  raw: string;
}

export interface ReadResult {
  records: ImportRecord[];
  rejected: RejectedRow[];
}

/** A file of the upload: the upload itself, or one member of its ZIP. Text already decoded. */
export interface ImportMember {
  /** The file's name (a ZIP member's path as written, e.g. "lists/favourites.csv"). */
  name: string;
  text: string;
}

/** Options the person chose on the form that change how a file is read. */
export interface ReadOptions {
  /** AniList's score format, which its files do not state (POINT_100, POINT_10_DECIMAL, POINT_10, POINT_5, POINT_3). */
  anilistScoreFormat?: AnilistScoreFormat;
  /**
   * What a list file is, when its header fits two kinds and its name does not say (Letterboxd's
   * watched.csv and watchlist.csv share a header, as do TMDB's ratings and watchlist exports):
   * the person's answer to the question `ImportFormat.listKindQuestion` asked.
   */
  listKind?: ListKind;
}

export const LIST_KINDS = ['watched', 'watchlist'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export const ANILIST_SCORE_FORMATS = ['POINT_100', 'POINT_10_DECIMAL', 'POINT_10', 'POINT_5', 'POINT_3'] as const;
export type AnilistScoreFormat = (typeof ANILIST_SCORE_FORMATS)[number];

export interface ImportFormat {
  /** The source's name in ingest.sources, e.g. "myanimelist". */
  name: string;
  /** As people know it: "MyAnimeList". */
  label: string;
  /**
   * Whether these members are this format's files: 'yes' when their content says so beyond doubt,
   * 'maybe' when the content fits but so would another format's (a header shared by two
   * files), 'no' otherwise. Reads the content, not only the name.
   */
  detect(members: ImportMember[]): 'yes' | 'maybe' | 'no';
  /**
   * True when the members hold a file that could be watched or watchlist and whose name does not
   * say which: the form then asks, and `read` gets the answer as `options.listKind`. A format
   * whose files always say leaves this out.
   */
  needsListKind?(members: ImportMember[]): boolean;
  /** Reads the members this format knows (ignoring the others). */
  read(members: ImportMember[], options: ReadOptions): ReadResult;
}

/** A file that cannot be read as a whole; `message` is said to the person who uploaded it. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** An empty record at `origin`, to fill in. */
export function emptyRecord(origin: { file: string; line: number }, mediaTypes: ImportMediaType[]): ImportRecord {
  return {
    origin,
    mediaTypes,
    title: null,
    alternativeTitles: [],
    year: null,
    ids: {},
    status: null,
    rating: null,
    progress: null,
    startedOn: null,
    completedOn: null,
    notes: null,
    review: null,
    rewatchCount: null,
    viewings: [],
    updatedAt: null,
    addedAt: null,
    problems: [],
  };
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** A whole day as YYYY-MM-DD, or null when any part is missing or not of the calendar. */
export function dayOf(
  year: number | null | undefined,
  month: number | null | undefined,
  day: number | null | undefined,
) {
  if (!year || !month || !day) return null;
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > days) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A date as the files write them, as YYYY-MM-DD; null for empty, unknown (0000-00-00) or partial
 * (2019-00-00, 2019-05) dates and for text that is not a date. Takes YYYY-MM-DD, YYYY/MM/DD,
 * YYYY-MM-DDTHH:MM:SS(.sss)Z and other ISO 8601 times (the day in UTC), and Unix seconds as a number.
 */
export function parseDate(value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    return new Date(value * 1000).toISOString().slice(0, 10);
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  const time = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}/.exec(text);
  if (time) {
    const parsed = new Date(text);
    if (!Number.isNaN(parsed.getTime()) && /(?:Z|[+-]\d{2}:?\d{2})$/.test(text))
      return parsed.toISOString().slice(0, 10);
    return dayOf(Number(time[1]), Number(time[2]), Number(time[3]));
  }
  const day = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (day) return dayOf(Number(day[1]), Number(day[2]), Number(day[3]));
  return null;
}

/** A year (1000–9999) from a number or text that starts with one ("2016", "2016-04-03"), else null. */
export function parseYear(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const match = /^(\d{4})(?:$|[-/. ])/.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  return year >= 1000 && year <= 9999 ? year : null;
}

/**
 * A rating on a source's scale, on ours (1–100): `value / max * 100`, rounded to a whole number
 * (exact for every scale we read: halves of 5, tenths of 10, points of 100, quarters of 5).
 * Null for unrated (0, empty, not a number); `undefined` for a value outside 0..max, which the
 * caller reports as a problem.
 */
export function scaleRating(value: unknown, max: number): number | null | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(number) || number === 0) return null;
  if (number < 0 || number > max) return undefined;
  return Math.min(100, Math.max(1, Math.round((number / max) * 100)));
}

/** A whole number >= 0 from a number or text, else null. */
export function parseCount(value: unknown): number | null {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN;
  return Number.isInteger(number) && number >= 0 ? number : null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Text from a field that may hold HTML (Goodreads reviews, MAL comments): line breaks and
 * paragraphs become new lines, every other tag is dropped (never interpreted), entities decoded,
 * runs of blank lines collapsed; null when nothing is left.
 */
export function htmlToText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value
    .replace(/<\s*br\s*\/?\s*>/gi, '\n')
    .replace(/<\s*\/\s*p\s*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? null : text;
}

/**
 * An ISBN with its dashes, spaces and spreadsheet wrapping (`="0312853238"`) taken off, as
 * `isbn10` or `isbn13`; null when it is neither (a StoryGraph UUID, an empty `=""`).
 */
export function normaliseIsbn(value: unknown): { kind: 'isbn10' | 'isbn13'; value: string } | null {
  if (typeof value !== 'string') return null;
  const text = value
    .replace(/^="?|"$/g, '')
    .replace(/[\s-]/g, '')
    .toUpperCase();
  if (/^\d{13}$/.test(text)) return { kind: 'isbn13', value: text };
  if (/^\d{9}[\dX]$/.test(text)) return { kind: 'isbn10', value: text };
  return null;
}

/** An IMDb id with its `tt` (files have been seen without it), or null. */
export function normaliseImdbId(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  const match = /^(?:tt)?(\d{5,10})$/i.exec(text);
  return match ? `tt${match[1]}` : null;
}
