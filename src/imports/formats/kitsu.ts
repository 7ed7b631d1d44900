/**
 * Kitsu library entries as its JSON:API returns them (Kitsu has no export file,
 * import-formats.md): `data[]` of `libraryEntries`, each pointing through `relationships` at an
 * anime or manga in `included[]`, which may point at its `mappings` (ids on other sites).
 */
import type { Status } from '../../entries/statuses';
import {
  emptyRecord,
  ImportFileError,
  parseCount,
  parseDate,
  parseYear,
  scaleRating,
  type ExternalIdKind,
  type ImportFormat,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
} from '../records';
import { isObject, jsonOf, looksLikeJson, objectOr, parseJson, type Json } from '../json';

type Kind = 'anime' | 'manga';

const RAW_LIMIT = 300;

const STATUSES: Record<string, Status> = {
  current: 'in_progress',
  planned: 'planning',
  completed: 'completed',
  on_hold: 'paused',
  dropped: 'dropped',
};

const MAPPED_SITES: Record<string, ExternalIdKind> = {
  'myanimelist/anime': 'mal',
  'myanimelist/manga': 'mal_manga',
  'anilist/anime': 'anilist',
  'anilist/manga': 'anilist',
};

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : null;
const isKind = (value: unknown): value is Kind => value === 'anime' || value === 'manga';

/** JSON:API puts a single resource in `data` as an object, a collection as an array. */
const resources = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : [];

const isLibrary = (json: unknown) => resources(objectOr(json).data).some((item) => item.type === 'libraryEntries');

/** The media an entry points at: `anime`, `manga` or the polymorphic `media` relationship. */
function mediaOf(entry: Json): { kind: Kind; id: string } | null {
  const relationships = objectOr(entry.relationships);
  for (const name of ['anime', 'manga', 'media']) {
    const data = objectOr(objectOr(relationships[name]).data);
    const id = text(data.id);
    const kind = data.type ?? name;
    if (id && isKind(kind)) return { kind, id };
  }
  return null;
}

/** Ids on other sites for each included anime and manga, from mappings linked either way. */
function mappedIds(included: Json[]): Map<string, Partial<Record<ExternalIdKind, string>>> {
  const mappings = new Map(included.filter((item) => item.type === 'mappings').map((item) => [text(item.id), item]));
  const byMedia = new Map<string, Partial<Record<ExternalIdKind, string>>>();
  const add = (media: string, mapping: Json | undefined) => {
    const attributes = objectOr(mapping?.attributes);
    const kind = MAPPED_SITES[String(attributes.externalSite)];
    // Some AniList mappings have been written with the type in front ("anime/21").
    const id = /^(?:(?:anime|manga)\/)?(\d+)$/.exec(text(attributes.externalId) ?? '')?.[1];
    if (!kind || !id || id === '0') return;
    byMedia.set(media, { ...byMedia.get(media), [kind]: id });
  };
  for (const mapping of mappings.values()) {
    const item = objectOr(objectOr(objectOr(mapping.relationships).item).data);
    if (isKind(item.type) && text(item.id)) add(`${item.type}:${text(item.id)}`, mapping);
  }
  for (const media of included) {
    if (!isKind(media.type)) continue;
    for (const link of resources(objectOr(objectOr(media.relationships).mappings).data)) {
      add(`${media.type}:${text(media.id)}`, mappings.get(text(link.id)));
    }
  }
  return byMedia;
}

function statusOf(attributes: Json, record: ImportRecord) {
  const word = text(attributes.status);
  if (word === null) {
    record.problems.push('no status given: left out');
    return;
  }
  const status = STATUSES[word.toLowerCase()];
  if (status) record.status = status;
  else record.problems.push(`status "${word}" is not a Kitsu status: left out`);
}

/** ratingTwenty is exact; the 0.5–5 `rating` only stands in when it is missing. */
function ratingOf(attributes: Json, record: ImportRecord) {
  const twenty = attributes.ratingTwenty;
  const [value, max] = twenty !== null && twenty !== undefined ? [twenty, 20] : [attributes.rating, 5];
  if (value === null || value === undefined) return;
  const rating = scaleRating(value, max);
  if (rating === undefined || (rating === null && Number.isNaN(Number(value))))
    record.problems.push(`rating ${shown(value)} is not 0–${max}: left out`);
  else record.rating = rating;
}

function readEntry(
  entry: Json,
  origin: { file: string; line: number },
  included: Map<string, Json>,
  mapped: Map<string, Partial<Record<ExternalIdKind, string>>>,
): ImportRecord | string {
  const target = mediaOf(entry);
  if (!target) return 'the entry names no anime or manga';
  const key = `${target.kind}:${target.id}`;
  const media = objectOr(included.get(key)?.attributes);
  const record = emptyRecord(origin, [target.kind]);
  record.ids = { ...mapped.get(key), [target.kind === 'anime' ? 'kitsu' : 'kitsu_manga']: target.id };
  const titles = objectOr(media.titles);
  record.title = text(media.canonicalTitle) ?? text(titles.en_jp) ?? text(titles.en) ?? null;
  const others = [titles.en, titles.en_jp, titles.ja_jp].map(text);
  record.alternativeTitles = [...new Set(others.filter((title): title is string => title !== null))].filter(
    (title) => title !== record.title,
  );
  record.year = parseYear(media.startDate);
  const attributes = objectOr(entry.attributes);
  statusOf(attributes, record);
  ratingOf(attributes, record);
  record.progress = parseCount(attributes.progress);
  const again = parseCount(attributes.reconsumeCount);
  record.rewatchCount = again !== null && again > 0 ? again : null;
  record.notes = text(attributes.notes);
  record.startedOn = parseDate(attributes.startedAt);
  record.completedOn = parseDate(attributes.finishedAt);
  const updated = typeof attributes.updatedAt === 'string' ? new Date(attributes.updatedAt) : null;
  record.updatedAt = updated && !Number.isNaN(updated.getTime()) ? updated.toISOString() : null;
  return record;
}

function readMember(member: ImportMember, json: Json, result: ReadResult) {
  const includedList = resources(json.included);
  const included = new Map(includedList.map((item) => [`${String(item.type)}:${text(item.id)}`, item]));
  const mapped = mappedIds(includedList);
  resources(json.data).forEach((entry, index) => {
    if (entry.type !== 'libraryEntries') return;
    const origin = { file: member.name, line: index + 1 };
    const read = readEntry(entry, origin, included, mapped);
    if (typeof read === 'string') {
      result.rejected.push({ origin, reason: read, raw: JSON.stringify(entry).slice(0, RAW_LIMIT) });
    } else {
      result.records.push(read);
    }
  });
}

/** Kitsu library entries (JSON:API), as its API returns them. */
export const kitsuFormat: ImportFormat = {
  name: 'kitsu',
  label: 'Kitsu',
  detect(members) {
    return members.some((member) => {
      if (!looksLikeJson(member)) return false;
      try {
        return isLibrary(parseJson(member));
      } catch {
        return false;
      }
    })
      ? 'yes'
      : 'no';
  },
  read(members) {
    const result: ReadResult = { records: [], rejected: [] };
    let found = false;
    for (const member of members) {
      const json = jsonOf(member);
      if (json === undefined || !isLibrary(json)) continue;
      found = true;
      readMember(member, objectOr(json), result);
    }
    if (!found) throw new ImportFileError('No Kitsu library entries (JSON:API libraryEntries) were found.');
    return result;
  },
};
