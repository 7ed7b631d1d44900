import type { SourceAdapter } from '../source';
import { animeRelations } from './anime-relations';
import { bangumiData } from './bangumi-data';
import { goodbooks } from './goodbooks';
import { kawaiioverflowArm } from './kawaiioverflow-arm';
import { libretro } from './libretro';
import { netflixTitles } from './netflix-titles';
import { podcastIndex } from './podcast-index';
import { wikipediaMovies } from './wikipedia-movies';

/**
 * Every source the pipeline can take in, in the order a full ingest runs them: the sources whose
 * ids others carry first, so later ones match by id rather than by title; then the ids-only
 * sources, which add to the works the others made: the anime id map (more ids for bangumi-data's
 * anime), and last anime-relations, whose sequels name anime by MAL or AniList id.
 */
export const ADAPTERS: readonly SourceAdapter[] = [
  bangumiData,
  goodbooks,
  wikipediaMovies,
  netflixTitles,
  libretro,
  podcastIndex,
  kawaiioverflowArm,
  animeRelations,
];

export function adapterNamed(name: string): SourceAdapter | undefined {
  return ADAPTERS.find((adapter) => adapter.name === name);
}
