import type { Knex } from 'knex';
import { hasControlCharacter, SINGLE_LINE_CONTROL_MESSAGE, uuidParam } from '../http/validation';

/**
 * Typed links between titles (media.relationships). Every link has its inverse
 * (media.relationship_kinds.inverse_kind: sequel ↔ prequel, adaptation ↔ source, ...), and the
 * two are written and removed together in one transaction, so both pages always agree.
 */
export interface RelationshipKind {
  kind: string;
  inverseKind: string;
  label: string;
}

export interface RelatedTitle {
  kind: string;
  kindLabel: string;
  id: string;
  title: string;
  mediaType: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
}

export function listRelationshipKinds(knex: Knex): Promise<RelationshipKind[]> {
  return knex('media.relationship_kinds')
    .orderBy('position')
    .select<RelationshipKind[]>('kind', 'inverse_kind as inverseKind', 'label');
}

export async function mediaExists(knex: Knex, id: string): Promise<boolean> {
  return Boolean(await knex('media.media').where({ id }).first('id'));
}

/** A title's links, in the kinds' order, then by release date and title; one query. */
export function listRelated(knex: Knex, mediaId: string): Promise<RelatedTitle[]> {
  return knex('media.relationships as r')
    .join('media.relationship_kinds as k', 'k.kind', 'r.kind')
    .join('media.media as m', 'm.id', 'r.target_id')
    .join('media.media_types as t', 't.media_type', 'm.media_type')
    .where('r.source_id', mediaId)
    .orderBy([
      { column: 'k.position' },
      { column: 'm.release_date', nulls: 'last' },
      { column: 'm.title' },
      { column: 'm.id' },
    ])
    .select<RelatedTitle[]>(
      'r.kind',
      'k.label as kindLabel',
      'm.id',
      'm.title',
      'm.media_type as mediaType',
      't.label as typeLabel',
      knex.raw(`to_char(m.release_date, 'YYYY-MM-DD') as "releaseDate"`),
      'm.release_date_precision as releaseDatePrecision',
    );
}

export type LinkOutcome = 'created' | 'duplicate' | 'unknown_source' | 'unknown_target';

/** Thrown inside the transaction to roll it back when the link exists. */
class DuplicateLink extends Error {}

/**
 * Links source to target with `kind`, and target to source with its inverse, in one transaction.
 * A link that exists already (or is being made by a concurrent request: the second waits for the
 * first's commit, then finds it) is a duplicate, and nothing is written.
 */

export async function addRelationship(
  knex: Knex,
  link: { sourceId: string; kind: RelationshipKind; targetId: string },
): Promise<LinkOutcome> {
  try {
    return await knex.transaction(async (trx) => {
      const found = await trx('media.media').whereIn('id', [link.sourceId, link.targetId]).pluck('id');
      if (!found.includes(link.sourceId)) return 'unknown_source';
      if (!found.includes(link.targetId)) return 'unknown_target';
      const inserted = await trx('media.relationships')
        .insert([
          { source_id: link.sourceId, kind: link.kind.kind, target_id: link.targetId },
          { source_id: link.targetId, kind: link.kind.inverseKind, target_id: link.sourceId },
        ])
        .onConflict(['source_id', 'kind', 'target_id'])
        .ignore()
        .returning('source_id');
      // Either side there already: nothing is written, so no half-link is ever made.
      if (inserted.length !== 2) throw new DuplicateLink();
      return 'created';
    });
  } catch (error) {
    if (error instanceof DuplicateLink) return 'duplicate';
    throw error;
  }
}

/** Removes a link and its inverse together; false when there was no such link. */
export async function removeRelationship(
  knex: Knex,
  link: { sourceId: string; kind: RelationshipKind; targetId: string },
): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const removed = await trx('media.relationships')
      .where({ source_id: link.sourceId, kind: link.kind.kind, target_id: link.targetId })
      .delete();
    if (removed === 0) return false;
    await trx('media.relationships')
      .where({ source_id: link.targetId, kind: link.kind.inverseKind, target_id: link.sourceId })
      .delete();
    return true;
  });
}

/** Why a link was refused, the field at fault, and what to say: the API and the page's form share these. */
export interface LinkRefusal {
  reason: 'invalid' | 'unknown_source' | 'unknown_target' | 'duplicate';
  field?: 'kind' | 'targetId';
  message: string;
}

/**
 * Links a title to another from what a request sent (a kind's name and the other title's id), with
 * the rules every way in applies: a known kind, a well-formed id, no self-link, both titles there,
 * not linked that way already. The inverse is written with it (addRelationship).
 */
export async function linkFromInput(
  knex: Knex,
  sourceId: string,
  input: { kind: unknown; targetId: unknown },
): Promise<{ kind: RelationshipKind } | { refused: LinkRefusal }> {
  for (const field of ['kind', 'targetId'] as const) {
    const value = input[field];
    if (typeof value === 'string' && hasControlCharacter(value)) {
      return { refused: { reason: 'invalid', field, message: SINGLE_LINE_CONTROL_MESSAGE } };
    }
  }
  const kinds = await listRelationshipKinds(knex);
  const kind = kinds.find((candidate) => candidate.kind === input.kind);
  if (!kind) {
    const names = kinds.map((candidate) => candidate.kind).join(', ');
    return { refused: { reason: 'invalid', field: 'kind', message: `Choose a kind of link (one of ${names}).` } };
  }
  const targetId = typeof input.targetId === 'string' ? uuidParam(input.targetId.trim()) : undefined;
  if (!targetId) {
    const message = 'Paste the id from the other title’s page address (a UUID).';
    return { refused: { reason: 'invalid', field: 'targetId', message } };
  }
  if (targetId === sourceId) {
    return { refused: { reason: 'invalid', field: 'targetId', message: 'A title cannot be linked to itself.' } };
  }
  const outcome = await addRelationship(knex, { sourceId, kind, targetId });
  if (outcome === 'created') return { kind };
  if (outcome === 'unknown_source') return { refused: { reason: outcome, message: 'There is no such title.' } };
  if (outcome === 'unknown_target') {
    return { refused: { reason: outcome, field: 'targetId', message: 'There is no title with that id.' } };
  }
  return { refused: { reason: outcome, field: 'targetId', message: 'These titles are linked that way already.' } };
}
