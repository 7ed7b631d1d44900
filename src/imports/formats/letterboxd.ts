/**
 * Letterboxd's account export (import-formats.md): a ZIP of CSV files, or one of them uploaded
 * alone. Every file's rows about one film become one record; the film's boxd.it URI is only in
 * watched, ratings and watchlist (diary and reviews give the log entry's), so diary and review
 * rows find their film by name and year.
 */
import { csvHeader, hasColumns, readCsv, type CsvRow } from '../csv';
import {
  emptyRecord,
  ImportFileError,
  parseDate,
  parseYear,
  scaleRating,
  type ImportedViewing,
  type ImportFormat,
  type ImportMember,
  type ImportRecord,
  type ListKind,
  type ReadOptions,
  type ReadResult,
  type RejectedRow,
} from '../records';

type FileKind = 'watched' | 'watchlist' | 'ratings' | 'diary' | 'reviews';

const BASE_COLUMNS = ['Date', 'Name', 'Year', 'Letterboxd URI'];
/** Read in this order so the files that name the film (by URI) make its record first. */
const KIND_ORDER: FileKind[] = ['watched', 'ratings', 'watchlist', 'diary', 'reviews'];
/** Folders whose files are not the person's current films (or not films at all). */
const IGNORED_FOLDERS = new Set(['deleted', 'orphaned', 'likes', 'lists']);

const baseName = (name: string) => (name.split('/').pop() ?? name).toLowerCase();

function isIgnoredPath(name: string) {
  return name
    .split('/')
    .slice(0, -1)
    .some((folder) => IGNORED_FOLDERS.has(folder.toLowerCase()));
}

/** What the name says a watched/watchlist-shaped file is, or null when it does not say. */
function kindFromName(name: string): ListKind | null {
  const base = baseName(name);
  if (base.startsWith('watchlist')) return 'watchlist';
  if (base.startsWith('watched')) return 'watched';
  return null;
}

/**
 * The kind of file a header belongs to; 'list' for the watched/watchlist header, which the two
 * share; null for any other file (profile, comments, custom lists).
 */
function kindFromHeader(header: string[]): Exclude<FileKind, 'watched' | 'watchlist'> | 'list' | null {
  if (!hasColumns(header, BASE_COLUMNS)) return null;
  if (header.includes('Review')) return 'reviews';
  if (header.includes('Watched Date') || header.includes('Rewatch')) return 'diary';
  if (header.includes('Rating')) return 'ratings';
  return 'list';
}

/** A custom list's file (its first line says so), which is not imported yet. */
const isListExport = (member: ImportMember) => /^\uFEFF?Letterboxd list export/.test(member.text);

function readableMembers(members: ImportMember[]) {
  return members.filter((member) => baseName(member.name).endsWith('.csv') && !isIgnoredPath(member.name));
}

/** Members holding the shared watched/watchlist header whose name does not tell which. */
function undeclaredLists(members: ImportMember[]) {
  return readableMembers(members).filter(
    (member) => kindFromHeader(csvHeader(member.text)) === 'list' && kindFromName(member.name) === null,
  );
}

/** The film's boxd.it link, or null (an empty cell, or a link of another shape). */
function filmUri(value: string): string | null {
  const match = /^https?:\/\/boxd\.it\/([A-Za-z0-9]+)\/?$/.exec(value.trim());
  return match ? `https://boxd.it/${match[1]}` : null;
}

const titleKey = (name: string, year: number | null) => `${name.trim().toLowerCase()}\u0000${year ?? ''}`;

interface Film {
  record: ImportRecord;
  watched: boolean;
  inWatchlist: boolean;
  /** From ratings.csv, which holds the film's rating as it stands (a viewing's may be older). */
  rating: number | null;
  /** The latest review's date, to keep the latest review as the record's. */
  reviewDate: string | null;
}

