import { z } from 'zod';

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * Checks a submitted form against a schema; on failure, one message per field (the first),
 * keyed by field name, in the order the fields appear in the schema.
 */
export function parseForm<Schema extends z.ZodType>(schema: Schema, body: unknown): FormResult<z.output<Schema>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/**
 * Control characters (C0, DEL and C1): PostgreSQL text cannot hold NUL at all, and the others are
 * never typed on purpose. Multi-line text (notes) keeps tab, line feed and carriage return.
 */
const CONTROL = /\p{Cc}/u;
const CONTROL_BEYOND_LINES = /[^\P{Cc}\t\n\r]/u;

export const SINGLE_LINE_CONTROL_MESSAGE =
  'Remove the control characters (such as tabs, line breaks or NUL) from this field';
export const MULTI_LINE_CONTROL_MESSAGE =
  'Remove the control characters (invisible characters other than tabs and line breaks) from this field';

/** Whether text holds a control character; `multiLine` lets tabs and line breaks through. */
export function hasControlCharacter(value: string, { multiLine = false } = {}): boolean {
  return (multiLine ? CONTROL_BEYOND_LINES : CONTROL).test(value);
}

/** The message for a field's control characters, or undefined when it has none. */
export function controlCharacterError(value: string, { multiLine = false } = {}): string | undefined {
  if (!hasControlCharacter(value, { multiLine })) return undefined;
  return multiLine ? MULTI_LINE_CONTROL_MESSAGE : SINGLE_LINE_CONTROL_MESSAGE;
}

/**
 * Text to draw back into a page: each control character (other than tab and line breaks) as the
 * replacement character, so the user sees where it was and no NUL reaches the HTML.
 */
export function shownText(value: string): string {
  return value.replace(new RegExp(CONTROL_BEYOND_LINES.source, 'gu'), '\uFFFD');
}

/**
 * A one-line text field: a string (an array from a repeated field, a number or an object from
 * JSON get `missing`), with no control character. Build min/max/trim rules on top.
 */
export const singleLine = (missing: string) =>
  z.string({ error: missing }).refine((value) => !hasControlCharacter(value), {
    error: SINGLE_LINE_CONTROL_MESSAGE,
  });

/** A multi-line text field (notes): as singleLine, but tabs and line breaks are kept. */
export const multiLine = (missing: string) =>
  z.string({ error: missing }).refine((value) => !hasControlCharacter(value, { multiLine: true }), {
    error: MULTI_LINE_CONTROL_MESSAGE,
  });

/**
 * An ltree path as PostgreSQL 15 accepts one (labels of letters, digits and _, joined by dots):
 * what may be cast to ltree without the statement failing.
 */
export const LTREE_PATH = /^[A-Za-z0-9_]{1,100}(\.[A-Za-z0-9_]{1,100}){0,20}$/;

/** A UUID as text, any case: the ids of titles and users. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID from a path or a form, lower-cased; undefined for anything else. */
export function uuidParam(value: unknown): string | undefined {
  return typeof value === 'string' && UUID_PATTERN.test(value) ? value.toLowerCase() : undefined;
}
