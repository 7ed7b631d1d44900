import { controlCharacterError, shownText, type FieldErrors } from '../http/validation';
import { RATING_SCALES, storedRating, type RatingScale } from './ratings';
import { isStatus, type Status } from './statuses';

/**
 * The rules of a list entry, enforced on the server whatever the form sent: ratings on the user's
 * scale stored on one internal 1–100 scale, progress within the title's total, and the dates and
 * status that follow from each other. Pure functions: the handlers load, call, and write.
 */

/** Short unit labels, by media_types.progress_unit. */
export const UNIT_LABELS: Record<string, string> = {
  episodes: 'ep',
  chapters: 'ch',
  pages: 'pages',
  minutes: 'min',
  hours: 'h',
};

/** "12 / 24 ep", "130 pages", "" for no progress. */
export function progressText(progress: number | null, total: number | null, unit: string): string {
  const label = UNIT_LABELS[unit] ?? unit;
  if (progress === null) return total === null ? '' : `– / ${total} ${label}`;
  return total === null ? `${progress} ${label}` : `${progress} / ${total} ${label}`;
}

/** What an entry holds that a user edits; dates as YYYY-MM-DD (UTC). */
export interface EntryFields {
  status: Status;
  /** Stored, 1–100 (see ./ratings.ts). */
  rating: number | null;
  progress: number | null;
  notes: string | null;
  startedOn: string | null;
  completedOn: string | null;
}

export type EntryField = keyof EntryFields;
export const ENTRY_FIELDS: readonly EntryField[] = [
  'status',
  'rating',
  'progress',
  'notes',
  'startedOn',
  'completedOn',
];

/** Form field names, for each entry field. */
export const FORM_NAMES: Record<EntryField, string> = {
  status: 'status',
  rating: 'rating',
  progress: 'progress',
  notes: 'notes',
  startedOn: 'started',
  completedOn: 'completed',
};

export const MAX_NOTES = 10_000;
export const MAX_PROGRESS = 1_000_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The dates an entry may hold, for every caller: a real day from 1000-01-01 to the end of next year.
 * PostgreSQL refuses year 0 and before; earlier or later days are typos (0202, 20225), not history.
 */
export const EARLIEST_DATE = '1000-01-01';

/** The last day an entry's date may be: the end of the year after `today`'s (YYYY-MM-DD). */
export function latestDate(today: string): string {
  return `${Number(today.slice(0, 4)) + 1}-12-31`;
}

