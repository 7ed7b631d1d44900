/**
 * What a source adapter gives the ingest pipeline (src/ingest/pipeline.ts): records of works, read
 * from a dataset's files in their original format. An adapter knows its format and how its fields
 * map to a work; the pipeline knows how works are matched, merged and written. An online metadata
 * provider is an adapter too: it yields records the same way, from an API instead of a file.
 */

/** A release date as precise as the source gives it: "1999", "1999-03" or "1999-03-31". */
export type PartialDate = string;

/** One work as a source describes it. */
export interface IngestRecord {
  /** The work's own id in the source (kept in media.external_links under the adapter's keyName). */
  key: string;
  /** A media type of media.media_types (movie, tv, anime, book, game, podcast…). */
  mediaType: string;
  /** Its class in media.media_classes (video.film, video.series.anime…). */
  mediaClass: string;
  title: string;
  originalTitle: string | null;
  /** Other titles the work is known by (translations, alternative spellings): matched on. */
  otherTitles: string[];
  releaseDate: PartialDate | null;
  country: string | null;
  creators: string[];
  /**
   * Type-specific fields, as media.media.attributes holds them: genres, runtime_minutes, episodes,
   * seasons, synopsis, cast, platforms… Only what the source gives; no nulls.
   */
  attributes: Record<string, unknown>;
  /** Ids the source gives in other catalogs: { mal: '5114', anilist: '5114' }. */
  externalIds: Record<string, string>;
}

export interface SourceAdapter {
  /** The source's name in ingest.sources: lower case, digits, - and _. */
  name: string;
  label: string;
  homepage: string;
  licence: string;
  /** Under which name a record's key is kept in media.external_links (enwiki, netflix_dataset_show_id…). */
  keyName: string;
  /** The dataset's files as shipped with the project, under the raw data folder. */
  defaultFiles(rawDataDir: string): string[];
  /** The records of one file, in file order. A row it cannot read is reported through `skip`. */
  read(file: string, skip: (reason: string, details: Record<string, unknown>) => void): AsyncIterable<IngestRecord>;
}
