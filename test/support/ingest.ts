import type { IdsAdapter, IdsRecord, IngestRecord, SourceAdapter, WorksAdapter } from '../../src/ingest/source';

export interface SkippedRow {
  reason: string;
  details: Record<string, unknown>;
}

/** Every record a works source reads from `files`, and every row it skipped, in order. */
export function readAll(
  adapter: SourceAdapter,
  files: string[],
): Promise<{ records: IngestRecord[]; skips: SkippedRow[] }> {
  if (adapter.kind === 'ids') throw new Error(`${adapter.name} is an ids-only source: read it with readIdsRecords`);
  return readRecords(adapter, files);
}

/** Every record an ids-only source reads from `files`, and every row it skipped, in order. */
export function readIdsRecords(
  adapter: IdsAdapter,
  files: string[],
): Promise<{ records: IdsRecord[]; skips: SkippedRow[] }> {
  return readRecords(adapter, files);
}

async function readRecords<Item>(
  adapter: {
    read(file: string, skip: (reason: string, details: Record<string, unknown>) => void): AsyncIterable<Item>;
  },
  files: string[],
): Promise<{ records: Item[]; skips: SkippedRow[] }> {
  const records: Item[] = [];
  const skips: SkippedRow[] = [];
  for (const file of files) {
    for await (const record of adapter.read(file, (reason, details) => skips.push({ reason, details }))) {
      records.push(record);
    }
  }
  return { records, skips };
}

/** How many times each value comes. */
export function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** A work as a test's works source gives it: an anime unless said, with the fields given. */
export function workRecord(key: string, fields: Partial<IngestRecord> = {}): IngestRecord {
  return {
    key,
    mediaType: 'anime',
    mediaClass: 'video.series.anime',
    title: `Title ${key}`,
    originalTitle: null,
    otherTitles: [],
    releaseDate: null,
    country: null,
    creators: [],
    attributes: {},
    externalIds: {},
    ...fields,
  };
}

/** A works source whose one "file" is the records given, for a test to make works with. */
export function worksSource(name: string, keyName: string, records: IngestRecord[]): WorksAdapter {
  return {
    name,
    label: `Source ${name}`,
    homepage: `https://example.org/${name}`,
    licence: 'CC0 1.0',
    keyName,
    defaultFiles: () => ['memory'],
    async *read() {
      await Promise.resolve();
      yield* records;
    },
  };
}
