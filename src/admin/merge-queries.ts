import type { Knex } from 'knex';
import { moveEntriesToWork, type MovedEntries } from '../entries/merge-queries';
import { CONFLICT_WORKS, sourceKeyBindings, type Pair, type SourceKey } from './queries';

/**
 * Retiring a duplicate: two works found to be one become the kept one, in one transaction.
 *
 * Everything that names media.media moves to the kept work: people's entries, history, reviews
 * and list items (the entries core, src/entries/merge-queries.ts, with its rule for a person who
 * tracks both), the external ids (so the next ingest run of the duplicate's source matches its
 * record to the kept work by key), the title keys (so the pipeline matches its titles too), the
 * relationships (a link between the two would be a link to itself: dropped), and the conflicts
 * (those about the pair are resolved 'merged', the others name the kept work). Fields the kept
 * work lacks are filled from the duplicate, with the sources that supplied them. Then the
 * duplicate is deleted. The triggers keep tracking counts, list counts and catalog counts right.
 */

export interface Retirement extends MovedEntries {
  externalIds: number;
  titleKeys: number;
  relationships: number;
  /** Conflicts about the pair, now resolved 'merged'. */
  conflictsMerged: number;
}

export type RetirementOutcome = { kind: 'retired'; retired: Retirement } | { kind: 'missing' } | { kind: 'same' };

/**
 * Retires `duplicateId` into `keptId` (see the top of this file). Both rows are locked first, in id
 * order: no entry can be added to the duplicate meanwhile, and two retirements of the same works
 * wait for each other. Anything failing rolls the whole of it back (NotesTooLongError from the
 * entries core among others).
 */
export function retireDuplicate(knex: Knex, keys: readonly SourceKey[], pair: Pair): Promise<RetirementOutcome> {
  if (pair.duplicateId === pair.keptId) return Promise.resolve({ kind: 'same' });
  return knex.transaction(async (trx) => {
    const bindings = { ...sourceKeyBindings(keys), duplicateId: pair.duplicateId, keptId: pair.keptId };
    const locked = await trx('media.media')
      .whereIn('id', [pair.duplicateId, pair.keptId])
      .orderBy('id')
      .forUpdate()
      .pluck('id');
    if (locked.length < 2) return { kind: 'missing' };

    const people = await moveEntriesToWork(trx, pair.duplicateId, pair.keptId);
    await fillMissingFields(trx, { duplicateId: pair.duplicateId, keptId: pair.keptId });
    const externalIds = await trx('media.external_links')
      .where('media_id', pair.duplicateId)
      .update({ media_id: pair.keptId });
    const { rowCount: titleKeys } = await trx.raw<{ rowCount: number }>(
      `insert into media.title_keys (title_key, media_id)
       select title_key, :keptId from media.title_keys where media_id = :duplicateId
       on conflict do nothing`,
      bindings,
    );
    const { rowCount: relationships } = await trx.raw<{ rowCount: number }>(
      `insert into media.relationships (source_id, kind, target_id, created_at)
       select :keptId, kind, target_id, created_at from media.relationships
        where source_id = :duplicateId and target_id <> :keptId
       union all
       select source_id, kind, :keptId, created_at from media.relationships
        where target_id = :duplicateId and source_id <> :keptId
       on conflict do nothing`,
      bindings,
    );
    // An ids-only source's conflict names its record's work in its payload: the kept work now.
    await trx.raw(
      `update ingest.conflicts set payload = jsonb_set(payload, '{work}', to_jsonb(:keptId::text))
        where payload ->> 'work' = :duplicateId::text`,
      bindings,
    );
    // With the ids moved, a conflict about the pair is one whose record is now the kept work and
    // whose other work is either of the two.
    const { rowCount: conflictsMerged } = await trx.raw<{ rowCount: number }>(
      `update ingest.conflicts set resolution = 'merged', resolved_at = now()
        where id in (select c.id from (${CONFLICT_WORKS}) c
                      where c.record_id = :keptId and c.media_id in (:duplicateId, :keptId)
                        and c.resolution in ('pending', 'kept'))`,
      bindings,
    );
    // The others stay questions (or judgements) about the kept work, instead of losing their work.
    await trx('ingest.conflicts').where('media_id', pair.duplicateId).update({ media_id: pair.keptId });
    // People's confirmed import matches and their imports' rows follow the work (an import applied
    // to the duplicate can still be undone: its entries moved to the kept work).
    await trx('ingest.user_links').where('media_id', pair.duplicateId).update({ media_id: pair.keptId });
    await trx('ingest.import_rows').where('media_id', pair.duplicateId).update({ media_id: pair.keptId });
    // Its title keys, ids (none left) and relationships go with it.
    await trx('media.media').where('id', pair.duplicateId).delete();
    return {
      kind: 'retired',
      retired: { ...people, externalIds, titleKeys, relationships, conflictsMerged },
    };
  });
}

/**
 * What the kept work lacks, taken from the duplicate: original title, release date (with its
 * precision), country, creators, franchise, and each attribute it does not have; field_sources
 * gains the duplicate's supplier of each field taken, so that the pipeline's precedence holds.
 */
async function fillMissingFields(trx: Knex.Transaction, pair: { duplicateId: string; keptId: string }): Promise<void> {
  await trx.raw(
    `update media.media k
        set original_title = coalesce(k.original_title, d.original_title),
            release_date = coalesce(k.release_date, d.release_date),
            release_date_precision = case when k.release_date is null and d.release_date is not null
                                          then d.release_date_precision else k.release_date_precision end,
            country_of_origin = coalesce(k.country_of_origin, d.country_of_origin),
            creators = case when cardinality(k.creators) = 0 then d.creators else k.creators end,
            collection_path = coalesce(k.collection_path, d.collection_path),
            attributes = d.attributes || k.attributes,
            field_sources = coalesce((
              select jsonb_object_agg(f.key, f.value)
                from jsonb_each(d.field_sources) f
               where case
                       when f.key like 'attributes.%' then not jsonb_exists(k.attributes, substr(f.key, 12))
                       when f.key = 'original_title' then k.original_title is null
                       when f.key = 'release_date' then k.release_date is null
                       when f.key = 'country_of_origin' then k.country_of_origin is null
                       when f.key = 'creators' then cardinality(k.creators) = 0
                       else false
                     end), '{}') || k.field_sources
       from media.media d
      where k.id = :keptId and d.id = :duplicateId
        and (k.original_title is null and d.original_title is not null
             or k.release_date is null and d.release_date is not null
             or k.country_of_origin is null and d.country_of_origin is not null
             or cardinality(k.creators) = 0 and cardinality(d.creators) > 0
             or k.collection_path is null and d.collection_path is not null
             or (d.attributes || k.attributes) <> k.attributes)`,
    pair,
  );
}
