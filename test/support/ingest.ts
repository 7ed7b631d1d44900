import type { IngestRecord, SourceAdapter } from '../../src/ingest/source';

export interface SkippedRow {
  reason: string;
  details: Record<string, unknown>;
}

/** Every record an adapter reads from `files`, and every row it skipped, in order. */
export async function readAll(
  adapter: SourceAdapter,
  files: string[],
): Promise<{ records: IngestRecord[]; skips: SkippedRow[] }> {
  const records: IngestRecord[] = [];
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
