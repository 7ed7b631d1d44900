/**
 * IMDb's ratings export and list exports (import-formats.md): one CSV each, sharing most columns.
 * A rated title counts as seen; a list row without a rating is one to watch.
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
  type ImportMediaType,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
  type RejectedRow,
} from '../records';

const EPISODE_REASON = 'an episode: lists here track whole titles';

/**
 * Title Type, as the exports have written it over the years ("TV Series" now, "tvSeries" before),
 * squeezed to lowercase letters, to our types; 'episode' for rows that are rejected.
 */
const TITLE_TYPES: Record<string, ImportMediaType[] | 'episode'> = {
  movie: ['movie', 'anime'],
  short: ['movie', 'anime'],
  tvmovie: ['movie', 'anime'],
  video: ['movie', 'anime'],
  tvseries: ['tv', 'anime'],
  tvminiseries: ['tv', 'anime'],
  tvspecial: ['movie', 'tv', 'anime'],
  tvshort: ['movie', 'anime'],
  musicvideo: ['movie'],
  videogame: ['game'],
  podcastseries: ['podcast'],
  tvepisode: 'episode',
  podcastepisode: 'episode',
};

function isImdbHeader(header: string[]) {
  return hasColumns(header, ['Const', 'Title Type']) && (header.includes('Your Rating') || header.includes('Position'));
}

interface Read {
  record: ImportRecord;
  /** The date it was rated, to keep the later of two rated rows for one title. */
  rated: string | null;
}

function readRow(row: CsvRow, file: string): Read | RejectedRow {
  const origin = { file, line: row.line };
  const imdb = normaliseImdbId(row.values.Const);
  if (imdb === null) {
    const reason = row.values.Const?.trim()
      ? `${row.values.Const.trim()} is not an IMDb id`
      : 'no IMDb id (the Const column is empty)';
    return { origin, reason, raw: row.raw };
  }
  const titleType = (row.values['Title Type'] ?? '').toLowerCase().replace(/[^a-z]/g, '');
  const mediaTypes = TITLE_TYPES[titleType] ?? ['movie', 'tv'];
  if (mediaTypes === 'episode') return { origin, reason: EPISODE_REASON, raw: row.raw };

  const record = emptyRecord(origin, mediaTypes);
  record.ids.imdb = imdb;
  record.title = row.values.Title?.trim() || null;
  const original = row.values['Original Title']?.trim();
  if (original && original !== record.title) record.alternativeTitles.push(original);
  record.year = parseYear(row.values.Year) ?? parseYear(row.values['Release Date']);
  record.notes = row.values.Description?.trim() || null;

  const value = row.values['Your Rating'] ?? '';
  const rating = scaleRating(value, 10);
  if (rating === undefined) record.problems.push(`rating ${value.trim()} is not 1–10: left out`);
  const rated = parseDate(row.values['Date Rated']);
  // A rating out of range was still given: the title was seen.
  if (rating !== null) {
    record.rating = rating ?? null;
    record.status = 'completed';
    record.completedOn = rated;
  } else {
    record.status = 'planning';
  }
  record.addedAt = parseDate(row.values.Created);
  record.updatedAt = parseDate(row.values.Modified) ?? rated ?? record.addedAt;
  return { record, rated };
}

/** Of two rows for one title, the one to keep: the rated one, else the later rated, else the first. */
function preferred(kept: Read, next: Read): Read {
  const keptRated = kept.record.status === 'completed';
  const nextRated = next.record.status === 'completed';
  if (keptRated !== nextRated) return nextRated ? next : kept;
  if (keptRated && (next.rated ?? '') > (kept.rated ?? '')) return next;
  return kept;
}

/** Reads IMDb ratings and list CSVs: one record per title, episodes rejected. */
function readImdb(members: ImportMember[]): ReadResult {
  const files = members.filter((member) => isImdbHeader(csvHeader(member.text)));
  if (files.length === 0)
    throw new ImportFileError(
      'No IMDb ratings or list export was found: its first line names the columns Const, Title Type and Your Rating.',
    );
  const byId = new Map<string, Read>();
  const rejected: RejectedRow[] = [];
  for (const member of files) {
    for (const row of readCsv(member.text, member.name).rows) {
      const read = readRow(row, member.name);
      if ('reason' in read) {
        rejected.push(read);
        continue;
      }
      const id = read.record.ids.imdb!;
      const kept = byId.get(id);
      if (!kept) {
        byId.set(id, read);
        continue;
      }
      const winner = preferred(kept, read);
      const loser = winner === kept ? read : kept;
      winner.record.notes ??= loser.record.notes;
      const why =
        loser.record.status === 'completed'
          ? 'the later rating'
          : winner.record.status === 'completed'
            ? 'the rated row'
            : 'the first row';
      winner.record.problems.push(
        `also listed at ${loser.record.origin.file} line ${loser.record.origin.line}: ${why} kept`,
      );
      byId.set(id, winner);
    }
  }
  return { records: [...byId.values()].map(({ record }) => record), rejected };
}

/** IMDb's ratings and list CSV exports. */
export const imdbFormat: ImportFormat = {
  name: 'imdb',
  label: 'IMDb',
  detect(members: ImportMember[]): 'yes' | 'maybe' | 'no' {
    return members.some((member) => isImdbHeader(csvHeader(member.text))) ? 'yes' : 'no';
  },
  read: readImdb,
};
