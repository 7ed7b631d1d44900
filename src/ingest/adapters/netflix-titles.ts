import path from 'node:path';
import type { IngestRecord, SourceAdapter } from '../source';
import { clean, readGzippedCsv, type Skip } from './formats';
import { normaliseGenres } from '../genres';

/**
 * "Netflix Movies and TV Shows" (Shivam Bansal, CC0), the copy in getsentry/demo-movie-search: one
 * gzipped CSV, a row per title (COLUMNS are those read; date_added is not); the lists (director, cast,
 * countries, categories) are comma-separated, `duration` is "N min" for films and "N Season(s)" for series.
 *
 * Mapped as the seed catalog maps it (seeds/data/SOURCES.md): attributes `genres` (the categories,
 * as given), `cast`, `countries` (the names, only when there are several), `content_rating`,
 * `description`, `runtime_minutes` or `seasons`; creators are the directors; the first country,
 * as an ISO 3166-1 code, is the country. Unlike the seed, a title listed under "Anime Series" or
 * "Anime Features" is anime, and cast lists are kept whole.
 */

const COLUMNS = [
  'show_id',
  'show_type',
  'title',
  'director',
  'cast',
  'countries',
  'release_year',
  'rating',
  'duration',
  'categories',
  'description',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

/** A year outside this span is a data error, not a release year. */
const FIRST_YEAR = 1850;
const LAST_YEAR = 2100;
const ANIME_CATEGORIES = ['Anime Series', 'Anime Features'];

/**
 * The dataset's country names, as ISO 3166-1 alpha-2 codes (media.country_of_origin holds a code).
 * Countries that no longer exist keep the code they had: DD for East Germany, SU for the Soviet Union
 * (as the seed does), and DE, which was West Germany's, for West Germany.
 */
const COUNTRY_CODES: Readonly<Record<string, string>> = {
  Afghanistan: 'AF',
  Albania: 'AL',
  Algeria: 'DZ',
  Angola: 'AO',
  Argentina: 'AR',
  Armenia: 'AM',
  Australia: 'AU',
  Austria: 'AT',
  Azerbaijan: 'AZ',
  Bahamas: 'BS',
  Bangladesh: 'BD',
  Belarus: 'BY',
  Belgium: 'BE',
  Bermuda: 'BM',
  Botswana: 'BW',
  Brazil: 'BR',
  Bulgaria: 'BG',
  'Burkina Faso': 'BF',
  Cambodia: 'KH',
  Cameroon: 'CM',
  Canada: 'CA',
  'Cayman Islands': 'KY',
  Chile: 'CL',
  China: 'CN',
  Colombia: 'CO',
  Croatia: 'HR',
  Cuba: 'CU',
  Cyprus: 'CY',
  'Czech Republic': 'CZ',
  Denmark: 'DK',
  'Dominican Republic': 'DO',
  'East Germany': 'DD',
  Ecuador: 'EC',
  Egypt: 'EG',
  Ethiopia: 'ET',
  Finland: 'FI',
  France: 'FR',
  Georgia: 'GE',
  Germany: 'DE',
  Ghana: 'GH',
  Greece: 'GR',
  Guatemala: 'GT',
  'Hong Kong': 'HK',
  Hungary: 'HU',
  Iceland: 'IS',
  India: 'IN',
  Indonesia: 'ID',
  Iran: 'IR',
  Iraq: 'IQ',
  Ireland: 'IE',
  Israel: 'IL',
  Italy: 'IT',
  Jamaica: 'JM',
  Japan: 'JP',
  Jordan: 'JO',
  Kazakhstan: 'KZ',
  Kenya: 'KE',
  Kuwait: 'KW',
  Latvia: 'LV',
  Lebanon: 'LB',
  Liechtenstein: 'LI',
  Lithuania: 'LT',
  Luxembourg: 'LU',
  Malawi: 'MW',
  Malaysia: 'MY',
  Malta: 'MT',
  Mauritius: 'MU',
  Mexico: 'MX',
  Mongolia: 'MN',
  Montenegro: 'ME',
  Morocco: 'MA',
  Mozambique: 'MZ',
  Namibia: 'NA',
  Nepal: 'NP',
  Netherlands: 'NL',
  'New Zealand': 'NZ',
  Nicaragua: 'NI',
  Nigeria: 'NG',
  Norway: 'NO',
  Pakistan: 'PK',
  Palestine: 'PS',
  Panama: 'PA',
  Paraguay: 'PY',
  Peru: 'PE',
  Philippines: 'PH',
  Poland: 'PL',
  Portugal: 'PT',
  'Puerto Rico': 'PR',
  Qatar: 'QA',
  Romania: 'RO',
  Russia: 'RU',
  Samoa: 'WS',
  'Saudi Arabia': 'SA',
  Senegal: 'SN',
  Serbia: 'RS',
  Singapore: 'SG',
  Slovakia: 'SK',
  Slovenia: 'SI',
  Somalia: 'SO',
  'South Africa': 'ZA',
  'South Korea': 'KR',
  'Soviet Union': 'SU',
  Spain: 'ES',
  'Sri Lanka': 'LK',
  Sudan: 'SD',
  Sweden: 'SE',
  Switzerland: 'CH',
  Syria: 'SY',
  Taiwan: 'TW',
  Thailand: 'TH',
  Turkey: 'TR',
  Uganda: 'UG',
  Ukraine: 'UA',
  'United Arab Emirates': 'AE',
  'United Kingdom': 'GB',
  'United States': 'US',
  Uruguay: 'UY',
  'Vatican City': 'VA',
  Venezuela: 'VE',
  Vietnam: 'VN',
  'West Germany': 'DE',
  Zimbabwe: 'ZW',
};

/**
 * A comma-separated list: trimmed, empty entries dropped (", South Korea", "Poland,"), each once.
 * A lone "Jr." or "Sr." is the end of the name before it ("Louis Ferrigno, Jr.").
 */
function list(value: string | undefined): string[] {
  const items: string[] = [];
  for (const item of clean(value).split(',')) {
    const name = clean(item);
    if (!name) continue;
    if (/^[JS]r\.$/.test(name) && items.length) items.push(`${items.pop()} ${name}`);
    else items.push(name);
  }
  return [...new Set(items)];
}

/** "90 min" → { runtime_minutes: 90 }, "2 Seasons" → { seasons: 2 }; anything else → {}. */
function duration(value: string): Record<string, number> {
  const minutes = /^(\d+) min$/.exec(value);
  if (minutes) return { runtime_minutes: Number(minutes[1]) };
  const seasons = /^(\d+) Seasons?$/.exec(value);
  if (seasons) return { seasons: Number(seasons[1]) };
  return {};
}

function toRecord(row: Row, skip: Skip): IngestRecord | null {
  const key = clean(row.show_id);
  const title = clean(row.title);
  const releaseYear = clean(row.release_year);
  if (!key) {
    skip('no show_id', { title, release_year: releaseYear });
    return null;
  }
  if (!title) {
    skip('no title', { show_id: key, release_year: releaseYear });
    return null;
  }
  const year = /^\d{4}$/.test(releaseYear) ? Number(releaseYear) : NaN;
  if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) {
    skip('unreadable year', { show_id: key, title, release_year: releaseYear });
    return null;
  }
  const showType = clean(row.show_type);
  if (showType !== 'Movie' && showType !== 'TV Show') {
    skip('unknown show type', { show_id: key, title, show_type: showType });
    return null;
  }
  const film = showType === 'Movie';
  const genres = list(row.categories);
  const anime = genres.some((genre) => ANIME_CATEGORIES.includes(genre));

  // Three films (s5542, s5795, s5814) have their duration in the rating column and none in its own.
  let rating = clean(row.rating);
  let length = clean(row.duration);
  if (!length && /^\d+ min$/.test(rating)) [length, rating] = [rating, ''];

  const attributes: Record<string, unknown> = {};
  const mediaType = anime ? 'anime' : film ? 'movie' : 'tv';
  const named = normaliseGenres(mediaType, genres);
  if (named.length) attributes.genres = named;
  const cast = list(row.cast);
  if (cast.length) attributes.cast = cast;
  const countries = list(row.countries);
  if (countries.length > 1) attributes.countries = countries;
  if (rating) attributes.content_rating = rating;
  const description = clean(row.description);
  if (description) attributes.description = description;
  Object.assign(attributes, duration(length));

  return {
    key,
    mediaType,
    mediaClass: anime ? (film ? 'video.film.anime' : 'video.series.anime') : film ? 'video.film' : 'video.series',
    title,
    originalTitle: null,
    otherTitles: [],
    releaseDate: String(year),
    // A series' release_year is its newest season's (Breaking Bad: 2013), not its first.
    ...(film ? {} : { dateIs: 'latest' as const }),
    country: countries[0] !== undefined ? (COUNTRY_CODES[countries[0]] ?? null) : null,
    creators: list(row.director),
    attributes,
    externalIds: {},
  };
}

async function* read(file: string, skip: Skip): AsyncGenerator<IngestRecord> {
  for await (const row of readGzippedCsv(file, COLUMNS, 'show_id', skip)) {
    const record = toRecord(row, skip);
    if (record) yield record;
  }
}

export const netflixTitles: SourceAdapter = {
  name: 'netflix-titles',
  label: 'Netflix Movies and TV Shows',
  homepage: 'https://huggingface.co/datasets/hugginglearners/netflix-shows',
  licence: 'CC0 1.0',
  keyName: 'netflix_dataset_show_id',
  defaultFiles: (rawDataDir) => [path.join(rawDataDir, 'netflix-titles', 'netflix_titles.csv.gz')],
  read,
};
