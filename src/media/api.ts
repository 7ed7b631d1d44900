import type { Request, RequestHandler } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { z } from 'zod';
import {
  addRelationship,
  listRelated,
  listRelationshipKinds,
  mediaExists,
  removeRelationship,
  type RelationshipKind,
} from './relationships';

/** A title id as text (a UUID). */
export const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID = UUID_TEXT;

/** A title id from the path, or a 404 (a malformed id names no title). */
export function mediaIdFrom(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw createError(404, 'There is no such title.');
  return value.toLowerCase();
}

/** An error for the JSON body, naming the field (the error handler writes { error: { code, message, field } }). */
function fieldError(status: number, message: string, field: string) {
  return createError(status, message, { field });
}

const linkSchema = z.object({
  kind: z.string({ error: 'kind is required' }),
  targetId: z.string({ error: 'targetId is required' }).regex(UUID, { error: 'targetId must be a title id (a UUID)' }),
});

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
  return async (req, res) => {
    const id = mediaIdFrom(req.params.id);
    if (!(await mediaExists(knex, id))) throw createError(404, 'There is no such title.');
    res.json({ relationships: relatedJson(await listRelated(knex, id)) });
  };
}

/** POST /api/media/:id/relationships {kind, targetId}: administrators; writes the inverse too. */
export function postRelationship(knex: Knex): RequestHandler {
  return async (req: Request, res) => {
    const sourceId = mediaIdFrom(req.params.id);
    const body = linkSchema.safeParse(req.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0];
      throw fieldError(422, issue?.message ?? 'The link is not valid.', String(issue?.path[0] ?? 'body'));
    }
    const kind = await kindNamed(knex, body.data.kind);
    const targetId = body.data.targetId.toLowerCase();
    if (targetId === sourceId) throw fieldError(422, 'A title cannot be linked to itself.', 'targetId');
    const outcome = await addRelationship(knex, { sourceId, kind, targetId });
    if (outcome === 'unknown_source') throw createError(404, 'There is no such title.');
    if (outcome === 'unknown_target') throw fieldError(404, 'There is no title with that targetId.', 'targetId');
    if (outcome === 'duplicate') throw fieldError(409, 'These titles are linked that way already.', 'targetId');
    res.status(201).json({ relationships: relatedJson(await listRelated(knex, sourceId)) });
  };
}

/** DELETE /api/media/:id/relationships/:kind/:targetId: administrators; removes the inverse too. */
export function deleteRelationship(knex: Knex): RequestHandler {
  return async (req, res) => {
    const sourceId = mediaIdFrom(req.params.id);
    const targetId = mediaIdFrom(req.params.targetId);
    const kind = await kindNamed(knex, String(req.params.kind));
    if (!(await removeRelationship(knex, { sourceId, kind, targetId }))) {
      throw createError(404, 'There is no such link.');
    }
    res.status(204).end();
  };
}
