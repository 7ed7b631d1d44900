/**
 * Goodreads' library export (goodreads_library_export.csv), as import-formats.md describes it:
 * ISBNs wrapped as spreadsheet formulas, the series at the end of the title, 0–5 stars, dates
 * YYYY/MM/DD, one exclusive shelf per book (the status) and reviews that may hold HTML.
 */
import type { Status } from '../../entries/statuses';
import { csvFormat, hasColumns, rejectedWithoutName, type CsvRow } from '../csv';
import {
  emptyRecord,
  htmlToText,
  normaliseIsbn,
  parseCount,
  parseDate,
  parseYear,
  scaleRating,
  type ImportFormat,
  type ImportRecord,
} from '../records';

const KEY_COLUMNS = ['Book Id', 'Exclusive Shelf', 'My Rating'];

const SHELVES: Record<string, Status> = {
  read: 'completed',
  'currently-reading': 'in_progress',
  'to-read': 'planning',
};

/**
 * The title without the series Goodreads appends: "The Hunger Games (The Hunger Games, #1)" →
 * "The Hunger Games", "Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)" → "Ranma ½, Vol. 1". Null when the
 * last parenthesis names no series position ("Beauty and the Beast (Disney)" is a title).
 */
function titleWithoutSeries(title: string): string | null {
  if (!title.endsWith(')')) return null;
  let depth = 0;
  for (let i = title.length - 1; i >= 0; i -= 1) {
    if (title[i] === ')') depth += 1;
    if (title[i] === '(') depth -= 1;
    if (depth !== 0) continue;
    const bare = title.slice(0, i).trim();
    return bare !== '' && title.slice(i).includes('#') ? bare : null;
  }
  return null;
}

function readRow(file: string, { line, values }: CsvRow): ImportRecord {
  const record = emptyRecord({ file, line }, ['book']);
  const bookId = values['Book Id']?.trim() ?? '';
  if (/^\d+$/.test(bookId)) record.ids.goodreads = bookId;
  for (const column of ['ISBN', 'ISBN13']) {
    const isbn = normaliseIsbn(values[column]);
    if (isbn) record.ids[isbn.kind] = isbn.value;
  }

  const fullTitle = values.Title?.trim() ?? '';
  const bare = titleWithoutSeries(fullTitle);
  record.title = bare ?? (fullTitle || null);
  if (bare) record.alternativeTitles.push(fullTitle);
  record.year = parseYear(values['Original Publication Year']) ?? parseYear(values['Year Published']);

  const stars = values['My Rating']?.trim() ?? '';
  const rating = scaleRating(stars, 5);
  if (rating === undefined) record.problems.push(`rating ${stars} is not 0–5: left out`);
  else record.rating = rating;

  const shelf = values['Exclusive Shelf']?.trim() ?? '';
  const status = SHELVES[shelf.toLowerCase()];
  if (status) record.status = status;
  else {
    // A custom exclusive shelf ("abandoned", "owned") says nothing we can trust about progress:
    // no status is given (a new entry is Planning; an entry one has keeps its own), and the problem says so.
    record.problems.push(
      shelf === '' ? 'no exclusive shelf: no status taken' : `shelf '${shelf}' is not a status here: no status taken`,
    );
  }

  // Date Read is the last reading's finish: the book's finish when it is on the read shelf (or on
  // a shelf that says nothing); a book being read again, or wanted again, keeps it as a past reading.
  const read = parseDate(values['Date Read']);
  if (read && record.status !== null && record.status !== 'completed')
    record.viewings.push({ date: read, rating: null, rewatch: false, note: null });
  else record.completedOn = read;
  record.addedAt = parseDate(values['Date Added']);
  const readCount = parseCount(values['Read Count']);
  if (readCount !== null && readCount > 1) record.rewatchCount = readCount - 1;
  record.review = htmlToText(values['My Review']);
  record.notes = htmlToText(values['Private Notes']);
  return record;
}

/** Goodreads' library export CSV. */
export const goodreadsFormat: ImportFormat = csvFormat({
  name: 'goodreads',
  label: 'Goodreads',
  fits: (header) => hasColumns(header, KEY_COLUMNS),
  readRow: (file, row) => rejectedWithoutName(readRow(file, row), row.raw, 'no title and no id'),
  notThis: 'This is not a Goodreads library export: its header has no Book Id, Exclusive Shelf and My Rating.',
});
