import type { FieldErrors } from '../http/validation';
import type { EntryRow } from './queries';
import { ratingOnScale, type RatingScale } from './ratings';
import { UNIT_LABELS } from './rules';

/** What a row's template needs: the entry on the user's scale, its progress unit, the values drawn. */
export function entryView(
  row: EntryRow,
  scale: RatingScale,
  typed: Record<string, string> = {},
  errors: FieldErrors = {},
) {
  const rating = ratingOnScale(row.rating, scale);
  return {
    ...row,
    unitLabel: UNIT_LABELS[row.unit] ?? row.unit,
    // The values the form was drawn with (sent back as was_…), and what to show in each control.
    was: {
      status: row.status,
      rating: rating === null ? '' : String(rating),
      progress: row.progress === null ? '' : String(row.progress),
      notes: row.notes ?? '',
      started: row.startedOn ?? '',
      completed: row.completedOn ?? '',
    },
    typed,
    errors,
  };
}
