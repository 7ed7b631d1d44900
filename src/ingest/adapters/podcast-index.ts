import path from 'node:path';
import type { IngestRecord, WorksAdapter } from '../source';
import { clean, readGzippedCsv, type Skip } from './formats';

/**
 * Podcast Index (Podcastindex-org/database, MIT): its `newsfeeds` table as one gzipped CSV, a row
 * per podcast feed, every field quoted, a missing value written either as an empty field or as the
 * text NULL (itunes_id, itunes_type, generator, itunes_owner_name). The shipped file is Podcast
 * Index's published sample of the table, its first 1,000 feeds; the whole table reads the same.
 *
 * Mapped: the Podcast Index feed id is the key, the iTunes id an `itunes` id; the title; the
 * creator is `itunes_author`, or the owner's name when there is no author (the owner is often
 * the host, "Audioboom", so it comes second); attributes `feed_url` (`url`, the feed Podcast Index
 * reads; `itunes_new_feed_url` is not followed, as some point at web pages), `official_site`
 * (`link`), `image_url` (`image`, else `artwork_url_600`), `language`, `explicit` (a boolean),
 * `description` (the feed's description as plain text: the media page's synopsis) and `episodes`,
 * from an `episodeCount` column when the file has one (the sample has none). A podcast has no
 * release date or country in the data.
 *
 * Quirks: descriptions hold HTML (`<p>`, `<br />`, links) and entities (`&amp;`, `&auml;`,
 * `&#127909;`), which are turned to text; languages come in any case, as names ("English", "urdu")
 * and with made-up regions ("en-UK"), and are written as BCP 47 tags ("en-GB"), or left out when
 * they are not a language; links may lack their scheme ("www.rustyquill.com") and images may be
 * bare file names, which are left out. Skipped: a feed with no title (the 12 in the sample all
 * failed their last fetch), a feed Podcast Index marks `dead`, and one it marks a duplicate of
 * another (`duplicateof`), which is the other's feed. A feed whose last fetch failed (404, 9xx) is
 * kept: Podcast Index keeps it and retries it, and only `dead` says it is gone.
 */

const COLUMNS = [
  'id',
  'title',
  'url',
  'link',
  'description',
  'itunes_id',
  'itunes_author',
  'itunes_owner_name',
  'image',
  'artwork_url_600',
  'language',
  'explicit',
  'dead',
  'duplicateof',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

/** An episode count's column, read when a file has it: the sample has none. */
const EPISODE_COUNT = 'episodeCount';

/** A field's value, with the dump's NULL as nothing. */
function value(field: string | undefined): string {
  const text = clean(field);
  return text === 'NULL' ? '' : text;
}

/** HTML's named entities the descriptions use, beyond the letters with accents (see decodeEntities). */
const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  deg: '°',
  szlig: 'ß',
  aelig: 'æ',
  AElig: 'Æ',
  oslash: 'ø',
  Oslash: 'Ø',
  eth: 'ð',
  thorn: 'þ',
  iexcl: '¡',
  iquest: '¿',
  laquo: '«',
  raquo: '»',
};

/** The combining mark of each accent HTML names a letter with: &auml; is a with U+0308. */
const ACCENTS: Readonly<Record<string, string>> = {
  acute: '\u0301',
  grave: '\u0300',
  circ: '\u0302',
  uml: '\u0308',
  tilde: '\u0303',
  ring: '\u030a',
  cedil: '\u0327',
};

/** A code point written as an entity, or the entity as written when it is none (&#0;, &#xD800;). */
function codePoint(entity: string, code: number): string {
  const valid = Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
  return valid ? String.fromCodePoint(code) : entity;
}

/** HTML entities as the characters they stand for; one it does not know stays as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (/^#x/i.test(name)) return codePoint(entity, parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return codePoint(entity, Number(name.slice(1)));
    const known = ENTITIES[name];
    if (known !== undefined) return known;
    const accented = /^([a-z])(acute|grave|circ|uml|tilde|ring|cedil)$/i.exec(name);
    return accented ? `${accented[1]}${ACCENTS[accented[2]!]}`.normalize('NFC') : entity;
  });
}

/** A description as plain text: tags out (a line or paragraph break as a space), entities decoded. */
export function plainText(html: string): string {
  return clean(decodeEntities(html.replace(/<[^>]*>/g, ' ')));
}

