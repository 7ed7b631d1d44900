import type { IngestRecord } from './source';

/**
 * A work's fields as sources supply them, and which source may overwrite which. Every field a
 * record gives is written when no source supplied it yet, or when the source that did is this one
 * (a newer dump); another source's value is overwritten only by a source ranked above it for that
 * field. `media.media.field_sources` records who supplied each field.
 */

/**
 * The sources in the order they are trusted, per field; a field not named here uses DEFAULT.
 * A source not in a list ranks below every source in it.
 */
export const DEFAULT_PRECEDENCE: readonly string[] = [
  'bangumi-data',
  'goodbooks-10k',
  'wikipedia-movie-data',
  'netflix-titles',
  'libretro-database',
  'podcastindex',
];
export const FIELD_PRECEDENCE: Readonly<Record<string, readonly string[]>> = {
  // bangumi-data's English titles come as fans typed them ("attack on titan", "REVISIONS"); the
  // other sources' titles are cased as published.
  title: ['netflix-titles', 'wikipedia-movie-data', 'goodbooks-10k', 'bangumi-data'],
};

/** The columns and attributes of a work, as the pipeline compares and writes them. */
export interface WorkFields {
  title: string;
  original_title: string | null;
  release_date: string | null;
  release_date_precision: 'year' | 'month' | 'day';
  country_of_origin: string | null;
  creators: string[];
  attributes: Record<string, unknown>;
}

/** A partial date as a date column and its precision: "1999" → 1999-01-01, year. */
export function releaseDate(value: string | null): Pick<WorkFields, 'release_date' | 'release_date_precision'> {
  if (value && /^\d{4}-\d{2}-\d{2}$/.test(value)) return { release_date: value, release_date_precision: 'day' };
  if (value && /^\d{4}-\d{2}$/.test(value)) return { release_date: `${value}-01`, release_date_precision: 'month' };
  if (value && /^\d{4}$/.test(value)) return { release_date: `${value}-01-01`, release_date_precision: 'year' };
  return { release_date: null, release_date_precision: 'day' };
}

/** The fields of a new work from its first record, and the supplier of each. */
export function newWork(record: IngestRecord, source: string): { fields: WorkFields; sources: Record<string, string> } {
  const fields: WorkFields = {
    title: record.title,
    original_title: record.originalTitle,
    ...releaseDate(record.releaseDate),
    country_of_origin: record.country,
    creators: record.creators,
    attributes: record.attributes,
  };
  return { fields, sources: Object.fromEntries(suppliedBy(record).map((field) => [field, source])) };
}

/** The fields a record gives (not null, not empty), by their names in field_sources. */
function suppliedBy(record: IngestRecord): string[] {
  return [
    'title',
    ...(record.originalTitle ? ['original_title'] : []),
    ...(record.releaseDate ? ['release_date'] : []),
    ...(record.country ? ['country_of_origin'] : []),
    ...(record.creators.length ? ['creators'] : []),
    ...Object.keys(record.attributes).map((name) => `attributes.${name}`),
  ];
}

/** Whether `source` may write `field` over the value `current` supplied. */
export function mayWrite(field: string, source: string, current: string | undefined): boolean {
  if (current === undefined || current === source) return true;
  const order = FIELD_PRECEDENCE[field] ?? DEFAULT_PRECEDENCE;
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return rank(source) < rank(current);
}

/**
 * What a record changes in a work it matched: the fields it may write whose values differ, and
 * the field sources after. Nothing when a newer dump says what the last one did.
 */
export function changesTo(
  work: WorkFields & { field_sources: Record<string, string> },
  record: IngestRecord,
  source: string,
): { changes: Partial<WorkFields>; sources: Record<string, string> } | null {
  const offered = newWork(record, source).fields;
  const sources = { ...work.field_sources };
  const changes: Partial<WorkFields> = {};
  const attributes = { ...work.attributes };
  let changed = false;
  for (const field of suppliedBy(record)) {
    if (!mayWrite(field, source, work.field_sources[field])) continue;
    if (sources[field] !== source) {
      sources[field] = source;
      changed = true;
    }
    if (field.startsWith('attributes.')) {
      const name = field.slice('attributes.'.length);
      if (!same(attributes[name], record.attributes[name])) {
        attributes[name] = record.attributes[name];
        changes.attributes = attributes;
        changed = true;
      }
      continue;
    }
    const column = field as Exclude<keyof WorkFields, 'attributes' | 'release_date_precision'>;
    if (!same(work[column], offered[column])) {
      Object.assign(changes, { [column]: offered[column] });
      if (column === 'release_date') changes.release_date_precision = offered.release_date_precision;
      changed = true;
    } else if (column === 'release_date' && work.release_date_precision !== offered.release_date_precision) {
      changes.release_date_precision = offered.release_date_precision;
      changed = true;
    }
  }
  return changed ? { changes, sources } : null;
}

/** Equal as JSON would say (arrays in order, objects by their keys). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
