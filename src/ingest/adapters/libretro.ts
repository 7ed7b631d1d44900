import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { IngestRecord, SourceAdapter } from '../source';
import { clean, type Skip } from './formats';
import { normaliseGenres } from '../genres';

/**
 * libretro/libretro-database's `metadat`: video games, as per-ROM facts spread over many files,
 * `<kind>/<Platform>.dat.gz` for the kinds developer, publisher, releaseyear, releasemonth, genre
 * and franchise, in clrmamepro's text format: `game ( comment "Adventure (USA)" developer "Atari"
 * rom ( crc 157BDDB7 ) )`. A ROM is named by `comment` or, in the PlayStation files, `name`; the
 * files have no ids. The adapter's one "file" is the `metadat` folder, as the files must be joined.
 *
 * Mapped as the seed catalog maps it (seeds/data/SOURCES.md): a ROM's facts are joined by platform
 * (the file name) and ROM name; a ROM is kept only with a release year and a developer or a
 * publisher, and beta, proto, demo and unlicensed ROMs are dropped. A ROM's title is its name with
 * the region and version tags stripped and "Title, The" turned to "The Title"; ROMs with the same
 * title, case aside, are one game across platforms, and the title's lower case is the game's key.
 * The USA, then World, then Europe name is the title, the other names are matched on. The creators
 * are the developers; attributes `platforms`, `publishers`, `genres`, `franchise` (the first) and
 * `release_month` (of the earliest year); the release date is the earliest year. Unlike the seed,
 * which kept a sample of 2,939 games spread evenly by year, every game that qualifies is yielded,
 * and every known field is read from every file (the PlayStation 2 developer file holds the
 * PlayStation 2 games' years, publishers and genres too).
 */

/** The fields read from a `game` block, by name: all six are read from every kind's files. */
const FIELDS = ['developer', 'publisher', 'releaseyear', 'releasemonth', 'genre', 'franchise'] as const;
type Field = (typeof FIELDS)[number];

/** A ROM's facts, joined from every file of its platform. */
interface Rom {
  platform: string;
  name: string;
  facts: Record<Field, string[]>;
}

/** A clrmamepro value: a string, a bare word (a crc, a size, an unquoted year) or a nested block. */
type Value = string | Block;
type Block = [string, Value][];

/** A text's tokens: `(`, `)`, quoted strings (with `\"` and `\\` escapes) and bare words. */
function tokenize(text: string): { tokens: { text: string; quoted: boolean }[]; error: string | null } {
  const tokens: { text: string; quoted: boolean }[] = [];
  const pattern = /\s*(?:([()])|"((?:[^"\\]|\\.)*)("?)|([^\s()"]+))/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    if (match[1] !== undefined) tokens.push({ text: match[1], quoted: false });
    else if (match[2] !== undefined) {
      if (match[3] !== '"') return { tokens, error: 'unterminated string' };
      tokens.push({ text: match[2].replace(/\\(.)/g, '$1'), quoted: true });
    } else if (match[4] !== undefined) tokens.push({ text: match[4], quoted: false });
    else break;
  }
  return { tokens, error: null };
}

/**
 * One top-level block of a .dat file, `<type> ( key value … )`, as its type and key-value pairs,
 * or why it cannot be read: an unterminated string, unbalanced brackets, a key with no value.
 */
function parseBlock(text: string): { type: string; block: Block } | { error: string } {
  const { tokens, error } = tokenize(text);
  if (error) return { error };
  let at = 0;
  const next = () => tokens[at++];
  const parseBody = (): Block | string => {
    const block: Block = [];
    for (;;) {
      const key = next();
      if (!key) return 'unclosed block';
      if (!key.quoted && key.text === ')') return block;
      if (key.quoted || key.text === '(') return 'a value where a key should be';
      const value = next();
      if (!value) return 'unclosed block';
      if (!value.quoted && value.text === ')') return `no value for ${key.text}`;
      if (!value.quoted && value.text === '(') {
        const nested = parseBody();
        if (typeof nested === 'string') return nested;
        block.push([key.text, nested]);
      } else block.push([key.text, value.text]);
    }
  };
  const type = next();
  const open = next();
  if (!type || type.quoted || !open || open.quoted || open.text !== '(') return { error: 'not a block' };
  const block = parseBody();
  if (typeof block === 'string') return { error: block };
  if (at < tokens.length) return { error: 'text after the block' };
  return { type: type.text, block };
}

