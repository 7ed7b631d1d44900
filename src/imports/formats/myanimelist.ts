/**
 * MyAnimeList's XML export (import-formats.md): a `<myanimelist>` root, a `<myinfo>`, then one
 * `<anime>` or `<manga>` per entry. The gzip around it is undone before this reads it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Status } from '../../entries/statuses';
import {
  emptyRecord,
  htmlToText,
  ImportFileError,
  parseCount,
  parseDate,
  scaleRating,
  type ImportFormat,
  type ImportMember,
  type ImportRecord,
  type ReadResult,
  type RejectedRow,
} from '../records';

type Kind = 'anime' | 'manga';
type Entry = Record<string, unknown>;

const RAW_LIMIT = 300;

const STATUS_WORDS: Record<string, Status> = {
  watching: 'in_progress',
  reading: 'in_progress',
  completed: 'completed',
  'on-hold': 'paused',
  dropped: 'dropped',
  'plan to watch': 'planning',
  'plan to read': 'planning',
};

// Older exports and MAL's API write the status as a number; 5 has never meant anything.
const STATUS_CODES: Record<string, Status> = {
  '1': 'in_progress',
  '2': 'completed',
  '3': 'paused',
  '4': 'dropped',
  '6': 'planning',
};

const FIELDS = {
  anime: { id: 'series_animedb_id', title: 'series_title', progress: 'my_watched_episodes', again: 'my_times_watched' },
  manga: { id: 'manga_mangadb_id', title: 'manga_title', progress: 'my_read_chapters', again: 'my_times_read' },
} as const;

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five XML entities and character references and nothing else: no entity a file
 * declares is ever expanded, whatever the parser is handed (files with a DTD are refused first).
 */
const builtInEntitiesOnly = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text: string) =>
    text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
      if (!name.startsWith('#')) return XML_ENTITIES[name] ?? whole;
      const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }),
};

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  entityDecoder: builtInEntitiesOnly,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, jPath) => jPath === 'myanimelist.anime' || jPath === 'myanimelist.manga',
});

const isMalText = (text: string) => /<myanimelist[\s>/]/i.test(text);

/** A field's text, trimmed; null when absent, empty or not text (a nested element). */
function field(entry: Entry, name: string): string | null {
  const value = entry[name];
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

/**
 * Where each `<anime>`/`<manga>` entry starts (its line) and its text, in document order per
 * kind, skipping CDATA and comments, whose text may hold anything.
 */
function locateEntries(text: string): Record<Kind, { line: number; raw: string }[]> {
  const found: Record<Kind, { line: number; raw: string }[]> = { anime: [], manga: [] };
  const tags = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<(\/?)(anime|manga)\s*>/g;
  let line = 1;
  let counted = 0;
  let open: { kind: Kind; start: number; line: number } | null = null;
  for (let match = tags.exec(text); match; match = tags.exec(text)) {
    const kind = match[2] as Kind | undefined;
    if (!kind) continue;
    if (match[1] === '') {
      line += text.slice(counted, match.index).split('\n').length - 1;
      counted = match.index;
      open = { kind, start: match.index, line };
    } else if (open && open.kind === kind) {
      const raw = text.slice(open.start, match.index + match[0].length).replace(/\s+/g, ' ');
      found[kind].push({ line: open.line, raw: raw.slice(0, RAW_LIMIT) });
      open = null;
    }
  }
  return found;
}

function statusOf(entry: Entry, record: ImportRecord) {
  const text = field(entry, 'my_status');
  if (text === null) {
    record.problems.push('no status given: left out');
    return;
  }
  const status = STATUS_WORDS[text.toLowerCase()] ?? STATUS_CODES[text];
  if (status) record.status = status;
  else record.problems.push(`status "${text}" is not a MyAnimeList status: left out`);
}

function ratingOf(entry: Entry, record: ImportRecord) {
  const text = field(entry, 'my_score');
  if (text === null) return;
  const rating = scaleRating(text, 10);
  if (rating === undefined || (rating === null && Number.isNaN(Number(text))))
    record.problems.push(`rating ${text} is not 1–10: left out`);
  else record.rating = rating;
}

function readEntry(kind: Kind, entry: Entry, origin: { file: string; line: number }): ImportRecord | string {
  const names = FIELDS[kind];
  const record = emptyRecord(origin, [kind]);
  const idText = field(entry, names.id);
  const id = parseCount(idText);
  record.title = field(entry, names.title);
  if (id === null || id === 0) {
    if (record.title === null) return idText === null ? 'no id and no title' : `id "${idText}" is not a MyAnimeList id`;
    if (idText !== null) record.problems.push(`id "${idText}" is not a MyAnimeList id: left out`);
  } else {
    record.ids[kind === 'anime' ? 'mal' : 'mal_manga'] = String(id);
  }
  statusOf(entry, record);
  ratingOf(entry, record);
  record.progress = parseCount(field(entry, names.progress));
  record.startedOn = parseDate(field(entry, 'my_start_date'));
  record.completedOn = parseDate(field(entry, 'my_finish_date'));
  record.notes = htmlToText(field(entry, 'my_comments'));
  const again = parseCount(field(entry, names.again));
  record.rewatchCount = again !== null && again > 0 ? again : null;
  // The upload is decoded leniently; say where that replaced something the person wrote.
  if (record.title?.includes('\uFFFD')) record.problems.push('title held bytes that are not UTF-8: replaced');
  if (record.notes?.includes('\uFFFD')) record.problems.push('comments held bytes that are not UTF-8: replaced');
  return record;
}

function parseMember(member: ImportMember): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(member.text)) {
    throw new ImportFileError(
      `${member.name} declares a DTD or entities, which a MyAnimeList export never does: it was not read.`,
    );
  }
  const text = member.text.replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ImportFileError(
      `${member.name} is not a complete MyAnimeList export (line ${valid.err.line}: ${valid.err.msg}).`,
    );
  }
  const root = (parser.parse(text) as Record<string, unknown>).myanimelist;
  if (root === undefined) throw new ImportFileError(`${member.name} is not a MyAnimeList export.`);
  // An export with no entries parses to an empty string, not an object.
  return typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : {};
}

function readMember(member: ImportMember, result: ReadResult) {
  const root = parseMember(member);
  const located = locateEntries(member.text.replace(/^\uFEFF/, ''));
  for (const kind of ['anime', 'manga'] as const) {
    const entries = Array.isArray(root[kind]) ? (root[kind] as unknown[]) : [];
    entries.forEach((entry, index) => {
      const place = located[kind][index] ?? { line: index + 1, raw: '' };
      const origin = { file: member.name, line: place.line };
      const read =
        typeof entry === 'object' && entry !== null ? readEntry(kind, entry as Entry, origin) : 'empty entry';
      if (typeof read === 'string')
        result.rejected.push({ origin, reason: read, raw: place.raw } satisfies RejectedRow);
      else result.records.push(read);
    });
  }
}

/** MyAnimeList's anime and manga list XML exports. */
export const myanimelistFormat: ImportFormat = {
  name: 'myanimelist',
  label: 'MyAnimeList',
  detect(members) {
    return members.some(({ text }) => isMalText(text) && /<(?:myinfo|anime|manga)[\s>/]/i.test(text)) ? 'yes' : 'no';
  },
  read(members) {
    const ours = members.filter(({ text }) => isMalText(text));
    if (ours.length === 0) throw new ImportFileError('No MyAnimeList export (animelist or mangalist XML) was found.');
    const result: ReadResult = { records: [], rejected: [] };
    for (const member of ours) readMember(member, result);
    return result;
  },
};
