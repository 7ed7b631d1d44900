/**
 * AniList lists as export tools save them (import-formats.md): the GraphQL `MediaListCollection`
 * answer, `data.anime.lists[]` and `data.manga.lists[]`, each list with its `entries[]`. Custom
 * lists repeat entries of the status lists, and the score is in a format the file does not state.
 */
import type { Status } from '../../entries/statuses';
import {
  ANILIST_SCORE_FORMATS,
  dayOf,
  emptyRecord,
  htmlToText,
  ImportFileError,
  parseCount,
  parseYear,
  scaleRating,
  type AnilistScoreFormat,
  type ImportFormat,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
  type RejectedRow,
} from '../records';
import { isObject, jsonOf, looksLikeJson, objectOr, parseJson, type Json } from '../json';

type Kind = 'anime' | 'manga';

interface List {
  kind: Kind | null;
  json: Json;
}

const RAW_LIMIT = 300;

const STATUSES: Record<string, Status> = {
  CURRENT: 'in_progress',
  PLANNING: 'planning',
  COMPLETED: 'completed',
  DROPPED: 'dropped',
  PAUSED: 'paused',
  REPEATING: 'in_progress',
};

const SCALE: Record<AnilistScoreFormat, number> = {
  POINT_100: 100,
  POINT_10_DECIMAL: 10,
  POINT_10: 10,
  POINT_5: 5,
  POINT_3: 3,
};

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const numberOf = (value: unknown) =>
  typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;

function listsOf(value: unknown): Json[] | null {
  const lists = objectOr(value).lists;
  return Array.isArray(lists) ? lists.filter(isObject) : null;
}

/** The lists of a parsed file, each with its type when the file's layout says it; null when not AniList's shape. */
function listsIn(json: unknown): List[] | null {
  const top = objectOr(json);
  const body = isObject(top.data) ? top.data : top;
  const anime = listsOf(body.anime);
  const manga = listsOf(body.manga);
  if (anime || manga) {
    return [
      ...(anime ?? []).map((list) => ({ kind: 'anime' as const, json: list })),
      ...(manga ?? []).map((list) => ({ kind: 'manga' as const, json: list })),
    ];
  }
  const collection = listsOf(body.MediaListCollection);
  return collection && collection.map((list) => ({ kind: null, json: list }));
}

/** Each member that is an AniList list file, with its lists; a member that is JSON but cut short is an error. */
function filesIn(members: ImportMember[]): { member: ImportMember; lists: List[] }[] {
  const files: { member: ImportMember; lists: List[] }[] = [];
  for (const member of members) {
    const json = jsonOf(member);
    if (json === undefined) continue;
    const lists = listsIn(json);
    if (lists) files.push({ member, lists });
  }
  return files;
}

const entriesOf = (list: Json) => (Array.isArray(list.entries) ? list.entries.filter(isObject) : []);

/** Guesses the person's AniList score format from the scores in their file, for the form to pre-fill. */
export function guessAnilistScoreFormat(members: ImportMember[]): AnilistScoreFormat {
  const scores: number[] = [];
  for (const member of members) {
    if (!looksLikeJson(member)) continue;
    let lists: List[] | null;
    try {
      lists = listsIn(parseJson(member));
    } catch {
      continue;
    }
    for (const list of lists ?? []) {
      for (const entry of entriesOf(list.json)) {
        const score = numberOf(entry.score);
        if (Number.isFinite(score) && score > 0) scores.push(score);
      }
    }
  }
  const max = Math.max(0, ...scores);
  if (max > 10) return 'POINT_100';
  if (scores.some((score) => !Number.isInteger(score))) return 'POINT_10_DECIMAL';
  if (max === 0) return 'POINT_10';
  if (max <= 3) return 'POINT_3';
  if (max <= 5) return 'POINT_5';
  return 'POINT_10';
}

function kindOf(list: List, media: Json): Kind | null {
  if (list.kind) return list.kind;
  if (media.type === 'ANIME') return 'anime';
  if (media.type === 'MANGA') return 'manga';
  return null;
}

/** The keys an entry is known by within its type, to see it again in another list. */
function keysOf(media: Json, title: string | null): string[] {
  const keys: string[] = [];
  const id = parseCount(media.id);
  const idMal = parseCount(media.idMal);
  if (id) keys.push(`id:${id}`);
  if (idMal) keys.push(`mal:${idMal}`);
  if (keys.length === 0 && title) keys.push(`title:${title.toLowerCase()}`);
  return keys;
}

function statusOf(entry: Json, list: Json, record: ImportRecord) {
  const word = text(entry.status) ?? text(list.status);
  if (word === null) {
    record.problems.push('no status given: left out');
    return;
  }
  const status = STATUSES[word.toUpperCase()];
  if (!status) record.problems.push(`status "${word}" is not an AniList status: left out`);
  else record.status = status;
  if (word.toUpperCase() === 'REPEATING')
    record.problems.push('status REPEATING (a rewatch or reread under way) read as in progress');
}

function ratingOf(entry: Json, format: AnilistScoreFormat, record: ImportRecord) {
  if (entry.score === undefined || entry.score === null) return;
  const rating = scaleRating(entry.score, SCALE[format]);
  if (rating === undefined || (rating === null && Number.isNaN(numberOf(entry.score))))
    record.problems.push(`score ${shown(entry.score)} is not 0–${SCALE[format]} (${format}): left out`);
  else record.rating = rating;
}