/**
 * A .dat file's top-level blocks, each with the line it starts on. A block starts on a line that
 * opens one at its first column (`game (`), so a malformed block does not take the next one down.
 */
function* blocks(text: string): Generator<{ line: number; parsed: ReturnType<typeof parseBlock> }> {
  const lines = text.split(/\r?\n/);
  let start = -1;
  const chunk = (end: number) => ({ line: start + 1, parsed: parseBlock(lines.slice(start, end).join('\n')) });
  for (const [index, line] of lines.entries()) {
    if (!/^[A-Za-z_]\w*\s*\(/.test(line)) continue;
    if (start >= 0) yield chunk(index);
    start = index;
  }
  if (start >= 0) yield chunk(lines.length);
}

/** A block's first string value under `key`. */
function first(block: Block, key: string): string {
  const value = block.find(([name, v]) => name === key && typeof v === 'string')?.[1];
  return clean(value);
}

/** The tags of a ROM name: its `(…)` and `[…]` groups. */
function tags(name: string): string[] {
  return [...name.matchAll(/\(([^)]*)\)|\[([^\]]*)\]/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** Beta, prototype, demo and unlicensed ROMs, by their tags: (Beta 2), (Proto), (Demo), (Unl)… */
function isDropped(name: string): boolean {
  return tags(name).some((tag) => /\b(beta|proto|prototype|demo|unl|unlicensed)\b/i.test(tag));
}

/**
 * The articles No-Intro moves to the end of a name ("Dinosaur's Tale, A", "Famille Delajungle, La -
 * Le Film"), and that a title has in front, as the seed has it.
 */
const ARTICLES = ['The', 'A', 'An', 'Le', 'La', 'Les', 'Die', 'Der', 'Das'];
const MOVED_ARTICLE = new RegExp(`^(.+?), (${ARTICLES.join('|')})(?= - |: |$)`);

/** A ROM name as a title: the tags stripped, "Title, The" as "The Title" (before a subtitle too). */
function titleOf(name: string): string {
  const stripped = clean(name.replace(/\([^)]*\)|\[[^\]]*\]/g, ' '));
  return stripped.replace(MOVED_ARTICLE, '$2 $1');
}

/** How much a ROM's name is preferred as the title: USA, then World, then Europe, then the rest. */
function regionRank(name: string): number {
  const regions = tags(name).flatMap((tag) => tag.split(',').map((region) => region.trim()));
  const rank = ['USA', 'World', 'Europe'].findIndex((region) => regions.includes(region));
  return rank < 0 ? 3 : rank;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))];
}

/** Strings in a fixed order whatever the locale: by their UTF-16 code units. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every `<kind>/<Platform>.dat.gz` under the folder, in a fixed order. */
async function datFiles(folder: string): Promise<{ kind: string; platform: string; file: string }[]> {
  const files: { kind: string; platform: string; file: string }[] = [];
  for (const kind of (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isDirectory())) {
    for (const name of await readdir(path.join(folder, kind.name))) {
      if (!name.endsWith('.dat.gz')) continue;
      files.push({
        kind: kind.name,
        platform: name.slice(0, -'.dat.gz'.length),
        file: path.join(folder, kind.name, name),
      });
    }
  }
  return files.sort((a, b) => byCodeUnits(a.kind, b.kind) || byCodeUnits(a.platform, b.platform));
}

