/**
 * Which format an upload is in, from what each format says of its content. When the content fits
 * several, the file's name may settle it ("goodreads_library_export.csv"); otherwise the form
 * asks the person rather than guessing.
 */
import type { ImportFormat, ImportMember } from './records';

export type Detection =
  { kind: 'found'; format: ImportFormat } | { kind: 'ambiguous'; formats: ImportFormat[] } | { kind: 'unknown' };

/** The format these members are in: one sure answer, one possible one, several to choose from, or none. */
export function detectFormat(members: ImportMember[], formats: ImportFormat[], fileName: string): Detection {
  const answers = formats.map((format) => ({ format, answer: format.detect(members) }));
  const sure = answers.filter(({ answer }) => answer === 'yes').map(({ format }) => format);
  const possible = answers.filter(({ answer }) => answer === 'maybe').map(({ format }) => format);
  // A 'maybe' never outweighs a 'yes': the latter read something only its format writes.
  const candidates = sure.length > 0 ? sure : possible;
  if (candidates.length === 0) return { kind: 'unknown' };
  if (candidates.length === 1) return { kind: 'found', format: candidates[0]! };
  const named = candidates.filter((format) => nameMentions(fileName, format));
  if (named.length === 1) return { kind: 'found', format: named[0]! };
  return { kind: 'ambiguous', formats: candidates };
}

const squeeze = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

// Exports are named for their service (letterboxd-…-utc.zip, goodreads_library_export.csv).
function nameMentions(fileName: string, format: ImportFormat) {
  const name = squeeze(fileName);
  return [format.name, format.label].some((word) => squeeze(word) !== '' && name.includes(squeeze(word)));
}

/** The format whose source name (ingest.sources) is `name`, if we have one. */
export function sourceByName(formats: ImportFormat[], name: string): ImportFormat | undefined {
  return formats.find((format) => format.name === name);
}
