/**
 * How a title's type-specific attributes and external ids read on its page: human labels, units,
 * and links where the source has a public URL for an id. Unknown attributes are left out rather
 * than shown raw; `dataset` (where the seed took a title from) and `genres` (shown apart) too.
 */
type Shown = { label: string; value: string; href?: string };

const number = (value: unknown) =>
  typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : null;
const list = (value: unknown, most = 8): string | null => {
  if (!Array.isArray(value)) return typeof value === 'string' && value.trim() ? value.trim() : null;
  const items = value.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
  if (!items.length) return null;
  return items.length > most ? `${items.slice(0, most).join(', ')} and ${items.length - most} more` : items.join(', ');
};
const count = (unit: string) => (value: unknown) => {
  const n = number(value);
  return n === null ? null : `${n.toLocaleString('en')} ${unit}${n === 1 ? '' : 's'}`;
};

const ATTRIBUTES: { key: string; label: string; format: (value: unknown) => string | null }[] = [
  { key: 'runtime_minutes', label: 'Runtime', format: (v) => (number(v) === null ? null : `${number(v)} min`) },
  { key: 'episodes', label: 'Episodes', format: count('episode') },
  { key: 'seasons', label: 'Seasons', format: count('season') },
  { key: 'chapters', label: 'Chapters', format: count('chapter') },
  { key: 'volumes', label: 'Volumes', format: count('volume') },
  { key: 'pages', label: 'Pages', format: count('page') },
  { key: 'format', label: 'Format', format: (v) => list(v) },
  { key: 'series', label: 'Series', format: (v) => list(v) },
  {
    key: 'series_position',
    label: 'Number in the series',
    format: (v) => (typeof v === 'number' ? String(v) : list(v)),
  },
  { key: 'platforms', label: 'Platforms', format: (v) => list(v) },
  { key: 'publishers', label: 'Publishers', format: (v) => list(v) },
  { key: 'franchise', label: 'Franchise', format: (v) => list(v) },
  { key: 'language', label: 'Language', format: (v) => list(v) },
  { key: 'content_rating', label: 'Content rating', format: (v) => list(v) },
  { key: 'cast', label: 'Cast', format: (v) => list(v) },
  { key: 'countries', label: 'Countries', format: (v) => list(v) },
  { key: 'end_date', label: 'Ended', format: (v) => list(v) },
  {
    key: 'average_rating',
    label: 'Average rating at the source',
    format: (v) => (number(v) === null ? null : `${number(v)} out of 5`),
  },
];

export function attributeList(attributes: Record<string, unknown>): Shown[] {
  return ATTRIBUTES.flatMap(({ key, label, format }) => {
    const value = attributes[key] === undefined ? null : format(attributes[key]);
    return value === null ? [] : [{ label, value }];
  });
}

/** The text of a title's description, when its source gave one. */
export function descriptionOf(attributes: Record<string, unknown>): string | null {
  const text = attributes.description;
  return typeof text === 'string' && text.trim() ? text.trim() : null;
}

const SOURCES: Record<string, { label: string; url?: (key: string, mediaType: string) => string }> = {
  tmdb: { label: 'TMDB', url: (key) => `https://www.themoviedb.org/${key}` },
  anidb: { label: 'AniDB', url: (key) => `https://anidb.net/anime/${encodeURIComponent(key)}` },
  anilist: {
    label: 'AniList',
    url: (key, type) => `https://anilist.co/${type === 'manga' ? 'manga' : 'anime'}/${encodeURIComponent(key)}`,
  },
  mal: {
    label: 'MyAnimeList',
    url: (key, type) => `https://myanimelist.net/${type === 'manga' ? 'manga' : 'anime'}/${encodeURIComponent(key)}`,
  },
  bangumi: { label: 'Bangumi', url: (key) => `https://bgm.tv/subject/${encodeURIComponent(key)}` },
  goodreads: { label: 'Goodreads', url: (key) => `https://www.goodreads.com/book/show/${encodeURIComponent(key)}` },
  goodreads_work: {
    label: 'Goodreads (all editions)',
    url: (key) => `https://www.goodreads.com/work/editions/${encodeURIComponent(key)}`,
  },
  enwiki: { label: 'Wikipedia', url: (key) => `https://en.wikipedia.org/wiki/${encodeURIComponent(key)}` },
  isbn13: { label: 'ISBN-13' },
  isbn10: { label: 'ISBN-10' },
};

/** External ids worth showing (bookkeeping ids of the seed are not), linked where possible. */
export function externalIdList(ids: { source: string; key: string }[], mediaType: string): Shown[] {
  return ids.flatMap(({ source, key }) => {
    const known = SOURCES[source];
    if (!known) return [];
    // A TMDB key carries its kind ("movie/603"): only those go into a URL.
    if (source === 'tmdb' && !/^(movie|tv)\/\d+$/.test(key)) return [{ label: known.label, value: key }];
    return [{ label: known.label, value: key, ...(known.url ? { href: known.url(key, mediaType) } : {}) }];
  });
}