function laterOf(a: string | null, b: string | null) {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

function earlierOf(a: string | null, b: string | null) {
  if (a === null) return b;
  if (b === null) return a;
  return b < a ? b : a;
}

/** Reads Letterboxd's files into one record per film. */
function readLetterboxd(members: ImportMember[], options: ReadOptions): ReadResult {
  const files: { kind: FileKind; member: ImportMember; rows: CsvRow[] }[] = [];
  for (const member of readableMembers(members)) {
    const headerKind = kindFromHeader(csvHeader(member.text));
    if (headerKind === null) continue;
    let kind: FileKind;
    if (headerKind === 'list') {
      const named = kindFromName(member.name) ?? options.listKind;
      if (!named)
        throw new ImportFileError(
          `${member.name} could be your watched films or your watchlist: the two files look the same. Say which it is and upload it again.`,
        );
      kind = named;
    } else {
      kind = headerKind;
    }
    files.push({ kind, member, rows: readCsv(member.text, member.name).rows });
  }
  if (files.length === 0 && members.some(isListExport))
    throw new ImportFileError(
      'This is a Letterboxd list: lists are not imported yet. Upload the export ZIP, or its watched.csv, ratings.csv, diary.csv, reviews.csv or watchlist.csv.',
    );
  if (files.length === 0)
    throw new ImportFileError(
      'No Letterboxd film file was found: upload the export ZIP, or its watched.csv, ratings.csv, diary.csv, reviews.csv or watchlist.csv.',
    );
  files.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));

  const films: Film[] = [];
  const byUri = new Map<string, Film>();
  const byTitle = new Map<string, Film>();
  const rejected: RejectedRow[] = [];

  for (const { kind, member, rows } of files) {
    for (const row of rows) {
      const origin = { file: member.name, line: row.line };
      const name = (row.values.Name ?? '').trim();
      const year = parseYear(row.values.Year);
      const namesFilm = kind === 'watched' || kind === 'ratings' || kind === 'watchlist';
      const uri = namesFilm ? filmUri(row.values['Letterboxd URI'] ?? '') : null;
      if (name === '' && uri === null) {
        rejected.push({ origin, reason: 'no film name', raw: row.raw });
        continue;
      }
      let film = findFilm(byUri, byTitle, uri, name, year);
      if (!film) {
        film = {
          record: emptyRecord(origin, ['movie', 'anime', 'tv']),
          watched: false,
          inWatchlist: false,
          rating: null,
          reviewDate: null,
        };
        films.push(film);
      }
      const { record } = film;
      if (record.title === null && name !== '') record.title = name;
      record.year ??= year;
      if (uri !== null && record.ids.letterboxd === undefined) {
        record.ids.letterboxd = uri;
        byUri.set(uri, film);
      }
      if (name !== '' && !byTitle.has(titleKey(name, year))) byTitle.set(titleKey(name, year), film);
      const logged = parseDate(row.values.Date);
      record.updatedAt = laterOf(record.updatedAt, logged);
      record.addedAt = earlierOf(record.addedAt, logged);
      if (namesFilm && row.values['Letterboxd URI']?.trim() && uri === null)
        record.problems.push(`Letterboxd URI ${row.values['Letterboxd URI'].trim()} is not a boxd.it link: left out`);

      if (kind === 'watchlist') {
        film.inWatchlist = true;
        continue;
      }
      // Letterboxd marks a film watched when it is rated, logged or reviewed.
      film.watched = true;
      const rating = readRating(row, record);
      if (kind === 'ratings') {
        film.rating = rating;
        continue;
      }
      if (kind === 'watched') continue;
      const date = parseDate(row.values['Watched Date']);
      const rewatch = (row.values.Rewatch ?? '').trim().toLowerCase() === 'yes';
      if (kind === 'diary') {
        record.viewings.push({ date, rating, rewatch, note: null });
        continue;
      }
      const review = (row.values.Review ?? '').trim() || null;
      addReviewViewing(record.viewings, { date, rating, rewatch, note: review });
      const reviewDate = date ?? logged;
      if (review !== null && (record.review === null || laterOf(film.reviewDate, reviewDate) === reviewDate)) {
        record.review = review;
        film.reviewDate = reviewDate;
      }
    }
  }

  return { records: films.map(finish), rejected };
}

/**
 * The film a row is about: by its URI, else by name and year, but never a film whose URI differs
 * (two films can share a name and a year).
 */
function findFilm(
  byUri: Map<string, Film>,
  byTitle: Map<string, Film>,
  uri: string | null,
  name: string,
  year: number | null,
): Film | undefined {
  if (uri !== null && byUri.has(uri)) return byUri.get(uri);
  const film = name === '' ? undefined : byTitle.get(titleKey(name, year));
  if (film && uri !== null && film.record.ids.letterboxd !== undefined) return undefined;
  return film;
}

/** A rating on 1–100 from the row's Rating (half stars, 0.5–5), or null with a problem noted. */
function readRating(row: CsvRow, record: ImportRecord): number | null {
  const value = row.values.Rating ?? '';
  const rating = scaleRating(value, 5);
  if (rating === undefined) {
    record.problems.push(`rating ${value.trim()} is not 0.5–5: left out`);
    return null;
  }
  return rating;
}

/**
 * A review is a diary entry with text: when diary.csv logged the same viewing, the review becomes
 * its note rather than a second viewing.
 */
function addReviewViewing(viewings: ImportedViewing[], viewing: ImportedViewing) {
  const same = viewings.find(
    (logged) => logged.note === null && logged.date === viewing.date && logged.rewatch === viewing.rewatch,
  );
  if (same) {
    same.note = viewing.note;
    same.rating ??= viewing.rating;
  } else {
    viewings.push(viewing);
  }
}

function finish(film: Film): ImportRecord {
  const { record } = film;
  // Dated viewings in order, undated ones first: the last is the latest viewing.
  record.viewings.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  record.status = film.watched ? 'completed' : film.inWatchlist ? 'planning' : null;
  const dates = record.viewings.flatMap((viewing) => (viewing.date === null ? [] : [viewing.date]));
  record.completedOn = dates.at(-1) ?? null;
  // ratings.csv holds the film's rating now; without it, the latest viewing that was rated says it.
  record.rating = film.rating ?? record.viewings.findLast((viewing) => viewing.rating !== null)?.rating ?? null;
  if (record.viewings.length > 0) {
    // A first logged viewing marked Rewatch was seen before Letterboxd: it counts as a rewatch too.
    const marked = record.viewings.filter((viewing) => viewing.rewatch).length;
    record.rewatchCount = Math.max(marked, record.viewings.length - 1);
  }
  return record;
}

/** Letterboxd's account export: watched, ratings, diary, reviews and watchlist, one record per film. */
export const letterboxdFormat: ImportFormat & Required<Pick<ImportFormat, 'needsListKind'>> = {
  name: 'letterboxd',
  label: 'Letterboxd',
  detect(members: ImportMember[]): 'yes' | 'maybe' | 'no' {
    const known = readableMembers(members).some((member) => kindFromHeader(csvHeader(member.text)) !== null);
    return known || members.some(isListExport) ? 'yes' : 'no';
  },
  needsListKind(members: ImportMember[]): boolean {
    return undeclaredLists(members).length > 0;
  },
  read: readLetterboxd,
};
