/**
 * CSV as the trackers write it (import-formats.md): a byte-order mark at the start, CRLF or LF,
 * quoted fields with commas, quotes and line breaks inside, extra or missing columns. csv-parse
 * does the reading; this gives each row as a record by header name, with the line it starts on.
 */
import { parse } from 'csv-parse/sync';
import {
  ImportFileError,
  type ImportFormat,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
  type RejectedRow,
} from './records';

export interface CsvRow {
  /** The line of the file the row starts on (1-based; the header is line 1). */
  line: number;
  /** The row by header name (headers trimmed); a missing trailing column is ''. */
  values: Record<string, string>;
  /** The row as written, shortened, for the list of rows not imported. */
  raw: string;
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

const RAW_LIMIT = 300;

/**
 * Reads `text` as CSV with a header row. Throws ImportFileError when it is not CSV at all (an
 * unclosed quote that swallows the rest of the file, no header).
 */
export function readCsv(text: string, fileName: string): CsvTable {
  let records: { record: string[]; raw: string }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      raw: true,
    }) as unknown as { record: string[]; raw: string }[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportFileError(`${fileName} could not be read as CSV (${reason}).`);
  }
  const breaks = (part: string) => part.match(/\r\n|\r|\n/g)?.length ?? 0;
  // Each record's raw text is the next slice of the file: its line is 1 + the line breaks before
  // it (a record's own leading breaks are blank lines skipped).
  let linesBefore = 0;
  const located = records.map(({ record, raw }) => {
    const leading = /^[\r\n]*/.exec(raw)?.[0] ?? '';
    const line = linesBefore + breaks(leading) + 1;
    linesBefore += breaks(raw);
    return { record, line, raw: raw.replace(/^[\r\n]+|[\r\n]+$/g, '').slice(0, RAW_LIMIT) };
  });
  const [first, ...rest] = located;
  if (!first) throw new ImportFileError(`${fileName} is empty.`);
  const header = first.record.map((name) => name.trim());
  const rows = rest.map(({ record, line, raw }) => {
    const values: Record<string, string> = {};
    header.forEach((name, index) => {
      values[name] = record[index] ?? '';
    });
    return { line, values, raw };
  });
  return { header, rows };
}

/** Whether a header holds every one of `names` (the columns a format cannot do without). */
export function hasColumns(header: string[], names: string[]): boolean {
  return names.every((name) => header.includes(name));
}

/** The header row of a CSV text alone (cheap: the first record), for detection; [] when unreadable. */
export function csvHeader(text: string): string[] {
  try {
    const records: string[][] = parse(text.replace(/^\uFEFF/, ''), {
      to_line: 1,
      relax_column_count: true,
      bom: true,
    });
    const [first] = records;
    return (first ?? []).map((name) => name.trim());
  } catch {
    return [];
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV format's reading: every member whose header `fits`, each row read by `readRow` into a
 * record or a rejected row (with its reason); ImportFileError saying `notThis` when no member fits.
 */
export function readCsvMembers(
  members: ImportMember[],
  fits: (header: string[]) => boolean,
  readRow: (file: string, row: CsvRow) => ImportRecord | RejectedRow,
  notThis: string,
): ReadResult {
  const result: ReadResult = { records: [], rejected: [] };
  let found = false;
  for (const member of members) {
    if (!fits(csvHeader(member.text))) continue;
    found = true;
    for (const row of readCsv(member.text, member.name).rows) {
      const read = readRow(member.name, row);
      if ('reason' in read) result.rejected.push(read);
      else result.records.push(read);
    }
  }
  if (!found) throw new ImportFileError(notThis);
  return result;
}

/**
 * A format that is one kind of CSV file, told by its header: it claims any member whose header
 * `fits` and reads each row of those with `readRow` (see readCsvMembers).
 */
export function csvFormat(format: {
  name: string;
  label: string;
  fits: (header: string[]) => boolean;
  readRow: (file: string, row: CsvRow) => ImportRecord | RejectedRow;
  notThis: string;
}): ImportFormat {
  return {
    name: format.name,
    label: format.label,
    detect: (members) => (members.some((member) => format.fits(csvHeader(member.text))) ? 'yes' : 'no'),
    read: (members) => readCsvMembers(members, format.fits, format.readRow, format.notThis),
  };
}

/** A record with neither a title nor an id is a row that cannot be matched: rejected, with `reason`. */
export function rejectedWithoutName(record: ImportRecord, raw: string, reason: string): ImportRecord | RejectedRow {
  return record.title === null && Object.keys(record.ids).length === 0
    ? { origin: record.origin, reason, raw }
    : record;
}
