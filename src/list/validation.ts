import { z } from 'zod';
import type { RatingScale } from '../entries/ratings';
import { readEdit } from '../entries/rules';
import { STATUSES } from '../entries/statuses';
import { nextPath } from '../http/validate';
import { UUID_PATTERN, uuidParam } from '../http/validation';

/**
 * The schemas of the list's routes: what each form and path may hold. The JSON API (next issues)
 * checks its requests with the same ones.
 */

/** A title's id in a path: lower-cased; anything else is no title of the list (404). */
export const mediaIdParams = z.object({
  mediaId: z
    .string()
    .regex(UUID_PATTERN)
    .transform((id) => id.toLowerCase()),
});

/** An Add form: which title, with which status (planning unless the user picked another). */
export const addEntrySchema = z.object({
  media_id: z.uuid({ error: 'Choose a title from the catalog.' }),
  status: z.preprocess(
    (value) => (value === undefined || value === '' ? 'planning' : value),
    z.enum(STATUSES, { error: 'Choose a status from the list.' }),
  ),
  next: nextPath('/catalog'),
});

export type AddEntry = z.output<typeof addEntrySchema>;

/**
 * An entry's edit form, read on the user's scale with `today` (YYYY-MM-DD, UTC) bounding the
 * dates: the changes and the +1 step (see readEdit), each refused field an error. The rules that
 * need the stored entry (progress within the title's length, dates in order) come after.
 */
const buildEditSchema = (scale: RatingScale, today: string) =>
  z.looseObject({ next: nextPath('/list') }).transform((form, context) => {
    const edit = readEdit(form, scale, today);
    for (const [path, message] of Object.entries(edit.errors)) {
      context.addIssue({ code: 'custom', path: [path], message });
    }
    return { changes: edit.changes, step: edit.step, typed: edit.typed, today, next: form.next };
  });

/** The edit schemas built, by scale and day: building one costs more than using it. */
const editSchemas = new Map<string, ReturnType<typeof buildEditSchema>>();

/** The edit form's schema for a rating scale and a day (see buildEditSchema). */
export function editEntrySchema(scale: RatingScale, today: string) {
  const key = `${scale} ${today}`;
  let schema = editSchemas.get(key);
  if (!schema) {
    // Three scales and a day or two at a time: a handful at most.
    if (editSchemas.size >= 16) editSchemas.clear();
    schema = buildEditSchema(scale, today);
    editSchemas.set(key, schema);
  }
  return schema;
}

/** Remove: the page to go back to. */
export const removeEntrySchema = z.object({ next: nextPath('/list') });

/** Undo: which removed title (anything but an id finds nothing to undo: 404), and the page to go back to. */
export const undoSchema = z.object({
  media_id: z.unknown().optional().transform(uuidParam),
  next: nextPath('/list'),
});

/** The edit page's query: the page to go back to. */
export const editPageQuery = z.object({ next: nextPath('/list') });
