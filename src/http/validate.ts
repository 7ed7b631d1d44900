import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import { z } from 'zod';
import { safeNextPath } from './redirects';
import { parseForm, shownText, type FieldErrors } from './validation';

/**
 * Validation at the edge: a route's handler sits behind the zod schemas of the request's parts
 * (path parameters, query, body), checked by one middleware before it runs. A refused request is
 * answered by the route's `refuse` (422 unless it sets another status): the form again with its
 * field errors and the values as typed, nothing written. A valid one reaches the handler with the
 * typed values as an argument, so no handler reads `req.body`. The JSON API will put its routes
 * behind the same schemas.
 */

/** What a refused request held: the first error of each field, and each field as typed. */
export interface Refusal<S extends RequestSchemas = RequestSchemas> {
  /** The part of the request that was refused. */
  part: 'params' | 'query' | 'body';
  errors: FieldErrors;
  /**
   * The body's text fields as typed, for drawing the form again: control characters shown as
   * U+FFFD, at most TYPED_MAX characters; a repeated field as the check says (Check.repeated).
   */
  typed: Record<string, string>;
  /** The typed values of the parts checked before the refused one (the path's, for a body refused). */
  passed: Partial<Omit<Checked<S>, 'typed'>>;
  /** The form's `next` as nextPath reads it: the page the refused form came from, else `fallback`. */
  back(fallback: string): string;
}

/** The longest text drawn back into a form: the notes' limit and one more character. */
export const TYPED_MAX = 10_001;

export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/**
 * The typed values of each part a route has a schema for, and the body's text fields as typed
 * (see Refusal.typed) for a form the handler itself refuses later.
 */
export type Checked<S extends RequestSchemas> = {
  [Part in keyof S]: S[Part] extends z.ZodType ? z.output<S[Part]> : never;
} & { typed: Record<string, string> };

export interface Check<S extends RequestSchemas> {
  /** The schemas, or a function of the request that builds them (a user's rating scale, say). */
  schemas: S | ((req: Request) => S);
  /** Answers a refused request; the status is already 422. */
  refuse: (req: Request, res: Response, refusal: Refusal<S>, next: NextFunction) => void | Promise<void>;
  /** How a field sent more than once is drawn back: by its first value, or empty (the default). */
  repeated?: 'first' | 'empty';
  /**
   * Whether the middleware after the handler reads the checked body in req.body (passport-local
   * reads the sign-in form there). Otherwise req.body stays as it came, for the error reports'
   * scrubbing among others.
   */
  passCheckedBody?: boolean;
}

export type CheckedHandler<S extends RequestSchemas> = (
  req: Request,
  res: Response,
  input: Checked<S>,
  next: NextFunction,
) => void | Promise<void>;

/** The body's text fields as typed (see Refusal.typed); a repeated one by its first value, or empty. */
export function typedValues(body: unknown, repeated: 'first' | 'empty' = 'empty'): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  const typed: Record<string, string> = {};
  for (const [name, sent] of Object.entries(body as Record<string, unknown>)) {
    const value: unknown = Array.isArray(sent) ? (repeated === 'first' ? sent[0] : '') : sent;
    if (typeof value === 'string') typed[name] = shownText(value.slice(0, TYPED_MAX));
  }
  return typed;
}

const PARTS = ['params', 'query', 'body'] as const;

/** The route's handler behind its schemas (see Check). */
export function checked<S extends RequestSchemas>(check: Check<S>, handler: CheckedHandler<S>): RequestHandler {
  return async (req, res, next) => {
    const schemas = typeof check.schemas === 'function' ? check.schemas(req) : check.schemas;
    const typed = typedValues(req.body, check.repeated);
    const input: Record<string, unknown> = { typed };
    for (const part of PARTS) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = parseForm(schema, req[part]);
      if (!result.ok) {
        res.status(422);
        const sent = req.body as Record<string, unknown> | undefined;
        const { typed: _typed, ...passed } = input;
        const back = (fallback: string) => safeNextPath(sent?.next, fallback);
        return check.refuse(
          req,
          res,
          { part, errors: result.errors, typed, passed: passed as Refusal<S>['passed'], back },
          next,
        );
      }
      input[part] = result.value;
    }
    if (check.passCheckedBody && schemas.body) req.body = input.body;
    return handler(req, res, input as Checked<S>, next);
  };
}

/** A refusal for a path that names nothing: 404 with `message`, whatever else the request held. */
export function notFound(message?: string) {
  return (_req: Request, _res: Response, _refusal: Refusal, next: NextFunction): void =>
    next(message === undefined ? createError(404) : createError(404, message));
}

/** The refusal of a schema that cannot refuse (every value it reads has a fallback): a bug if reached. */
export function neverRefused(_req: Request, _res: Response, refusal: Refusal, next: NextFunction): void {
  next(new Error(`a schema that cannot refuse refused the request's ${refusal.part}`));
}

/** A form's `next` field: a path back into this site, else `fallback` (see safeNextPath). */
export const nextPath = (fallback: string) =>
  z
    .unknown()
    .optional()
    .transform((value) => safeNextPath(value, fallback));
