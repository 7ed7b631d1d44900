import { z } from 'zod';
import { nextPath, notFound } from '../http/validate';
import { UUID_PATTERN } from '../http/validation';
import { single } from '../tables/params';

/** Why two works are a question, in plain words: the pipeline's reasons (src/ingest/matching.ts) and an administrator's. */
export const REASON_LABELS: Readonly<Record<string, string>> = {
  id_on_two_works: 'An id the record carries already names the other work',
  ids_name_several_works: 'The record’s ids name several works, the other among them',
  ambiguous_title: 'Several works have the record’s title, type and year',
  year_off_by_one: 'Same title and type, release years one apart',
  type_mismatch: 'Same title and year, another type',
  likely_duplicate: 'Same title and type, close release years, different sources',
};

/** The reasons the conflicts filter offers: the pipeline's (an administrator's judgements are never open). */
export const OPEN_REASONS = Object.keys(REASON_LABELS).filter((reason) => reason !== 'likely_duplicate');

export const reasonLabel = (reason: string) => REASON_LABELS[reason] ?? reason;

/** A page number from the query string: a whole number from 1, else the first page (a page past the last shows none). */
const pageNumber = z
  .unknown()
  .optional()
  .transform((value) => {
    const text = single(value)?.trim() ?? '';
    return /^[1-9]\d{0,5}$/.test(text) ? Number(text) : 1;
  });

/**
 * The administration page's query: the reason the conflicts are filtered by, and the page of each
 * list. Reading it never fails: an unknown reason shows every reason (`unknownReason` says so on
 * the page), a page that is no number the first.
 */
export const catalogAdminQuery = z
  .looseObject({ reason: z.unknown().optional(), conflicts: pageNumber, duplicates: pageNumber })
  .transform(({ reason, conflicts, duplicates }) => {
    const asked = single(reason)?.trim() ?? '';
    const known = OPEN_REASONS.includes(asked);
    return { reason: known ? asked : null, unknownReason: asked !== '' && !known, conflicts, duplicates };
  });

const workId = z
  .string()
  .regex(UUID_PATTERN)
  .transform((id) => id.toLowerCase());

/** A run's path (/admin/catalog/runs/:jobId). */
export const runParams = z.looseObject({ jobId: workId });

/** A run log's page. */
export const runLogQuery = z.looseObject({ page: pageNumber });

/** A pair's path (/admin/catalog/pairs/:duplicateId/:keptId/…): the work to retire, the one to keep. */
export const pairParams = z.looseObject({ duplicateId: workId, keptId: workId });

/** A path that names no run or no work: 404. */
export const nothingThere = notFound('There is nothing at this address.');

/** Merge and Keep apart: the page to go back to. */
export const pairActionBody = z.looseObject({ next: nextPath('/admin/catalog') });

/** The suggested links page's query: which page. */
export const linksQuery = z.looseObject({ page: pageNumber });

/** Promote: the link as the page listed it (a kind of id, its key, the work), and the page to go back to. */
export const promoteLinkBody = z.looseObject({
  source: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  key: z.string().min(1).max(500),
  media_id: workId,
  next: nextPath('/admin/catalog/links'),
});
