import type { IngestRecord } from './source';

/**
 * Which work a record is: the rules of one record per work, as a pure function of what the
 * database holds about the record's ids and titles (read by src/ingest/queries.ts).
 *
 * 1. The record's own key (its id in its source) names the work it was matched to before.
 * 2. Else an id it carries (MAL, AniList, ISBN…) names one work: that one.
 * 3. Else a work with one of its titles, the same type and the same year: that one; for a record
 *    dated by its latest release (a series on Netflix), the same type and that year or before.
 * A source never describes one work twice, so a work that already carries another key of the
 * record's source is never the record's (and an id they share is an id given to two works). Near
 * misses are conflicts, never silent merges: the record becomes a work of its own and the conflict
 * names the work it nearly was, for an administrator to merge or keep apart.
 */

export type ConflictReason =
  /** An id the record carries already names a different work (one id given to two works). */
  | 'id_on_two_works'
  /** The record's ids name several works. */
  | 'ids_name_several_works'
  /** Several works have its title, type and year. */
  | 'ambiguous_title'
  /** A work has its title and type, and a year one off. */
  | 'year_off_by_one'
  /** A work has its title and year, and another type. */
  | 'type_mismatch';

export interface Conflict {
  reason: ConflictReason;
  /** The work the record was not merged into. */
  mediaId: string;
  /** The id behind the conflict, for the id conflicts: "mal:5114". */
  externalId?: string;
}

/** A work that has one of the record's titles. */
export interface TitleCandidate {
  mediaId: string;
  mediaType: string;
  year: number | null;
  /** The work's key in the record's source, if it has one (then it is another record's work). */
  sourceKey: string | null;
}

export interface Known {
  /** The work an id names, by "name:value" (the own key under the source's keyName). */
  workOfId: (id: string) => string | undefined;
  /** A work's key in the record's source, when it has one (for works found by id). */
  sourceKeyOf: (mediaId: string) => string | undefined;
  /** The works that have one of the record's titles. */
  candidates: readonly TitleCandidate[];
}

export type Decision =
  | { kind: 'match'; mediaId: string; by: 'key' | 'id' | 'title'; conflicts: Conflict[] }
  | { kind: 'new'; conflicts: Conflict[] };

export const idName = (name: string, value: string) => `${name}:${value}`;

/** The year of a partial date ("1999-03" → 1999), or null. */
export function yearOf(date: string | null): number | null {
  return date ? Number(date.slice(0, 4)) : null;
}

export function decide(record: IngestRecord, keyName: string, known: Known): Decision {
  const own = known.workOfId(idName(keyName, record.key));
  const otherIds = Object.entries(record.externalIds).map(([name, value]) => idName(name, value));
  /** Another record of this source has it: never this record's work. */
  const othersWork = (mediaId: string) => {
    const key = known.sourceKeyOf(mediaId);
    return key !== undefined && key !== record.key;
  };
  const idConflicts = (except: string | null): Conflict[] =>
    otherIds.flatMap((externalId) => {
      const mediaId = known.workOfId(externalId);
      return mediaId && mediaId !== except ? [{ reason: 'id_on_two_works' as const, mediaId, externalId }] : [];
    });

  if (own) return { kind: 'match', mediaId: own, by: 'key', conflicts: idConflicts(own) };

  const byId = [...new Set(otherIds.flatMap((id) => known.workOfId(id) ?? []).filter((id) => !othersWork(id)))];
  if (byId.length === 1) return { kind: 'match', mediaId: byId[0]!, by: 'id', conflicts: idConflicts(byId[0]!) };
  if (byId.length > 1) {
    return {
      kind: 'new',
      conflicts: byId.map((mediaId) => ({ reason: 'ids_name_several_works' as const, mediaId })),
    };
  }
  // No id matched a work this record may be: its ids that name works of other records conflict.
  const conflicts = idConflicts(null);

  const year = yearOf(record.releaseDate);
  const open = dedupe(known.candidates.filter((candidate) => candidate.sourceKey === null));
  const same = open.filter((candidate) => candidate.mediaType === record.mediaType && candidate.year === year);
  if (same.length === 1) return { kind: 'match', mediaId: same[0]!.mediaId, by: 'title', conflicts };
  if (same.length > 1) {
    return {
      kind: 'new',
      conflicts: [...conflicts, ...same.map(({ mediaId }) => ({ reason: 'ambiguous_title' as const, mediaId }))],
    };
  }
  // A date of the latest release (a series' newest season) bounds the first from above.
  if (record.dateIs === 'latest' && year !== null) {
    const earlier = open.filter(
      (candidate) => candidate.mediaType === record.mediaType && candidate.year !== null && candidate.year < year,
    );
    if (earlier.length === 1) return { kind: 'match', mediaId: earlier[0]!.mediaId, by: 'title', conflicts };
    if (earlier.length > 1) {
      return {
        kind: 'new',
        conflicts: [...conflicts, ...earlier.map(({ mediaId }) => ({ reason: 'ambiguous_title' as const, mediaId }))],
      };
    }
  }
  const near = open.flatMap((candidate): Conflict[] => {
    const sameType = candidate.mediaType === record.mediaType;
    if (sameType && year !== null && candidate.year !== null && Math.abs(candidate.year - year) === 1) {
      return [{ reason: 'year_off_by_one', mediaId: candidate.mediaId }];
    }
    if (!sameType && candidate.year === year && year !== null) {
      return [{ reason: 'type_mismatch', mediaId: candidate.mediaId }];
    }
    return [];
  });
  return { kind: 'new', conflicts: [...conflicts, ...near] };
}

/** A work found under several of the record's titles counts once. */
function dedupe(candidates: TitleCandidate[]): TitleCandidate[] {
  const seen = new Map<string, TitleCandidate>();
  for (const candidate of candidates) seen.set(candidate.mediaId, candidate);
  return [...seen.values()];
}

/** What an ids-only record (src/ingest/source.ts, IdsRecord) adds to the catalog. */
export interface IdsDecision {
  /** The work the record names, or null when none of its ids names one: it makes none. */
  mediaId: string | null;
  /** Its ids that name no work yet: they become the work's. */
  links: { name: string; value: string }[];
  /** Its ids that name another work (one id given to two works): each stays with its work. */
  conflicts: Conflict[];
}

/**
 * Which work an ids-only record names: the one the first of its ids (the most trusted first) that
 * names a work names. It gains the record's ids that name no work; an id that names another work
 * stays there, as a conflict.
 */
export function decideIds(
  externalIds: Record<string, string>,
  workOfId: (id: string) => string | undefined,
): IdsDecision {
  const named = Object.entries(externalIds).map(([name, value]) => ({
    id: { name, value },
    mediaId: workOfId(idName(name, value)),
  }));
  const mediaId = named.find((entry) => entry.mediaId !== undefined)?.mediaId;
  if (mediaId === undefined) return { mediaId: null, links: [], conflicts: [] };
  return {
    mediaId,
    links: named.filter((entry) => entry.mediaId === undefined).map((entry) => entry.id),
    conflicts: named.flatMap((entry) =>
      entry.mediaId !== undefined && entry.mediaId !== mediaId
        ? [
            {
              reason: 'id_on_two_works' as const,
              mediaId: entry.mediaId,
              externalId: idName(entry.id.name, entry.id.value),
            },
          ]
        : [],
    ),
  };
}
