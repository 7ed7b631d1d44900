import { z } from 'zod';
import { notFound } from '../http/validate';
import { hasControlCharacter, LTREE_PATH, UUID_PATTERN } from '../http/validation';

/** A title's id, lower-cased. */
const titleId = z
  .string()
  .regex(UUID_PATTERN)
  .transform((id) => id.toLowerCase());

/** A title's id in a path (/media/:id…), lower-cased; anything else is no title (404). */
export const mediaIdParams = z.looseObject({ id: titleId });

/** A path that names no title: 404, as for a title that is not there. */
export const noSuchTitle = notFound('There is no such title.');

/** A franchise's path (/collections/:path): an ltree path such as "mega_man.x"; anything else is none. */
export const collectionParams = z.looseObject({ path: z.string().regex(LTREE_PATH) });

/** A link's path (…/relationships/:kind/:targetId): both titles' ids, and the kind's name as sent. */
export const linkParams = z.object({ id: titleId, kind: z.string(), targetId: titleId });

/** The form takes the other title's id, or its page's address (…/media/<id>) as an admin copies it. */
function targetFromForm(value: unknown): unknown {
  // A control character anywhere is refused as sent, not hidden in an address's query.
  if (typeof value !== 'string' || hasControlCharacter(value)) return value;
  const address = /\/media\/([0-9a-f-]{36})\/?(?:[?#].*)?$/i.exec(value.trim());
  return address ? address[1] : value;
}

/**
 * The relationships API's body ({ kind, targetId }): any JSON object, its two fields as sent (the
 * rules are linkFromInput's, which name the field at fault); anything else holds neither.
 */
export const linkApiSchema = z.unknown().transform((body) => {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return { kind: fields.kind, targetId: fields.targetId };
});

/**
 * The admin link form: the kind's name and the other title (its id, or its page's address). The
 * rules of a link (a known kind, a well-formed id, no self-link, both titles there) are
 * linkFromInput's, which the JSON API applies too.
 */
export const linkFormSchema = z.looseObject({}).transform((form) => ({
  kind: form.kind,
  target_id: targetFromForm(form.target_id),
}));
