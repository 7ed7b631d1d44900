import type { Knex } from 'knex';
import { chainFranchises, franchiseLabel } from './franchises';
import { decideIds } from './matching';
import { worksOfIds } from './queries';
import { animeSequelLinks, fileUnderFranchises, unfiledFranchiseWorks, writeRelationships } from './relation-queries';

/**
 * What the pipeline (src/ingest/pipeline.ts) writes once a source's records are in: the relations
 * they gave, between the works their ids name, and franchises (collection_path) for the works
 * that now have one to be filed under. Both only add: a relation or a path already there is kept,
 * and a re-run adds nothing.
 */

/** A relation as a record gives it: each end by its ids (a work's own key among them). */
export interface PendingRelation {
  from: Record<string, string>;
  kind: string;
  to: Record<string, string>;
}

const CHUNK = 1000;

/**
 * Writes relations, with their inverses, between the works their ends name (each end's work is
 * the one its first id that names a work names, as for an ids-only record). A relation with an
 * end not in the catalog, or with one work at both ends, is skipped and counted.
 */
export async function writeRelations(
  knex: Knex,
  pending: readonly PendingRelation[],
): Promise<{ written: number; skipped: number }> {
  let written = 0;
  let skipped = 0;
  for (let at = 0; at < pending.length; at += CHUNK) {
    const chunk = pending.slice(at, at + CHUNK);
    const ids = chunk.flatMap((relation) =>
      [...Object.entries(relation.from), ...Object.entries(relation.to)].map(([name, value]) => ({ name, value })),
    );
    const workOfId = await worksOfIds(knex, ids);
    const workNamed = (externalIds: Record<string, string>) => decideIds(externalIds, (id) => workOfId.get(id)).mediaId;
    const links: { sourceId: string; kind: string; targetId: string }[] = [];
    for (const relation of chunk) {
      const sourceId = workNamed(relation.from);
      const targetId = workNamed(relation.to);
      if (sourceId === null || targetId === null || sourceId === targetId) skipped += 1;
      else links.push({ sourceId, kind: relation.kind, targetId });
    }
    written += await writeRelationships(knex, links);
  }
  return { written, skipped };
}

/**
 * Files anime linked by sequels under their franchise (src/ingest/franchises.ts, chainFranchises),
 * each work that has no collection_path. `names` are what the relations source called the works,
 * by work id. Returns how many works were filed, and how many chains had no name to file under.
 */
export async function fileSequelChains(
  knex: Knex,
  names: ReadonlyMap<string, string>,
): Promise<{ filed: number; unnamed: number }> {
  const { links, works } = await animeSequelLinks(knex);
  const { paths, unnamed } = chainFranchises(
    works.map((work) => ({
      id: work.id,
      titles: [
        work.title,
        ...(work.originalTitle ? [work.originalTitle] : []),
        ...Object.values(work.translations ?? {}),
      ],
      releaseDate: work.releaseDate,
      collectionPath: work.collectionPath,
      ...(names.has(work.id) ? { name: names.get(work.id)! } : {}),
    })),
    links,
  );
  return { filed: await fileUnderFranchises(knex, paths), unnamed };
}

/**
 * Files the works of a source whose attributes name a franchise (libretro's games) under its
 * label, each that has no collection_path. Returns how many were filed.
 */
export async function fileNamedFranchises(knex: Knex, keyName: string): Promise<number> {
  const paths = (await unfiledFranchiseWorks(knex, keyName)).flatMap((work) => {
    const label = franchiseLabel(work.franchise);
    return label ? [{ id: work.id, path: label }] : [];
  });
  return fileUnderFranchises(knex, paths);
}
