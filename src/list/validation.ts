import { z } from 'zod';
import { STATUSES } from '../entries/statuses';

/** An Add form: which title, with which status (planning unless the user picked another). */
export const addEntrySchema = z.object({
  media_id: z.uuid({ error: 'Choose a title from the catalog.' }),
  status: z.preprocess(
    (value) => (value === undefined || value === '' ? 'planning' : value),
    z.enum(STATUSES, { error: 'Choose a status from the list.' }),
  ),
});

export type AddEntry = z.output<typeof addEntrySchema>;
