import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { parse, type InfoRecord } from 'csv-parse';

/** What the adapters share: reading their files' formats, and cleaning the text in them. */

export type Skip = (reason: string, details: Record<string, unknown>) => void;

/** Whitespace runs (a newline, a no-break or ideographic space, two spaces) as one space, trimmed. */
export function clean(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '';
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A gzipped JSON file, read and parsed whole (the datasets' JSON files are a few MB at most). */
export async function readGzippedJson(file: string): Promise<unknown> {
  const json = await promisify(gunzip)(await readFile(file));
  return JSON.parse(json.toString('utf8'));
}

/**
 * A gzipped CSV's rows, by column name, streamed through gunzip and csv-parse so memory stays
 * flat. The header must name every column in `columns`. A row with too few or too many fields is
 * reported through `skip` (with its line and `idColumn`'s value) and passed over; a broken file
 * (bad gzip, an unclosed quote) fails the read.
 */
export async function* readGzippedCsv<Column extends string>(
  file: string,
  columns: readonly Column[],
  idColumn: Column,
  skip: Skip,
): AsyncGenerator<Partial<Record<Column, string>>> {
  const checkedHeader = (header: string[]): string[] => {
    const missing = columns.filter((column) => !header.includes(column));
    if (missing.length) throw new Error(`${file}: no column ${missing.join(', ')} in the CSV header`);
    return header;
  };
  const parser = parse({ columns: checkedHeader, bom: true, relax_column_count: true, info: true });
  // Errors reach the loop below through the parser, which pipeline destroys with them.
  pipeline(createReadStream(file), createGunzip(), parser, () => {});
  type Row = Partial<Record<Column, string>>;
  for await (const { record, info } of parser as AsyncIterable<{ record: Row; info: InfoRecord }>) {
    // Typed as always there, info.error is set only on a row whose field count is off.
    if ((info.error as InfoRecord['error'] | undefined) !== undefined) {
      skip('wrong number of fields', { line: info.lines, [idColumn]: clean(record[idColumn]) });
      continue;
    }
    yield record;
  }
}
