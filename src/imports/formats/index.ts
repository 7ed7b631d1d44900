/**
 * Every format the importer reads, in the order the form lists them. Detection asks each one
 * (src/imports/detect.ts); a job names its format by `name` (ingest.sources).
 */
import type { ImportFormat } from '../records';
import { anilistFormat } from './anilist';
import { goodreadsFormat } from './goodreads';
import { imdbFormat } from './imdb';
import { kitsuFormat } from './kitsu';
import { letterboxdFormat } from './letterboxd';
import { myanimelistFormat } from './myanimelist';
import { omnimediatrakFormat } from './omnimediatrak';
import { storygraphFormat } from './storygraph';
import { tmdbFormat } from './tmdb';
import { traktFormat } from './trakt';
import { yamtrackFormat } from './yamtrack';

export const IMPORT_FORMATS: readonly ImportFormat[] = [
  myanimelistFormat,
  anilistFormat,
  kitsuFormat,
  letterboxdFormat,
  goodreadsFormat,
  storygraphFormat,
  traktFormat,
  imdbFormat,
  tmdbFormat,
  yamtrackFormat,
  omnimediatrakFormat,
];

/** The format of this name, if the importer reads it. */
export function formatNamed(name: string): ImportFormat | undefined {
  return IMPORT_FORMATS.find((format) => format.name === name);
}
