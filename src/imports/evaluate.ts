/**
 * What an imported record does to a person's entry, before anything is written: the fields it
 * would set, in either of the two ways a person can choose (docs/imports.md), and the difference
 * from the entry as it is. Pure, so the preview and the apply step use the same rule.
 */
import type { Status } from '../entries/statuses';
import { isEntryDate, MAX_NOTES, MAX_PROGRESS, type EntryFields } from '../entries/rules';
import type { ImportRecord } from './records';

/** How an import treats an entry the person already has. */
export const IMPORT_MODES = ['fill', 'wins'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const IMPORT_MODE_LABELS: Record<ImportMode, string> = {
  fill: 'Keep mine and fill the gaps',
  wins: 'The import wins',
};

/** An entry's fields as the importer reads and writes them: the entries core's (dates as YYYY-MM-DD). */
export type EntryValues = EntryFields;

export const ENTRY_VALUE_FIELDS = ['status', 'rating', 'progress', 'notes', 'startedOn', 'completedOn'] as const;
export type EntryValueField = (typeof ENTRY_VALUE_FIELDS)[number];

export const ENTRY_VALUE_LABELS: Record<EntryValueField, string> = {
  status: 'Status',
  rating: 'Rating',
  progress: 'Progress',
  notes: 'Notes',
  startedOn: 'Started',
  completedOn: 'Finished',
};

/** Field → [old, new]; empty when the import changes nothing. */
export type EntryChanges = Partial<
  Record<EntryValueField, [EntryValues[EntryValueField], EntryValues[EntryValueField]]>
>;

/**
 * The record's values as an entry may hold them: dates outside the entries' range or a finish
 * before the start dropped (each with a problem), progress and notes within their limits, and a
 * status when the file gave none (finished → completed, progress → in progress, else planning).
 */
export function recordValues(
  record: ImportRecord,
  today: string,
): { values: EntryValues; problems: string[]; statusGiven: boolean } {
  const problems: string[] = [];
  const day = (value: string | null, name: string) => {
    if (value === null) return null;
    if (isEntryDate(value, today)) return value;
    problems.push(`${name} ${value} is not a date an entry can hold: left out`);
    return null;
  };
  let startedOn = day(record.startedOn, 'start date');
  const completedOn = day(record.completedOn, 'finish date');
  if (startedOn && completedOn && completedOn < startedOn) {
    problems.push(`finished ${completedOn} before it started ${startedOn}: the start date is left out`);
    startedOn = null;
  }
  let progress = record.progress;
  if (progress !== null && progress > MAX_PROGRESS) {
    problems.push(`progress ${progress} is more than ${MAX_PROGRESS}: left out`);
    progress = null;
  }
  let notes = record.notes;
  if (notes !== null && notes.length > MAX_NOTES) {
    problems.push(`notes longer than ${MAX_NOTES} characters: cut to that length`);
    notes = cutToLength(notes);
  }
  const status: Status =
    record.status ?? (completedOn ? 'completed' : progress !== null && progress > 0 ? 'in_progress' : 'planning');
  return {
    values: { status, rating: record.rating, progress, notes, startedOn, completedOn },
    problems,
    statusGiven: record.status !== null,
  };
}

/**
 * Text cut to the notes' limit in characters (code points, as PostgreSQL counts them): never
 * half of a character written as two UTF-16 units (an emoji), which JSON and jsonb refuse.
 */
function cutToLength(text: string): string {
  return text.length <= MAX_NOTES ? text : Array.from(text).slice(0, MAX_NOTES).join('');
}

/** Notes are never lost: an import's notes that differ from the person's are added after theirs. */
function joinedNotes(mine: string | null, theirs: string | null): string | null {
  if (theirs === null || theirs === '') return mine;
  if (mine === null || mine === '') return theirs;
  if (mine === theirs || mine.includes(theirs)) return mine;
  return cutToLength(`${mine}\n\n${theirs}`);
}

/**
 * The entry after the import: a new entry is the record's values; an existing one keeps its
 * own values and takes the record's only where it has none (`fill`), or takes every value the
 * record has (`wins`). A value the record lacks never erases one (a status the file did not give,
 * `statusGiven` false, is not the file's to impose), and notes are only ever added to.
 */
export function mergedEntry(
  current: EntryValues | null,
  incoming: EntryValues,
  mode: ImportMode,
  statusGiven = true,
): EntryValues {
  if (current === null) return incoming;
  const pick = <T>(mine: T | null, theirs: T | null): T | null =>
    mode === 'fill' ? (mine ?? theirs) : (theirs ?? mine);
  let startedOn = pick(current.startedOn, incoming.startedOn);
  let completedOn = pick(current.completedOn, incoming.completedOn);
  if (startedOn && completedOn && completedOn < startedOn) {
    // The two dates came from different sides and disagree: keep the side the mode trusts.
    if (mode === 'fill') {
      startedOn = current.startedOn;
      completedOn = current.completedOn;
    } else {
      startedOn = incoming.startedOn;
      completedOn = incoming.completedOn;
    }
  }
  return {
    status: mode === 'wins' && statusGiven ? incoming.status : current.status,
    rating: pick(current.rating, incoming.rating),
    progress: pick(current.progress, incoming.progress),
    notes: joinedNotes(current.notes, incoming.notes),
    startedOn,
    completedOn,
  };
}

/** What differs between two versions of an entry, field by field. */
export function entryChanges(before: EntryValues | null, after: EntryValues): EntryChanges {
  const changes: EntryChanges = {};
  for (const field of ENTRY_VALUE_FIELDS) {
    const old = before ? before[field] : null;
    if (before === null ? after[field] !== null : old !== after[field])
      (changes as Record<string, unknown>)[field] = [old, after[field]];
  }
  return changes;
}

/** Whether two versions of an entry hold the same values. */
export function sameEntry(a: EntryValues | null, b: EntryValues | null): boolean {
  if (a === null || b === null) return a === b;
  return ENTRY_VALUE_FIELDS.every((field) => a[field] === b[field]);
}