/** Language names as their codes ("english" → "en"), from the two-letter codes Intl knows. */
let languageNames: Map<string, string> | undefined;
function languageCodeOfName(name: string): string | undefined {
  if (!languageNames) {
    const display = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
    languageNames = new Map();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (const first of letters) {
      for (const second of letters) {
        const shown = display.of(`${first}${second}`);
        if (shown) languageNames.set(shown.toLowerCase(), `${first}${second}`);
      }
    }
  }
  return languageNames.get(name.toLowerCase());
}

/**
 * A feed's language as a BCP 47 tag: "en-us" → "en-US", "English" → "en", "en-UK" → "en-GB" (UK
 * is not a region code); null when it is not a language.
 */
export function languageTag(given: string): string | null {
  const text = given.trim().replace(/_/g, '-');
  const match = /^([a-z]{2,3})(?:-([a-z]{2}))?$/i.exec(text);
  if (match) {
    const region = match[2]?.toUpperCase();
    const tag = `${match[1]}${region ? `-${region === 'UK' ? 'GB' : region}` : ''}`;
    try {
      return Intl.getCanonicalLocales(tag)[0] ?? null;
    } catch {
      return null;
    }
  }
  return /^[a-z ]{4,}$/i.test(text) ? (languageCodeOfName(text) ?? null) : null;
}

/**
 * A web address as an absolute http(s) URL, or null. A link without its scheme that starts with a
 * host name ("www.rustyquill.com", "anchor.fm/show") gets https when `guessScheme` is set (a
 * site's link); a feed or an image must be absolute, as a bare file name there is no address.
 */
export function webAddress(given: string, guessScheme = false): string | null {
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(given);
  if (!hasScheme && !(guessScheme && /^[\w-]+(\.[\w-]+)+(\/|$)/.test(given))) return null;
  const text = hasScheme ? given : `https://${given}`;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? text : null;
  } catch {
    return null;
  }
}

function toRecord(row: Row & Record<string, string | undefined>, skip: Skip): IngestRecord | null {
  const key = value(row.id);
  const title = clean(decodeEntities(value(row.title)));
  const feedUrl = webAddress(value(row.url));
  if (!/^\d+$/.test(key)) {
    skip('no Podcast Index id', { id: key, title });
    return null;
  }
  if (!title) {
    skip('no title', { id: key, url: value(row.url) });
    return null;
  }
  if (value(row.dead) === '1') {
    skip('dead feed', { id: key, title });
    return null;
  }
  const duplicateOf = value(row.duplicateof);
  if (duplicateOf && duplicateOf !== '0') {
    skip('duplicate of another feed', { id: key, title, duplicateOf });
    return null;
  }

  const attributes: Record<string, unknown> = {};
  if (feedUrl) attributes.feed_url = feedUrl;
  const site = webAddress(value(row.link), true);
  if (site) attributes.official_site = site;
  const image = webAddress(value(row.image)) ?? webAddress(value(row.artwork_url_600));
  if (image) attributes.image_url = image;
  const language = languageTag(value(row.language));
  if (language) attributes.language = language;
  const explicit = value(row.explicit);
  if (explicit === '0' || explicit === '1') attributes.explicit = explicit === '1';
  const description = plainText(value(row.description));
  if (description) attributes.description = description;
  const episodes = value(row[EPISODE_COUNT]);
  if (/^\d+$/.test(episodes) && Number(episodes) > 0) attributes.episodes = Number(episodes);

  const creator = clean(decodeEntities(value(row.itunes_author) || value(row.itunes_owner_name)));
  const itunes = value(row.itunes_id);
  return {
    key,
    mediaType: 'podcast',
    mediaClass: 'audio.podcast',
    title,
    originalTitle: null,
    otherTitles: [],
    releaseDate: null,
    country: null,
    creators: creator ? [creator] : [],
    attributes,
    externalIds: /^[1-9]\d*$/.test(itunes) ? { itunes } : {},
  };
}

async function* read(file: string, skip: Skip): AsyncGenerator<IngestRecord> {
  // The episode count is read when the dump has it, so the header need not name it.
  for await (const row of readGzippedCsv(file, COLUMNS, 'id', skip)) {
    const record = toRecord(row, skip);
    if (record) yield record;
  }
}

export const podcastIndex: WorksAdapter = {
  name: 'podcastindex',
  label: 'Podcast Index',
  homepage: 'https://github.com/Podcastindex-org/database',
  licence: 'MIT',
  keyName: 'podcastindex',
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'podcastindex-sample', 'newsfeeds_1000rows.csv.gz')],
  read,
};