const dayFrom = (value: unknown) => {
  const date = objectOr(value);
  return dayOf(numberOf(date.year) || null, numberOf(date.month) || null, numberOf(date.day) || null);
};

function readEntry(
  kind: Kind,
  entry: Json,
  list: Json,
  format: AnilistScoreFormat,
  origin: { file: string; line: number },
): ImportRecord {
  const media = objectOr(entry.media);
  const titles = objectOr(media.title);
  const record = emptyRecord(origin, [kind]);
  const named = [titles.userPreferred, titles.romaji, titles.english, titles.native].map(text);
  record.title = named.find((title) => title !== null) ?? null;
  record.alternativeTitles = [...new Set(named.filter((title): title is string => title !== null))].filter(
    (title) => title !== record.title,
  );
  record.year = parseYear(objectOr(media.startDate).year ?? media.seasonYear);
  const id = parseCount(media.id);
  const idMal = parseCount(media.idMal);
  if (id) record.ids.anilist = String(id);
  if (idMal) record.ids[kind === 'anime' ? 'mal' : 'mal_manga'] = String(idMal);
  statusOf(entry, list, record);
  ratingOf(entry, format, record);
  record.progress = parseCount(entry.progress);
  record.startedOn = dayFrom(entry.startedAt);
  record.completedOn = dayFrom(entry.completedAt);
  const updated = numberOf(entry.updatedAt);
  // Seconds since 1970, up to the end of year 9999 (a larger number is no time at all).
  record.updatedAt =
    Number.isFinite(updated) && updated > 0 && updated < 253_402_300_800
      ? new Date(updated * 1000).toISOString()
      : null;
  const repeat = parseCount(entry.repeat);
  record.rewatchCount = repeat !== null && repeat > 0 ? repeat : null;
  record.notes = htmlToText(entry.notes);
  return record;
}

/**
 * Status lists first, so a title that is also in a custom list is read from its status list (the
 * custom list's copy may lack the status, which a list without one gives only through its name).
 * A list flagged custom comes last; an unflagged list every entry of which is in another list is
 * taken for a custom one too, after the lists that name a status.
 */
function inReadingOrder(lists: { list: List; first: number }[]) {
  const keysByList = lists.map(({ list }) =>
    entriesOf(list.json).map((entry) => {
      const media = objectOr(entry.media);
      return keysOf(media, null).map((key) => `${kindOf(list, media)}:${key}`);
    }),
  );
  const rank = ({ list }: { list: List }, index: number) => {
    if (list.json.isCustomList === true) return 3;
    if (text(list.json.status)) return 0;
    const elsewhere = new Set(keysByList.filter((_, other) => other !== index).flat(2));
    const entries = keysByList[index] ?? [];
    const repeated = entries.every((keys) => keys.some((key) => elsewhere.has(key)));
    return entries.length > 0 && repeated ? 2 : 1;
  };
  return lists.map((item, index) => ({ ...item, rank: rank(item, index) })).sort((a, b) => a.rank - b.rank);
}

/** AniList anime and manga lists in the GraphQL MediaListCollection shape. */
export const anilistFormat: ImportFormat = {
  name: 'anilist',
  label: 'AniList',
  detect(members) {
    let broken = false;
    for (const member of members) {
      if (!looksLikeJson(member)) continue;
      try {
        if (listsIn(parseJson(member))) return 'yes';
      } catch {
        broken ||= /"lists"/.test(member.text) && /"entries"/.test(member.text);
      }
    }
    // Cut short, it may still be AniList's: reading it then says what is wrong with it.
    return broken ? 'maybe' : 'no';
  },
  read(members, options) {
    const files = filesIn(members);
    if (files.length === 0) throw new ImportFileError('No AniList list (MediaListCollection JSON) was found.');
    const format =
      options.anilistScoreFormat && ANILIST_SCORE_FORMATS.includes(options.anilistScoreFormat)
        ? options.anilistScoreFormat
        : guessAnilistScoreFormat(members);
    const result: ReadResult = { records: [], rejected: [] };
    for (const { member, lists } of files) {
      // Entries are numbered in the file's order, whichever list is read first.
      let counted = 0;
      const numbered = lists.map((list) => {
        const first = counted + 1;
        counted += entriesOf(list.json).length;
        return { list, first };
      });
      const seen: Record<Kind, Set<string>> = { anime: new Set(), manga: new Set() };
      const records: ImportRecord[] = [];
      const rejected: RejectedRow[] = [];
      for (const { list, first } of inReadingOrder(numbered)) {
        entriesOf(list.json).forEach((entry, index) => {
          const origin = { file: member.name, line: first + index };
          const media = objectOr(entry.media);
          const raw = JSON.stringify(entry).slice(0, RAW_LIMIT);
          const kind = kindOf(list, media);
          if (!kind) {
            rejected.push({ origin, reason: 'media.type is neither ANIME nor MANGA', raw });
            return;
          }
          const record = readEntry(kind, entry, list.json, format, origin);
          const keys = keysOf(media, record.title);
          if (keys.length === 0) {
            rejected.push({ origin, reason: 'no AniList id, MyAnimeList id or title', raw });
            return;
          }
          if (keys.some((key) => seen[kind].has(key))) return;
          keys.forEach((key) => seen[kind].add(key));
          records.push(record);
        });
      }
      result.records.push(...records.sort((a, b) => a.origin.line - b.origin.line));
      result.rejected.push(...rejected.sort((a, b) => a.origin.line - b.origin.line));
    }
    return result;
  },
};
