/**
 * TMDB's ratings and watchlist exports (import-formats.md): one CSV each, with the same header, so
 * the file's name (or, when it does not say, the person) tells a ratings file from a watchlist.
 * Episode rows carry the episode's ids, not the show's, and are rejected.
 */
import { csvHeader, hasColumns, readCsv, type CsvRow } from '../csv';
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
  type ListKind,
  type ReadOptions,
  type ReadResult,
  type RejectedRow,
} from '../records';

const REQUIRED_COLUMNS = ['TMDb ID', 'Type', 'Name'];

const isTmdbFile = (member: ImportMember) => hasColumns(csvHeader(member.text), REQUIRED_COLUMNS);

/** What the file's name says it is: a ratings file is what was watched. */
function kindFromName(name: string): ListKind | null {
  const base = (name.split('/').pop() ?? name).toLowerCase();
  if (base.includes('watchlist')) return 'watchlist';
  if (base.includes('rating')) return 'watched';
  return null;
}

function readRow(row: CsvRow, file: string, kind: ListKind): ImportRecord | RejectedRow {
  const origin = { file, line: row.line };
  const reject = (reason: string) => ({ origin, reason, raw: row.raw });
  const season = (row.values['Season Number'] ?? '').trim();
  const episode = (row.values['Episode Number'] ?? '').trim();
  const type = (row.values.Type ?? '').trim().toLowerCase();
  if (season !== '' || episode !== '' || type === 'episode')
    return reject("an episode: lists here track whole titles (its ids are the episode's, not the show's)");
  if (type !== 'movie' && type !== 'tv') return reject(`type "${type}" is neither movie nor tv`);

  const record = emptyRecord(origin, type === 'movie' ? ['movie', 'anime'] : ['tv', 'anime']);
  const tmdb = (row.values['TMDb ID'] ?? '').trim();
  if (/^\d+$/.test(tmdb)) record.ids.tmdb = `${type}/${tmdb}`;
  else if (tmdb !== '') record.problems.push(`TMDB id ${tmdb} is not a number: left out`);
  const imdb = normaliseImdbId(row.values['IMDb ID']);
  if (imdb !== null) record.ids.imdb = imdb;
  record.title = row.values.Name?.trim() || null;
  if (record.title === null && Object.keys(record.ids).length === 0) return reject('no TMDB id, IMDb id or name');
  record.year = parseYear(row.values['Release Date']);

  const value = row.values['Your Rating'] ?? '';
  const rating = scaleRating(value, 10);
  if (rating === undefined) record.problems.push(`rating ${value.trim()} is not 0.5–10: left out`);
  record.rating = rating ?? null;
  const rated = parseDate(row.values['Date Rated']);
  // A rated title was seen, whichever file it is in (a rating out of range was given all the same).
  if (rating !== null || kind === 'watched') {
    record.status = 'completed';
    record.completedOn = rated;
  } else {
    record.status = 'planning';
  }
  record.updatedAt = rated;
  return record;
}

/** Of two rows for one title, the one that says more: a seen title over a planned one, a rated over an unrated. */
function preferred(kept: ImportRecord, next: ImportRecord) {
  const weight = (record: ImportRecord) => (record.status === 'completed' ? 2 : 0) + (record.rating !== null ? 1 : 0);
  return weight(next) > weight(kept) ? next : kept;
}

/** Reads TMDB ratings and watchlist CSVs: one record per movie or show. */
function readTmdb(members: ImportMember[], options: ReadOptions): ReadResult {
  const files = members.filter(isTmdbFile);
  if (files.length === 0)
    throw new ImportFileError(
      'No TMDB ratings or watchlist export was found: its first line names the columns TMDb ID, Type and Name.',
    );
  const records = new Map<string, ImportRecord>();
  const rejected: RejectedRow[] = [];
  for (const member of files) {
    const kind = kindFromName(member.name) ?? options.listKind;
    if (!kind)
      throw new ImportFileError(
        `${member.name} could be your ratings or your watchlist: the two files look the same. Say which it is and upload it again.`,
      );
    for (const row of readCsv(member.text, member.name).rows) {
      const read = readRow(row, member.name, kind);
      if ('reason' in read) {
        rejected.push(read);
        continue;
      }
      const key = read.ids.tmdb ?? read.ids.imdb ?? `${member.name}:${row.line}`;
      const kept = records.get(key);
      records.set(key, kept ? preferred(kept, read) : read);
    }
  }
  return { records: [...records.values()], rejected };
}

/** TMDB's ratings and watchlist CSV exports. */
export const tmdbFormat: ImportFormat & Required<Pick<ImportFormat, 'needsListKind'>> = {
  name: 'tmdb',
  label: 'TMDB',
  detect(members: ImportMember[]): 'yes' | 'maybe' | 'no' {
    return members.some(isTmdbFile) ? 'yes' : 'no';
  },
  needsListKind(members: ImportMember[]): boolean {
    return members.some((member) => isTmdbFile(member) && kindFromName(member.name) === null);
  },
  read: readTmdb,
};
