/**
 * Which catalog work an imported record is, decided from what the catalog holds: its ids first
 * (media.external_links, and the matches this person confirmed before), then its titles (every
 * title a work is known by, media.title_keys) with the year and type. Pure: the SQL that finds
 * the candidates is in ./queries.ts. docs/imports.md states the rules.
 */
import type { ImportMediaType, ImportRecord } from './records';

/** A work the catalog holds that a record may be. */
export interface Candidate {
  mediaId: string;
  title: string;
  mediaType: string;
  year: number | null;
  /** How many people track it: the tie-break when listing candidates. */
  popularity: number;
}

export type MatchDecision =
  | { kind: 'matched'; mediaId: string; by: 'id' | 'title' }
  | { kind: 'uncertain'; reason: string; candidates: Candidate[] }
  | { kind: 'unmatched'; reason: string };

const MAX_CANDIDATES = 8;

const describe = (candidate: Candidate) =>
  `“${candidate.title}” (${candidate.mediaType}${candidate.year ? `, ${candidate.year}` : ''})`;

/** Candidates best first: the year nearest the record's, the record's likeliest type, the most tracked. */
function ranked(record: ImportRecord, candidates: Candidate[]): Candidate[] {
  const distance = (candidate: Candidate) =>
    record.year === null || candidate.year === null ? 50 : Math.abs(candidate.year - record.year);
  const typeRank = (candidate: Candidate) => {
    const index = record.mediaTypes.indexOf(candidate.mediaType as ImportMediaType);
    return index === -1 ? record.mediaTypes.length : index;
  };
  return [...candidates]
    .sort(
      (a, b) =>
        distance(a) - distance(b) ||
        typeRank(a) - typeRank(b) ||
        b.popularity - a.popularity ||
        a.title.localeCompare(b.title),
    )
    .slice(0, MAX_CANDIDATES);
}

/**
 * A record's works found by its ids. One work: that is the match. Several (the file's ids name
 * different works, or the catalog gives one id to two): uncertain, for the person to pick.
 * None: undefined, and the title decides.
 */
export function decideByIds(record: ImportRecord, works: Candidate[]): MatchDecision | undefined {
  const distinct = [...new Map(works.map((work) => [work.mediaId, work])).values()];
  if (distinct.length === 0) return undefined;
  if (distinct.length === 1) return { kind: 'matched', mediaId: distinct[0]!.mediaId, by: 'id' };
  return {
    kind: 'uncertain',
    reason: `its ids name ${distinct.length} different titles here`,
    candidates: ranked(record, distinct),
  };
}

/**
 * A record's works found by title (any of its titles equal to a title the work is known by,
 * accents, case and punctuation aside), kept to the types the record may be:
 * - one of them from the record's year: the match;
 * - several from its year, or none from its year but some a year off: uncertain;
 * - no year in the file: the only candidate, else uncertain;
 * - only other years, or no title at all: unmatched, saying what was found.
 */
export function decideByTitle(record: ImportRecord, found: Candidate[]): MatchDecision {
  const label = record.title ?? record.alternativeTitles[0];
  if (!label) return { kind: 'unmatched', reason: 'the file gives no title, and no id the catalog knows' };
  const candidates = [...new Map(found.map((work) => [work.mediaId, work])).values()].filter((work) =>
    record.mediaTypes.includes(work.mediaType as ImportMediaType),
  );
  if (candidates.length === 0) {
    const types = record.mediaTypes.join(' or ');
    return found.length
      ? {
          kind: 'unmatched',
          reason: `“${label}” is here only as another type (${[...new Set(found.map((work) => work.mediaType))].join(', ')}), not ${types}`,
        }
      : { kind: 'unmatched', reason: `no ${types} called “${label}” in the catalog` };
  }
  if (record.year === null) {
    if (candidates.length === 1) return { kind: 'matched', mediaId: candidates[0]!.mediaId, by: 'title' };
    return {
      kind: 'uncertain',
      reason: `${candidates.length} titles are called “${label}”, and the file gives no year`,
      candidates: ranked(record, candidates),
    };
  }
  const sameYear = candidates.filter((work) => work.year === record.year);
  if (sameYear.length === 1) return { kind: 'matched', mediaId: sameYear[0]!.mediaId, by: 'title' };
  if (sameYear.length > 1)
    return {
      kind: 'uncertain',
      reason: `${sameYear.length} titles from ${record.year} are called “${label}”`,
      candidates: ranked(record, sameYear),
    };
  const nearYear = candidates.filter((work) => work.year !== null && Math.abs(work.year - record.year!) === 1);
  if (nearYear.length)
    return {
      kind: 'uncertain',
      reason: `“${label}” is here from ${nearYear.map((work) => work.year).join(' and ')}, the file says ${record.year}`,
      candidates: ranked(record, nearYear),
    };
  return {
    kind: 'unmatched',
    reason: `no title called “${label}” from ${record.year}; the catalog has ${ranked(record, candidates)
      .slice(0, 3)
      .map(describe)
      .join(', ')}`,
  };
}
