import path from 'node:path';
import type { IngestRecord, SourceAdapter } from '../source';
import { clean, isObject, readGzippedJson, type Skip } from './formats';
import { normaliseGenres } from '../genres';

/**
 * prust/wikipedia-movie-data: American films listed on English Wikipedia, one gzipped JSON array
 * per decade (`movies-1900s.json.gz` … `movies-2020s.json.gz`), each film
 * `{title, year, cast[], genres[], href?, extract?, thumbnail?…}`.
 *
 * Mapped as the seed catalog maps it (seeds/data/SOURCES.md): `href` (the enwiki slug, as given,
 * percent-encoding and all) is the key; country US, as the dataset is of American films; genres and
 * cast as attributes `genres` and `cast`; no creators, as the data names no director. `extract` is
 * Wikipedia article text (CC BY-SA 4.0) and, as in the seed, is left out, and so are thumbnails.
 */

const DECADES = [1900, 1910, 1920, 1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020];
/** A year outside this span is a scraping error, not a film's year. */
const FIRST_YEAR = 1850;
const LAST_YEAR = 2100;

/** One title had MediaWiki's fraction CSS scraped into it: "Naked Gun .mw-parser-output …}33+1⁄3: …". */
function cleanTitle(value: unknown): string {
  return clean(clean(value).replace(/\.mw-parser-output\b.*\}/, ' '));
}

/**
 * The cast lists are scraped from wikitext and carry its debris: entries that are only punctuation
 * (".", "(", "]"), notes on the name before ("(narrator)", "(voices)", "[a]"), link brackets
 * ("Katherine MacDonald]]") and a lone "and" or "with". Those are dropped or stripped.
 */
function castName(value: unknown): string {
  const name = clean(clean(value).replace(/\[\[|\]\]/g, ''));
  if (!/[\p{L}\p{N}]/u.test(name)) return '';
  if (/^\(.*\)$|^\[.*\]$/.test(name) || /^(and|with)$/i.test(name)) return '';
  return name;
}

/** Non-empty cleaned strings of a JSON array, once each, in order. */
function list(value: unknown, read: (item: unknown) => string = clean): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.map(read).filter((item) => item !== ''))];
}

async function* read(file: string, skip: Skip): AsyncGenerator<IngestRecord> {
  const films = await readGzippedJson(file);
  if (!Array.isArray(films)) throw new Error(`${file}: not a JSON array of films`);
  for (const [index, film] of films.entries()) {
    if (!isObject(film)) {
      skip('not a film object', { index });
      continue;
    }
    const key = clean(film.href);
    if (!key) {
      skip('no Wikipedia article', { title: film.title, year: film.year });
      continue;
    }
    const title = cleanTitle(film.title);
    if (!title) {
      skip('no title', { href: key, year: film.year });
      continue;
    }
    const year = film.year;
    if (typeof year !== 'number' || !Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
      skip('unreadable year', { href: key, title, year });
      continue;
    }
    const attributes: Record<string, unknown> = {};
    const genres = normaliseGenres('movie', list(film.genres));
    if (genres.length) attributes.genres = genres;
    const cast = list(film.cast, castName);
    if (cast.length) attributes.cast = cast;
    yield {
      key,
      mediaType: 'movie',
      mediaClass: 'video.film',
      title,
      originalTitle: null,
      otherTitles: [],
      releaseDate: String(year),
      country: 'US',
      creators: [],
      attributes,
      externalIds: {},
    };
  }
}

export const wikipediaMovies: SourceAdapter = {
  name: 'wikipedia-movie-data',
  label: 'Wikipedia movie data',
  homepage: 'https://github.com/prust/wikipedia-movie-data',
  licence: 'MIT (data from English Wikipedia; article extracts CC BY-SA 4.0)',
  keyName: 'enwiki',
  defaultFiles: (rawDataDir) =>
    DECADES.map((decade) => path.join(rawDataDir, 'wikipedia-movie-data', `movies-${decade}s.json.gz`)),
  read,
};
