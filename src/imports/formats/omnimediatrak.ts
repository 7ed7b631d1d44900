/**
 * Our own list export read back (src/list/export.ts writes it): the CSV with the export's
 * columns, or the JSON `{attribution, entries}` whose entries have the same keys. Everything in
 * it is already in our words, so it is taken exactly as written: exporting a list and importing
 * it into a new account must give the same list back, down to when each entry was added and last
 * changed. The catalog's own columns (progress_unit, total) have nowhere to go and are not read.
 */
import { isStatus } from '../../entries/statuses';
import type { EXPORT_COLUMNS } from '../../entries/queries';
import { csvHeader, hasColumns, readCsv } from '../csv';
import {
  emptyRecord,
  IMPORT_MEDIA_TYPES,
  ImportFileError,
  parseCount,
  parseDate,
  parseYear,
  type ImportFormat,
  type ImportMediaType,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
  type RejectedRow,
} from '../records';

type Entry = Partial<Record<(typeof EXPORT_COLUMNS)[number], unknown>>;

const KEY_COLUMNS = ['media_id', 'media_type', 'status', 'progress_unit'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RAW_LIMIT = 300;

/** A field as text, untouched; null when missing or empty (the CSV writes a missing value as ''). */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const isMediaType = (value: string): value is ImportMediaType =>
  (IMPORT_MEDIA_TYPES as readonly string[]).includes(value);

/** The export's JSON object, or null when `member` is not one. */
function exportedJson(member: ImportMember): { entries: unknown[] } | null {
  const body = member.text.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('entries' in parsed)) return null;
    const { entries } = parsed;
    if (!Array.isArray(entries)) return null;
    const ours = entries.every(
      (entry: unknown) => typeof entry === 'object' && entry !== null && 'media_id' in entry && 'status' in entry,
    );
    // An empty list's export has nothing to recognise but its attribution beside the entries.
    return ours && (entries.length > 0 || 'attribution' in parsed) ? { entries } : null;
  } catch {
    return null;
  }
}

const isExportedCsv = (member: ImportMember) => hasColumns(csvHeader(member.text), KEY_COLUMNS);

function readEntry(origin: { file: string; line: number }, entry: Entry, raw: string): ImportRecord | RejectedRow {
  const mediaType = text(entry.media_type);
  if (mediaType === null || !isMediaType(mediaType))
    return { origin, reason: `media type '${mediaType ?? ''}' is not one of ours`, raw };
  const record = emptyRecord(origin, [mediaType]);

  const mediaId = text(entry.media_id);
  if (mediaId !== null && UUID.test(mediaId)) record.ids.omnimediatrak = mediaId;
  else if (mediaId !== null) record.problems.push(`media_id '${mediaId}' is not one of our ids: left out`);
  record.title = text(entry.title);
  if (record.title === null && record.ids.omnimediatrak === undefined)
    return { origin, reason: 'no media_id and no title', raw };
  const originalTitle = text(entry.original_title);
  if (originalTitle !== null) record.alternativeTitles.push(originalTitle);
  record.year = parseYear(text(entry.release_date));

  const status = text(entry.status);
  if (status !== null && isStatus(status)) record.status = status;
  else {
    record.problems.push(`status '${status ?? ''}' is not one of ours: no status taken`);
  }

  const rating = text(entry.rating);
  if (rating !== null) {
    // Already on our scale: no rounding, and a value outside it is never squeezed in.
    const number = /^\d+$/.test(rating) ? Number(rating) : NaN;
    if (number >= 1 && number <= 100) record.rating = number;
    else record.problems.push(`rating ${rating} is not 1–100: left out`);
  }

  const progress = text(entry.progress);
  record.progress = parseCount(progress);
  if (progress !== null && record.progress === null)
    record.problems.push(`progress ${progress} is not a whole number: left out`);

  for (const [column, field] of [
    ['started_on', 'startedOn'],
    ['completed_on', 'completedOn'],
  ] as const) {
    const written = text(entry[column]);
    record[field] = parseDate(written);
    if (written !== null && record[field] === null)
      record.problems.push(`${column} '${written}' is not a date: left out`);
  }

  // The notes are the person's own words as they typed them: nothing is stripped or decoded.
  record.notes = text(entry.notes);

  for (const [column, field] of [
    ['added_at', 'addedAt'],
    ['updated_at', 'updatedAt'],
  ] as const) {
    const written = text(entry[column]);
    if (written !== null && /^\d{4}-\d{2}-\d{2}T/.test(written) && !Number.isNaN(Date.parse(written)))
      record[field] = written;
    else if (written !== null) record.problems.push(`${column} '${written}' is not a time: left out`);
  }
  return record;
}

function add(result: ReadResult, read: ImportRecord | RejectedRow): void {
  if ('reason' in read) result.rejected.push(read);
  else result.records.push(read);
}

/** Our own list export, CSV or JSON. */
export const omnimediatrakFormat: ImportFormat = {
  name: 'omnimediatrak',
  label: "OmniMediaTrak (this site's export)",
  detect(members) {
    return members.some((member) => isExportedCsv(member) || exportedJson(member) !== null) ? 'yes' : 'no';
  },
  read(members: ImportMember[]): ReadResult {
    const result: ReadResult = { records: [], rejected: [] };
    let found = false;
    for (const member of members) {
      const json = exportedJson(member);
      if (json) {
        found = true;
        json.entries.forEach((entry, index) => {
          const origin = { file: member.name, line: index + 1 };
          add(result, readEntry(origin, entry as Entry, JSON.stringify(entry).slice(0, RAW_LIMIT)));
        });
      } else if (isExportedCsv(member)) {
        found = true;
        for (const { line, values, raw } of readCsv(member.text, member.name).rows)
          add(result, readEntry({ file: member.name, line }, values, raw));
      }
    }
    if (!found)
      throw new ImportFileError(
        'This is not a list exported from this site: it has neither the CSV columns nor the JSON entries of one.',
      );
    return result;
  },
};
