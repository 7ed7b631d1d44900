import type { z } from 'zod';

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

/** A UUID as text, any case: the ids of titles and users. */
/**
 * An ltree path as PostgreSQL 15 accepts one (labels of letters, digits and _, joined by dots):
 * what may be cast to ltree without the statement failing.
 */
export const LTREE_PATH = /^[A-Za-z0-9_]{1,100}(\.[A-Za-z0-9_]{1,100}){0,20}$/;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID from a path or a form, lower-cased; undefined for anything else. */
export function uuidParam(value: unknown): string | undefined {
  return typeof value === 'string' && UUID_PATTERN.test(value) ? value.toLowerCase() : undefined;
}

/** The submitted value of a text field, for re-rendering a form; anything but a string is dropped. */
export function submitted(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value.slice(0, 500) : '';
}
