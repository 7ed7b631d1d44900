import path from 'node:path';
import type { IdsAdapter, IdsRecord } from '../source';
import { isObject, readGzippedJson, type Skip } from './formats';

/**
 * kawaiioverflow/arm (MIT): which ids name the same anime on MyAnimeList, AniList, Annict and
 * Syoboi Calendar. One gzipped JSON array of entries `{mal_id?, anilist_id?, annict_id?,
 * syobocal_tid?}`, each id a number, any of them missing; no titles.
 *
 * An ids-only source (src/ingest/source.ts): an entry names the work its MAL id names (bangumi-data
 * gives works their MAL and AniList ids), else the one its AniList id names, and so on in that
 * order; the work gains the entry's other ids (kept as mal, anilist, annict, syobocal). An entry
 * that names no work makes none. An entry with a single id adds nothing, and is read all the same.
 *
 * Quirks: 4 MAL ids come twice, once with other ids and once alone (the lone one adds nothing);
 * 40 Syoboi Calendar ids come in several entries (113 entries more than ids; one in 17), as a
 * Syoboi title is one broadcast listing that may span several works (the eight Kara no Kyoukai
 * films are all 1536): the first entry's work keeps it, and each other entry whose work is in the
 * catalog records a conflict (one id given to two works). An entry with no id, or an id that is
 * not a positive whole number, is skipped.
 */

/** The entry's fields, in the order an entry's work is looked for, and the names the ids are kept under. */
const IDS: readonly (readonly [field: string, name: string])[] = [
  ['mal_id', 'mal'],
  ['anilist_id', 'anilist'],
  ['annict_id', 'annict'],
  ['syobocal_tid', 'syobocal'],
];

function toRecord(entry: Record<string, unknown>, index: number, skip: Skip): IdsRecord | null {
  const externalIds: Record<string, string> = {};
  for (const [field, name] of IDS) {
    const id = entry[field];
    if (id === undefined || id === null) continue;
    const text = typeof id === 'number' ? String(id) : typeof id === 'string' ? id.trim() : '';
    if (!/^[1-9]\d*$/.test(text)) {
      skip('not an id', { index, field, value: id });
      return null;
    }
    externalIds[name] = text;
  }
  const ids = Object.entries(externalIds);
  if (ids.length === 0) {
    skip('no id', { index });
    return null;
  }
  return { key: ids.map(([name, value]) => `${name}:${value}`).join(' '), externalIds };
}

async function* read(file: string, skip: Skip): AsyncGenerator<IdsRecord> {
  const data = await readGzippedJson(file);
  if (!Array.isArray(data)) throw new Error(`${file}: not arm's JSON array of id entries`);
  for (const [index, entry] of (data as unknown[]).entries()) {
    if (!isObject(entry)) {
      skip('not an entry object', { index });
      continue;
    }
    const record = toRecord(entry, index, skip);
    if (record) yield record;
  }
}

export const kawaiioverflowArm: IdsAdapter = {
  kind: 'ids',
  name: 'kawaiioverflow-arm',
  label: 'arm (anime id map)',
  homepage: 'https://github.com/kawaiioverflow/arm',
  licence: 'MIT',
  keyName: null,
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'kawaiioverflow-arm', 'arm.json.gz')],
  read,
};