/** Every ROM's facts, joined by platform and ROM name over the files. */
async function readRoms(folder: string, skip: Skip): Promise<Rom[]> {
  const roms = new Map<string, Rom>();
  for (const { kind, platform, file } of await datFiles(folder)) {
    const text = (await promisify(gunzip)(await readFile(file))).toString('utf8');
    for (const { line, parsed } of blocks(text)) {
      if ('error' in parsed) {
        skip('malformed block', { kind, platform, line, error: parsed.error });
        continue;
      }
      if (parsed.type !== 'game') continue;
      const name = first(parsed.block, 'comment') || first(parsed.block, 'name');
      if (!name) {
        skip('no ROM name', { kind, platform, line });
        continue;
      }
      const id = `${platform}\u0000${name}`;
      let rom = roms.get(id);
      if (!rom) {
        const facts = Object.fromEntries(FIELDS.map((field) => [field, [] as string[]])) as Record<Field, string[]>;
        rom = { platform, name, facts };
        roms.set(id, rom);
      }
      for (const field of FIELDS) {
        const value = first(parsed.block, field);
        if (value) rom.facts[field].push(value);
      }
    }
  }
  return [...roms.values()].sort((a, b) => byCodeUnits(a.platform, b.platform) || byCodeUnits(a.name, b.name));
}

/** A ROM's release year and month, or null when it has no year. */
function releaseOf(rom: Rom): { year: number; month: number | null } | null {
  const year = rom.facts.releaseyear.find((value) => /^\d{4}$/.test(value));
  if (!year) return null;
  const month = rom.facts.releasemonth
    .map(Number)
    .find((value) => Number.isInteger(value) && value >= 1 && value <= 12);
  return { year: Number(year), month: month ?? null };
}

/** One game of the ROMs sharing a key, which are in platform and name order. */
function toRecord(key: string, roms: Rom[]): IngestRecord {
  const titled = [...roms].sort((a, b) => regionRank(a.name) - regionRank(b.name));
  const title = titleOf(titled[0]!.name);
  const releases = roms.map((rom) => releaseOf(rom)!);
  const earliest = Math.min(...releases.map((release) => release.year));
  const month = releases.find((release) => release.year === earliest && release.month !== null)?.month;

  const attributes: Record<string, unknown> = {
    platforms: unique(roms.map((rom) => rom.platform)).sort(byCodeUnits),
  };
  const publishers = unique(roms.flatMap((rom) => rom.facts.publisher));
  if (publishers.length) attributes.publishers = publishers;
  const genres = normaliseGenres(
    'game',
    roms.flatMap((rom) => rom.facts.genre),
  ).sort(byCodeUnits);
  if (genres.length) attributes.genres = genres;
  const franchise = roms.flatMap((rom) => rom.facts.franchise)[0];
  if (franchise) attributes.franchise = franchise;
  if (month) attributes.release_month = month;

  return {
    key,
    mediaType: 'game',
    mediaClass: 'interactive.game',
    title,
    originalTitle: null,
    otherTitles: unique(titled.map((rom) => titleOf(rom.name))).filter((other) => other !== title),
    releaseDate: String(earliest),
    country: null,
    creators: unique(roms.flatMap((rom) => rom.facts.developer)),
    attributes,
    externalIds: {},
  };
}

/** The games of the `metadat` folder, by key. */
async function* read(folder: string, skip: Skip): AsyncGenerator<IngestRecord> {
  const games = new Map<string, Rom[]>();
  for (const rom of await readRoms(folder, skip)) {
    if (isDropped(rom.name) || !releaseOf(rom)) continue;
    if (!rom.facts.developer.length && !rom.facts.publisher.length) continue;
    const key = titleOf(rom.name).toLowerCase();
    if (!key) continue;
    games.set(key, [...(games.get(key) ?? []), rom]);
  }
  for (const key of [...games.keys()].sort(byCodeUnits)) yield toRecord(key, games.get(key)!);
}

export const libretro: SourceAdapter = {
  name: 'libretro-database',
  label: 'libretro-database',
  homepage: 'https://github.com/libretro/libretro-database',
  licence: 'CC BY-SA 4.0',
  keyName: 'libretro_title',
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'libretro-database-metadat', 'metadat')],
  read,
};
