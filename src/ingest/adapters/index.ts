import type { SourceAdapter } from '../source';
import { bangumiData } from './bangumi-data';
import { goodbooks } from './goodbooks';
import { libretro } from './libretro';
import { netflixTitles } from './netflix-titles';
import { wikipediaMovies } from './wikipedia-movies';

/**
 * Every source the pipeline can take in, in the order a full ingest runs them: the sources whose
 * ids others carry first, so later ones match by id rather than by title.
 */
export const ADAPTERS: readonly SourceAdapter[] = [bangumiData, goodbooks, wikipediaMovies, netflixTitles, libretro];

export function adapterNamed(name: string): SourceAdapter | undefined {
  return ADAPTERS.find((adapter) => adapter.name === name);
}
