/**
 * StoryGraph's library export CSV, as import-formats.md describes it: an ISBN or, for a book
 * without one, StoryGraph's own UUID in `ISBN/UID`; stars in quarter steps; `Dates Read` holding
 * one reading or several, each a date or a start-end range; five read statuses.
 */
import type { Status } from '../../entries/statuses';
import { csvFormat, hasColumns, rejectedWithoutName, type CsvRow } from '../csv';
import {
  emptyRecord,
  htmlToText,
  normaliseIsbn,
  parseCount,
  parseDate,
  scaleRating,
  type ImportFormat,
  type ImportRecord,
} from '../records';

const KEY_COLUMNS = ['Read Status', 'Star Rating', 'ISBN/UID'];

const READ_STATUSES: Record<string, Status> = {
  read: 'completed',
  'currently-reading': 'in_progress',
  'to-read': 'planning',
  'did-not-finish': 'dropped',
  paused: 'paused',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Any separator StoryGraph or a spreadsheet may have used; a range's own dash is then whatever
// lies between two of these.
const DATE = /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/g;

interface Reading {
  start: string | null;
  end: string | null;
}

/**
 * The readings in `Dates Read`: "2023/02/10" (finished that day), "2023/01/05-2023/02/10",
 * "2023/03/01-" (started, not finished), several separated by commas or semicolons.
 */
function readingsOf(text: string, problems: string[]): Reading[] {
  const readings: Reading[] = [];
  for (const part of text.split(/[,;]/)) {
    const written = part.trim();
    if (written === '') continue;
    const dates = [...written.matchAll(DATE)];
    let reading: Reading | null = null;
    if (dates.length === 2) reading = { start: parseDate(dates[0]![0]), end: parseDate(dates[1]![0]) };
    else if (dates.length === 1) {
      const date = parseDate(dates[0]![0]);
      const openEnded = /^[-–]$/.test(written.slice(dates[0]!.index + dates[0]![0].length).trim());
      reading = openEnded ? { start: date, end: null } : { start: null, end: date };
    }
    if (reading && (reading.start !== null || reading.end !== null)) readings.push(reading);
    else problems.push(`Dates Read '${written}' is not a date or a range of dates: left out`);
  }
  const key = (reading: Reading) => reading.start ?? reading.end ?? '';
  return readings.sort((a, b) => key(a).localeCompare(key(b)));
}

function readRow(file: string, { line, values }: CsvRow): ImportRecord {
  const record = emptyRecord({ file, line }, ['book']);
  record.title = values.Title?.trim() || null;

  const isbnOrUid = values['ISBN/UID']?.trim() ?? '';
  const isbn = normaliseIsbn(isbnOrUid);
  if (isbn) record.ids[isbn.kind] = isbn.value;
  else if (isbnOrUid !== '' && !UUID.test(isbnOrUid))
    record.problems.push(`ISBN/UID '${isbnOrUid}' is neither an ISBN nor a StoryGraph id: left out`);

  const readStatus = values['Read Status']?.trim() ?? '';
  const status = READ_STATUSES[readStatus.toLowerCase()];
  if (status) record.status = status;
  else {
    record.problems.push(
      readStatus === ''
        ? 'no read status: no status taken'
        : `read status '${readStatus}' is not one we know: no status taken`,
    );
  }

  const stars = values['Star Rating']?.trim() ?? '';
  const rating = scaleRating(stars, 5);
  if (rating === undefined) record.problems.push(`rating ${stars} is not 0–5: left out`);
  else record.rating = rating;

  record.addedAt = parseDate(values['Date Added']);
  const readings = readingsOf(values['Dates Read'] ?? '', record.problems);
  const latest = readings.at(-1);
  // A book given up or paused ends its latest reading on the day the reading stopped, which is
  // not a finish; an open latest range is the reading under way. Neither is a viewing.
  const stopped = record.status === 'dropped' || record.status === 'paused';
  const unfinished = latest && (stopped || latest.end === null) ? latest : undefined;
  const finished = readings.flatMap((reading) => (reading !== unfinished && reading.end ? [reading.end] : []));
  const lastRead = stopped ? null : parseDate(values['Last Date Read']);
  if (finished.length === 0 && lastRead) finished.push(lastRead);
  finished.sort();
  if (record.status === 'completed') {
    record.startedOn = latest?.start ?? null;
    record.completedOn = lastRead ?? finished.at(-1) ?? null;
  } else {
    // An earlier reading's finish is no completion date for a book not finished now: it stays a
    // viewing, and the entry's dates are those of the reading under way.
    record.startedOn = unfinished?.start ?? null;
  }

  const readCount = parseCount(values['Read Count']);
  // Readings StoryGraph counted without dates came first: the dated ones after them are rereads.
  const undated = Math.max(0, (readCount ?? 0) - finished.length);
  record.viewings = finished.map((date, index) => ({
    date,
    rating: null,
    rewatch: undated + index > 0,
    note: null,
  }));
  const times = Math.max(readCount ?? 0, finished.length);
  if (times > 1) record.rewatchCount = times - 1;

  record.review = htmlToText(values.Review);
  return record;
}

/** StoryGraph's library export CSV. */
export const storygraphFormat: ImportFormat = csvFormat({
  name: 'storygraph',
  label: 'StoryGraph',
  fits: (header) => hasColumns(header, KEY_COLUMNS),
  readRow: (file, row) => rejectedWithoutName(readRow(file, row), row.raw, 'no title and no ISBN'),
  notThis: 'This is not a StoryGraph library export: its header has no Read Status, Star Rating and ISBN/UID.',
});
