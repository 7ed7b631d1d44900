import path from 'node:path';
import type { IngestRecord, SourceAdapter } from '../source';
import { clean, readGzippedCsv, type Skip } from './formats';

/**
 * goodbooks-10k (Zygmunt Zając, CC BY-SA 4.0): Goodreads metadata of the 10,000 most rated books,
 * one gzipped CSV, a row per book (COLUMNS are those read; the ratings histogram, review counts and
 * cover URLs are not). A book's key is its goodreads_book_id, as the seed catalog keys books.
 *
 * Mapped as the seed catalog maps it (seeds/data/SOURCES.md): a title's "(Series, #N)" ending goes
 * to attributes `series` and `series_position`; attributes `language` (the code as given),
 * `average_rating` and `ratings_count`; creators are the authors; ids `goodreads_work` (work_id),
 * `isbn10` (the isbn column, its lost leading zeros put back, only when its check digit is right)
 * and `isbn13` (made from the ISBN-10: the file's isbn13 column is a float that lost digits).
 * Unlike the seed, a position that is not one number ("#1-3" of a boxed set) is kept as the text
 * it is, not as its first number; an original title that only spells the title another way
 * ("Mrs Dalloway") is another title, not the original one; names have their double spaces closed.
 */

const COLUMNS = [
  'book_id',
  'goodreads_book_id',
  'work_id',
  'isbn',
  'authors',
  'original_publication_year',
  'original_title',
  'title',
  'language_code',
  'average_rating',
  'ratings_count',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

/** A year after this is a data error, not a publication year. */
const LAST_YEAR = 2100;

/**
 * A title's series, as Goodreads writes it at the end: "The Hunger Games (The Hunger Games, #1)",
 * "Dune (Dune Chronicles #1)", "Going Postal (Discworld, #33; Moist von Lipwig, #1)" (the first
 * series is the one kept), "Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)". Null when the title does not
 * end in a parenthesis with a series name and a "#" in it ("Beauty and the Beast (Disney)").
 */
function seriesOf(title: string): { bare: string; series: string; position: string } | null {
  if (!title.endsWith(')')) return null;
  let depth = 0;
  let open = -1;
  for (let i = title.length - 1; i >= 0; i -= 1) {
    if (title[i] === ')') depth += 1;
    if (title[i] === '(') depth -= 1;
    if (depth === 0) {
      open = i;
      break;
    }
  }
  if (open <= 0) return null;
  const bare = title.slice(0, open).trim();
  const first = title
    .slice(open + 1, -1)
    .split(';')[0]!
    .trim();
  const match = /^(.*?)\s*,?\s*#\s*(.+)$/.exec(first);
  if (!bare || !match?.[1]) return null;
  const position = match[2]!
    // A second series after a comma rather than a semicolon: "Dark-Hunter #5, Were-Hunter #1".
    .replace(/,\s*[^,#]*\p{L}[^,#]*,?\s*#.*$/u, '')
    // "#4.1, #4.3, #5.1" reads as "4.1, 4.3, 5.1".
    .replace(/#\s*/g, '')
    .trim();
  return { bare, series: match[1], position };
}

/** "1" → 1 and "0.5" → 0.5; "1-3", "1–3", "3: Part 2 of 2" stay the text they are. */
function seriesPosition(position: string): number | string {
  return /^\d+(\.\d+)?$/.test(position) ? Number(position) : position;
}

/** Two spellings of one title: the same letters and digits, case, spaces and punctuation aside. */
function sameTitle(a: string, b: string): boolean {
  const letters = (title: string) =>
    title
      .normalize('NFKC')
      .toLowerCase()
      .replace(/&/g, 'and')
      .replace(/[^\p{L}\p{N}]+/gu, '');
  return letters(a) === letters(b);
}

/** The ISBN-10 of the isbn column ("439023483" → "0439023483"), or null when its check digit is wrong. */
function isbn10(value: string): string | null {
  if (!value) return null;
  const isbn = value.padStart(10, '0');
  if (!/^\d{9}[\dX]$/.test(isbn)) return null;
  let sum = 0;
  for (let i = 0; i < 10; i += 1) sum += (10 - i) * (isbn[i] === 'X' ? 10 : Number(isbn[i]));
  return sum % 11 === 0 ? isbn : null;
}

/** The ISBN-13 of an ISBN-10: "978", its first nine digits, and a check digit of their own. */
function isbn13(isbn: string): string {
  const digits = `978${isbn.slice(0, 9)}`;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return `${digits}${(10 - (sum % 10)) % 10}`;
}

/**
 * original_publication_year is a float ("2008.0"), empty for a few books and negative for a book
 * from before the common era ("-720.0", the Odyssey). A year before 1000 is a date all the same
 * ("0975", Beowulf); a year BC is not one a partial date can write (four digits, no era), so it
 * is kept, as the number given, in the attribute `original_publication_year` (the seed drops it).
 */
function publicationYear(value: string): { date: string | null; yearBC: number | null } {
  const match = /^(-?\d+)(\.0*)?$/.exec(value);
  const year = match ? Number(match[1]) : NaN;
  if (year >= 1 && year <= LAST_YEAR) return { date: String(year).padStart(4, '0'), yearBC: null };
  if (year < 0) return { date: null, yearBC: year };
  return { date: null, yearBC: null };
}

/** The authors, in order, each once: "J.K. Rowling, Mary GrandPré" → two names. */
function authors(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map(clean).filter(Boolean))];
}

function toRecord(row: Row, skip: Skip): IngestRecord | null {
  const bookId = clean(row.book_id);
  const key = clean(row.goodreads_book_id);
  const fullTitle = clean(row.title);
  if (!key) {
    skip('no goodreads_book_id', { book_id: bookId, title: fullTitle });
    return null;
  }
  if (!/^\d+$/.test(key)) {
    skip('unreadable goodreads_book_id', { book_id: bookId, goodreads_book_id: key, title: fullTitle });
    return null;
  }
  if (!fullTitle) {
    skip('no title', { book_id: bookId, goodreads_book_id: key });
    return null;
  }

  const inSeries = seriesOf(fullTitle);
  const title = inSeries?.bare ?? fullTitle;
  // An original title can carry the series too: "Rødstrupe (Harry Hole, #3)".
  const original = clean(row.original_title);
  const originalTitle = original ? (seriesOf(original)?.bare ?? original) : '';
  const otherTitles = [fullTitle];
  if (originalTitle && sameTitle(originalTitle, title)) otherTitles.push(originalTitle);

  const attributes: Record<string, unknown> = {};
  const language = clean(row.language_code);
  if (language) attributes.language = language;
  if (inSeries) {
    attributes.series = inSeries.series;
    attributes.series_position = seriesPosition(inSeries.position);
  }
  const averageRating = clean(row.average_rating);
  if (/^\d+(\.\d+)?$/.test(averageRating)) attributes.average_rating = Number(averageRating);
  const ratingsCount = clean(row.ratings_count);
  if (/^\d+$/.test(ratingsCount)) attributes.ratings_count = Number(ratingsCount);
  const { date, yearBC } = publicationYear(clean(row.original_publication_year));
  if (yearBC !== null) attributes.original_publication_year = yearBC;

  const externalIds: Record<string, string> = {};
  const workId = clean(row.work_id);
  if (/^\d+$/.test(workId)) externalIds.goodreads_work = workId;
  const isbn = isbn10(clean(row.isbn));
  if (isbn) {
    externalIds.isbn10 = isbn;
    externalIds.isbn13 = isbn13(isbn);
  }

  return {
    key,
    mediaType: 'book',
    mediaClass: 'written.book',
    title,
    originalTitle: originalTitle && !sameTitle(originalTitle, title) ? originalTitle : null,
    otherTitles: [...new Set(otherTitles)].filter((other) => other !== title),
    releaseDate: date,
    country: null,
    creators: authors(row.authors),
    attributes,
    externalIds,
  };
}

async function* read(file: string, skip: Skip): AsyncGenerator<IngestRecord> {
  for await (const row of readGzippedCsv(file, COLUMNS, 'book_id', skip)) {
    const record = toRecord(row, skip);
    if (record) yield record;
  }
}

export const goodbooks: SourceAdapter = {
  name: 'goodbooks-10k',
  label: 'goodbooks-10k (Goodreads metadata)',
  homepage: 'https://github.com/zygmuntz/goodbooks-10k',
  licence: 'CC BY-SA 4.0',
  keyName: 'goodreads',
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'goodbooks-10k', 'books.csv.gz')],
  read,
};
