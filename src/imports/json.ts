/**
 * What the JSON formats (AniList, Kitsu, Trakt) share: reading a member as JSON (a byte-order mark
 * aside), telling a JSON file from another before parsing it, and walking the parsed value.
 */
import { ImportFileError, type ImportMember } from './records';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const objectOr = (value: unknown): Json => (isObject(value) ? value : {});

/** Whether a member starts like a JSON object or array (cheap, before parsing it). */
export const looksLikeJson = (member: ImportMember) => /^\uFEFF?\s*[[{]/.test(member.text);

/** A member parsed as JSON; throws JSON.parse's SyntaxError when it is not. */
export function parseJson(member: ImportMember): unknown {
  return JSON.parse(member.text.replace(/^\uFEFF/, '')) as unknown;
}

/**
 * A member that looks like JSON, parsed; undefined for one that does not. One that looks like
 * JSON but does not parse (cut short, most often) is an error the person is told about.
 */
export function jsonOf(member: ImportMember): unknown {
  if (!looksLikeJson(member)) return undefined;
  try {
    return parseJson(member);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportFileError(`${member.name} is not complete JSON (${reason}).`);
  }
}
