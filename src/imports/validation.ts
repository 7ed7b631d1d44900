/**
 * The import pages' forms and addresses, as zod schemas checked before the handlers run.
 */
import { z } from 'zod';
import { IMPORT_MODES } from './evaluate';
import { IMPORT_FORMATS } from './formats';
import { ANILIST_SCORE_FORMATS, LIST_KINDS } from './records';

const formatNames = IMPORT_FORMATS.map((format) => format.name);

const optionalChoice = <T extends string>(values: readonly T[], message: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .refine((value) => value === undefined || (values as readonly string[]).includes(value), { message })
    .transform((value) => value as T | undefined);

/** The upload form's fields (the file itself is read apart, see ./upload.ts). */
export const uploadBody = z.object({
  source: optionalChoice(formatNames, 'Choose a source from the list, or let the file say.'),
  mode: z
    .string()
    .optional()
    .transform((value) => value || 'fill')
    .refine((value) => (IMPORT_MODES as readonly string[]).includes(value), {
      message: 'Choose how to treat titles already in your list.',
    })
    .transform((value) => value as (typeof IMPORT_MODES)[number]),
  anilist_score: optionalChoice(ANILIST_SCORE_FORMATS, 'Choose one of the AniList score formats.'),
  list_kind: optionalChoice(LIST_KINDS, 'Choose whether the file lists films watched or films to watch.'),
});

/** An answer on a job's page to the question its file raised (its source, its kind of list, its score format). */
export const answerBody = z.object({
  source: optionalChoice(formatNames, 'Choose the source this file comes from.'),
  anilist_score: optionalChoice(ANILIST_SCORE_FORMATS, 'Choose one of the AniList score formats.'),
  list_kind: optionalChoice(LIST_KINDS, 'Choose whether the file lists what you watched or what you want to watch.'),
});

export const jobParams = z.object({ jobId: z.uuid({ message: 'No such import.' }) });

export const rowParams = z.object({
  jobId: z.uuid({ message: 'No such import.' }),
  row: z.coerce.number({ message: 'No such row.' }).int().min(1).max(10_000_000),
});

/** Which rows of the preview to show, and which page of them. */
export const OUTCOME_GROUPS = ['uncertain', 'add', 'change', 'unchanged', 'unmatched', 'duplicate', 'skipped'] as const;
export type OutcomeGroup = (typeof OUTCOME_GROUPS)[number];

export const jobQuery = z.object({
  show: z
    .string()
    .optional()
    .catch(undefined)
    .transform((value) =>
      (OUTCOME_GROUPS as readonly string[]).includes(value ?? '') ? (value as OutcomeGroup) : undefined,
    ),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export const modeBody = z.object({
  mode: z
    .string()
    .refine((value) => (IMPORT_MODES as readonly string[]).includes(value), {
      message: 'Choose how to treat titles already in your list.',
    })
    .transform((value) => value as (typeof IMPORT_MODES)[number]),
});

export const pickBody = z.object({
  media: z.uuid({ message: 'Choose one of the titles, or skip this row.' }),
});

export const searchQuery = z.object({
  q: z
    .string()
    .optional()
    .catch(undefined)
    .transform((value) => (value ?? '').trim().slice(0, 200)),
});