/** Whether `text` is a YYYY-MM-DD day of the calendar within the entries' range. */
export function isEntryDate(text: string, today: string): boolean {
  if (!DATE.test(text) || text < EARLIEST_DATE || text > latestDate(today)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The message for a date that is not an entry date. */
export function dateMessage(today: string): string {
  return `Enter a date between ${EARLIEST_DATE} and ${latestDate(today)}, as YYYY-MM-DD, or leave it empty.`;
}

/** Today's date in UTC (entry dates are days, stored as midnight UTC). */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * An edit as submitted: for each field, the value sent and the value the form was drawn with
 * (`was_…`). Only fields whose value differs from what the form showed are changes, so two tabs
 * editing different fields of one entry never undo each other. A form without `was_…` (a script)
 * changes every field it sends. `progress_step=1` (the +1 button) adds one to the stored progress.
 */
export interface SubmittedEdit {
  changes: Partial<EntryFields>;
  step: number;
  errors: FieldErrors;
  /** The values as typed, for drawing the form again. */
  typed: Record<string, string>;
}

/** `today` (YYYY-MM-DD, UTC) bounds the dates. */
export function readEdit(body: unknown, scale: RatingScale, today: string = todayUtc()): SubmittedEdit {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const value = form[name];
    return typeof value === 'string' ? value : undefined;
  };
  const changes: Partial<EntryFields> = {};
  const errors: FieldErrors = {};
  const typed: Record<string, string> = {};
  for (const field of ENTRY_FIELDS) {
    const name = FORM_NAMES[field];
    const sent = form[name];
    if (Array.isArray(sent)) {
      // A repeated field (a=1&a=2): which one was meant cannot be told, so neither is taken.
      const first: unknown = sent[0];
      typed[name] = typeof first === 'string' ? shownText(first.slice(0, MAX_NOTES + 1)) : '';
      errors[name] = 'This field was sent more than once: send it once.';
      continue;
    }
    const raw = text(name);
    if (raw === undefined) continue;
    typed[name] = shownText(raw.slice(0, MAX_NOTES + 1));
    const was = text(`was_${name}`);
    if (was !== undefined && was === raw) continue;
    const control = controlCharacterError(raw, { multiLine: field === 'notes' });
    if (control) {
      errors[name] = control;
      continue;
    }
    const value = field === 'notes' ? raw : raw.trim();
    switch (field) {
      case 'status':
        if (isStatus(value)) changes.status = value;
        else errors[name] = 'Choose a status from the list.';
        break;
      case 'rating': {
        const { max } = RATING_SCALES[scale];
        if (value === '') changes.rating = null;
        else if (/^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= max) {
          changes.rating = storedRating(Number(value), scale);
        } else errors[name] = `Rate from 1 to ${max}, or leave it empty.`;
        break;
      }
      case 'progress':
        if (value === '') changes.progress = null;
        else if (/^\d{1,7}$/.test(value) && Number(value) <= MAX_PROGRESS) changes.progress = Number(value);
        else errors[name] = 'Progress is a whole number, 0 or more.';
        break;
      case 'notes':
        if (value.length > MAX_NOTES)
          errors[name] = `Notes can be at most ${MAX_NOTES.toLocaleString('en')} characters.`;
        else changes.notes = value.trim() === '' ? null : value.replace(/\r\n/g, '\n');
        break;
      case 'startedOn':
      case 'completedOn':
        if (value === '') changes[field] = null;
        else if (isEntryDate(value, today)) changes[field] = value;
        else errors[name] = dateMessage(today);
        break;
    }
  }
  const step = text('progress_step') === '1' ? 1 : 0;
  return { changes, step, errors, typed };
}

/**
 * The entry after an edit, with the rules applied, or the errors that stop it. `total` is the
 * title's length in its progress unit when known; `today` is YYYY-MM-DD.
 */
export function applyEdit(
  current: EntryFields,
  edit: Pick<SubmittedEdit, 'changes' | 'step'>,
  total: number | null,
  today: string,
): { next: EntryFields; errors: FieldErrors } {
  const { changes } = edit;
  const next: EntryFields = { ...current, ...changes };
  const errors: FieldErrors = {};
  if (edit.step && changes.progress === undefined) next.progress = (current.progress ?? 0) + edit.step;
  const progressChanged = next.progress !== current.progress;

  if (changes.status !== undefined && changes.status !== current.status) {
    if (changes.status === 'in_progress' && !next.startedOn) next.startedOn = today;
    if (changes.status === 'completed') {
      if (!next.completedOn) next.completedOn = today;
      if (total !== null && changes.progress === undefined && !edit.step) next.progress = total;
    }
  }
  if (next.progress !== null && total !== null && next.progress > total) {
    errors.progress = `Progress can be at most ${total}, the title's length.`;
  } else if (progressChanged && next.progress !== null) {
    // Reaching the end finishes it; moving on from nothing starts it.
    if (total !== null && next.progress === total && next.status !== 'completed') {
      next.status = 'completed';
      next.completedOn ??= today;
    } else if (next.progress > 0 && next.status === 'planning') {
      next.status = 'in_progress';
    }
    if (next.status === 'in_progress' && !next.startedOn) next.startedOn = today;
  }
  if (next.startedOn && next.completedOn && next.completedOn < next.startedOn) {
    errors[changes.completedOn !== undefined || changes.startedOn === undefined ? 'completed' : 'started'] =
      'The completed date cannot be before the started date.';
  }
  return { next, errors };
}

/** The fields whose value the edit changed, for an UPDATE of those columns alone. */
export function changedFields(current: EntryFields, next: EntryFields): Partial<EntryFields> {
  const changed: Partial<EntryFields> = {};
  for (const field of ENTRY_FIELDS) {
    if (next[field] !== current[field]) (changed as Record<string, unknown>)[field] = next[field];
  }
  return changed;
}
