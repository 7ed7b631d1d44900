/**
 * Yamtrack's CSV export, as import-formats.md describes it: one row per title and, for TV, one
 * per season and per episode; `source` names who issued `media_id`; scores 0–10 with a decimal;
 * a game's progress written as a duration ("3h 00min").
 */
import type { Status } from '../../entries/statuses';
import { csvFormat, hasColumns, type CsvRow } from '../csv';
import {
  emptyRecord,
  htmlToText,
  normaliseIsbn,
  parseCount,
  parseDate,
  scaleRating,
  type ImportFormat,
  type ImportMediaType,
  type ImportRecord,
  type RejectedRow,
} from '../records';

const KEY_COLUMNS = ['media_id', 'source', 'media_type'];

/** Whether a header is Yamtrack's: its key columns and either its timestamp or its status and score. */
function isYamtrackHeader(header: string[]): boolean {
  return (
    hasColumns(header, KEY_COLUMNS) && (header.includes('progressed_at') || hasColumns(header, ['status', 'score']))
  );
}

// Yamtrack's films and series may be anime in our catalog, which keeps anime apart.
const MEDIA_TYPES: Record<string, ImportMediaType[]> = {
  movie: ['movie', 'anime'],
  tv: ['tv', 'anime'],
  anime: ['anime'],
  manga: ['manga'],
  book: ['book'],
  game: ['game'],
};

const STATUSES: Record<string, Status> = {
  'in progress': 'in_progress',
  completed: 'completed',
  planning: 'planning',
  paused: 'paused',
  dropped: 'dropped',
};

const DURATION = /^(?:(\d+)\s*h)?\s*(?:(\d+)\s*min)?$/i;
const ISBN_IN_TEXT = /(?<!\d)(?:97[89](?:[ -]?\d){10}|\d(?:[ -]?\d){8}[ -]?[\dX])(?![\dX])/gi;

/** The ids we match by, from who issued `media_id` and what it names. */
function idsOf(source: string, mediaType: string, mediaId: string): ImportRecord['ids'] {
  if (!/^\d+$/.test(mediaId)) return {};
  if (source === 'tmdb' && (mediaType === 'movie' || mediaType === 'tv')) return { tmdb: `${mediaType}/${mediaId}` };
  if (source === 'mal' && mediaType === 'anime') return { mal: mediaId };
  if (source === 'mal' && mediaType === 'manga') return { mal_manga: mediaId };
  return {};
}

/** A book's title with any ISBN it holds taken out, and the ISBN; the title is null when it was only that. */
function splitIsbn(title: string): { title: string | null; isbn: ReturnType<typeof normaliseIsbn> } {
  for (const match of title.matchAll(ISBN_IN_TEXT)) {
    const isbn = normaliseIsbn(match[0]);
    if (!isbn) continue;
    const rest = (title.slice(0, match.index) + title.slice(match.index + match[0].length))
      .replace(/\(\s*\)|\[\s*\]/g, '')
      .replace(/^[\s:,;|-]+|[\s:,;|-]+$/g, '');
    return { title: rest || null, isbn };
  }
  return { title, isbn: null };
}

/** Progress in our unit for the type: a duration is minutes for a film, whole hours for a game. */
function progressOf(written: string, mediaType: string, problems: string[]): number | null {
  if (written === '') return null;
  const duration = DURATION.exec(written);
  if (duration && (duration[1] !== undefined || duration[2] !== undefined)) {
    const minutes = Number(duration[1] ?? 0) * 60 + Number(duration[2] ?? 0);
    if (mediaType === 'movie') return minutes;
    if (mediaType === 'game') return Math.floor(minutes / 60);
    problems.push(`progress '${written}' is a duration, not a count: left out`);
    return null;
  }
  const count = parseCount(written);
  if (count === null) {
    problems.push(`progress '${written}' is not a whole number: left out`);
    return null;
  }
  // A film's bare number counts its plays (1 once watched), not the minutes we keep.
  return mediaType === 'movie' ? null : count;
}

function readRow(file: string, { line, values, raw }: CsvRow): ImportRecord | RejectedRow {
  const origin = { file, line };
  const mediaType = values.media_type?.trim().toLowerCase() ?? '';
  if (
    mediaType === 'season' ||
    mediaType === 'episode' ||
    values.season_number?.trim() ||
    values.episode_number?.trim()
  )
    return { origin, reason: 'a season or episode row: lists here track whole titles', raw };
  const types = MEDIA_TYPES[mediaType];
  if (!types) return { origin, reason: `media type '${values.media_type ?? ''}' is not one we track`, raw };

  const record = emptyRecord(origin, types);
  const mediaId = values.media_id?.trim() ?? '';
  record.ids = idsOf(values.source?.trim().toLowerCase() ?? '', mediaType, mediaId);
  record.title = values.title?.trim() || null;
  if (mediaType === 'book') {
    const fromId = normaliseIsbn(mediaId);
    const fromTitle = record.title === null ? null : splitIsbn(record.title);
    const isbn = fromId ?? fromTitle?.isbn;
    if (isbn) record.ids[isbn.kind] = isbn.value;
    if (fromTitle?.isbn) record.title = fromTitle.title;
  }
  if (record.title === null && Object.keys(record.ids).length === 0)
    return { origin, reason: 'no title and no id we can match', raw };

  const score = values.score?.trim() ?? '';
  const rating = scaleRating(score, 10);
  if (rating === undefined) record.problems.push(`score ${score} is not 0–10: left out`);
  else record.rating = rating;

  record.progress = progressOf(values.progress?.trim() ?? '', mediaType, record.problems);

  const statusWord = values.status?.trim() ?? '';
  const status = STATUSES[statusWord.toLowerCase()];
  if (status) record.status = status;
  else {
    record.problems.push(
      statusWord === '' ? 'no status: no status taken' : `status '${statusWord}' is not one we know: no status taken`,
    );
  }

  record.startedOn = parseDate(values.start_date);
  // Yamtrack's end date is the day of the last episode (or chapter) seen: a finish only for a
  // title completed, not for one under way, paused or dropped.
  if (record.status === 'completed') record.completedOn = parseDate(values.end_date);
  record.notes = htmlToText(values.notes);
  // Older exports call the column progress_changed.
  const progressedAt = (values.progressed_at ?? values.progress_changed ?? '').trim();
  const time = new Date(progressedAt);
  if (/^\d{4}-\d{2}-\d{2}/.test(progressedAt) && !Number.isNaN(time.getTime())) record.updatedAt = time.toISOString();
  return record;
}

/** Yamtrack's CSV export. */
export const yamtrackFormat: ImportFormat = csvFormat({
  name: 'yamtrack',
  label: 'Yamtrack',
  fits: isYamtrackHeader,
  readRow,
  notThis: 'This is not a Yamtrack export: its header has no media_id, source and media_type.',
});
