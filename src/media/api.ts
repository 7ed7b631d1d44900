import type { RequestHandler } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { checked, type Check } from '../http/validate';
import { linkApiSchema, linkParams, mediaIdParams, noSuchTitle } from './validation';
import {
  linkFromInput,
  listRelated,
  listRelationshipKinds,
  mediaExists,
  removeRelationship,
  type LinkRefusal,
  type RelationshipKind,
} from './relationship-queries';

/** An error for the JSON body, naming the field (the error handler writes { error: { code, message, field } }). */
function fieldError(status: number, message: string, field: string) {
  return createError(status, message, { field });
}

/** The status of each refusal of a link, for the API. */
const REFUSAL_STATUS: Record<LinkRefusal['reason'], number> = {
  invalid: 422,
  unknown_source: 404,
  unknown_target: 404,
  duplicate: 409,
};

async function kindNamed(knex: Knex, name: string): Promise<RelationshipKind> {
  const kinds = await listRelationshipKinds(knex);
  const kind = kinds.find((candidate) => candidate.kind === name);
  if (!kind) throw fieldError(422, `kind must be one of: ${kinds.map((k) => k.kind).join(', ')}`, 'kind');
  return kind;
}

function relatedJson(related: Awaited<ReturnType<typeof listRelated>>) {
  return related.map((item) => ({
    kind: item.kind,
    kindLabel: item.kindLabel,
    target: {
      id: item.id,
      title: item.title,
      mediaType: item.mediaType,
      releaseDate: item.releaseDate,
    },
  }));
}

/** GET /api/media/:id/relationships: anyone; a title's links with their targets. */
export function getRelationships(knex: Knex): RequestHandler {
  return checked({ schemas: { params: mediaIdParams }, refuse: noSuchTitle }, async (_req, res, { params }) => {
    if (!(await mediaExists(knex, params.id))) throw createError(404, 'There is no such title.');
    res.json({ relationships: relatedJson(await listRelated(knex, params.id)) });
  });
}

/** POST /api/media/:id/relationships {kind, targetId}: administrators; writes the inverse too. */
export function postRelationship(knex: Knex): RequestHandler {
  const check: Check<{ params: typeof mediaIdParams; body: typeof linkApiSchema }> = {
    schemas: { params: mediaIdParams, body: linkApiSchema },
    refuse: noSuchTitle,
  };
  return checked(check, async (_req, res, { params, body }) => {
    const sourceId = params.id;
    const linked = await linkFromInput(knex, sourceId, body);
    if ('refused' in linked) {
      const { reason, field, message } = linked.refused;
      throw field ? fieldError(REFUSAL_STATUS[reason], message, field) : createError(REFUSAL_STATUS[reason], message);
    }
    res.status(201).json({ relationships: relatedJson(await listRelated(knex, sourceId)) });
  });
}

/** DELETE /api/media/:id/relationships/:kind/:targetId: administrators; removes the inverse too. */
export function deleteRelationship(knex: Knex): RequestHandler {
  const check: Check<{ params: typeof linkParams }> = {
    schemas: { params: linkParams },
    refuse: noSuchTitle,
  };
  return checked(check, async (_req, res, { params }) => {
    const { id: sourceId, targetId } = params;
    const kind = await kindNamed(knex, params.kind);
    if (!(await removeRelationship(knex, { sourceId, kind, targetId }))) {
      throw createError(404, 'There is no such link.');
    }
    res.status(204).end();
  });
}
