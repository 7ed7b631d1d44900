/**
 * What a source adapter gives the ingest pipeline (src/ingest/pipeline.ts), read from a dataset's
 * files in their original format. An adapter knows its format and how its fields map to a work;
 * the pipeline knows how works are matched, merged and written. An online metadata provider is an
 * adapter too: it yields records the same way, from an API instead of a file.
 *
 * A source is one of two kinds. A works source (the default) describes works: each record is
 * matched to the work it describes or becomes a new one. An ids-only source knows no work of its
 * own (an id map, a list of sequels): its records name works by their ids in other catalogs, and
 * only add to the works other sources made (more ids, relations). It never makes a work.
 */

/** A release date as precise as the source gives it: "1999", "1999-03" or "1999-03-31". */
export type PartialDate = string;

/**
 * Another work this one is related to, named by its ids in other catalogs ({ mal: '25777' }), as
 * a row of media.relationships reads: `{ kind: 'sequel', externalIds }` says that work is this
 * one's sequel. The inverse (prequel) is written with it; a work not in the catalog is left out.
 */
export interface IngestRelation {
  kind: string;
  externalIds: Record<string, string>;
}

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
  /**
   * 'latest' when the source's date is of the work's latest release, not its first (Netflix gives
   * a series the year of its newest season): the record then matches a work of its title and type
   * from that year or before, when there is one only. A new work keeps the date (the only one
   * known); a source ranked above it for release_date (src/ingest/fields.ts) replaces it.
   */
  dateIs?: 'first' | 'latest';
  country: string | null;
  creators: string[];
  /**
   * Type-specific fields, as media.media.attributes holds them: genres, runtime_minutes, episodes,
   * seasons, description, cast, platforms… Only what the source gives; no nulls. A `franchise`
   * (a name) gives the work its collection_path when it has none (src/ingest/franchises.ts).
   */
  attributes: Record<string, unknown>;
  /** Ids the source gives in other catalogs: { mal: '5114', anilist: '5114' }. */
  externalIds: Record<string, string>;
  /** Works this one is related to (an online provider's sequels and adaptations). */
  relations?: IngestRelation[];
}

/** One work as an ids-only source names it: by its ids in other catalogs, with no title. */
export interface IdsRecord {
  /**
   * What the record is called in the job's trail and in ingest.conflicts: its ids
   * ("mal:5114 anilist:5114"), as the source has no id of its own. A key that comes twice in a
   * run is a record given twice.
   */
  key: string;
  /**
   * Its ids, the most trusted first: the work is the one the first id that names a work names;
   * the work gains the ids that name none, and an id that names another work is a conflict.
   */
  externalIds: Record<string, string>;
  relations?: IngestRelation[];
  /**
   * What the source calls the work, when it says (anime-relations' comments name each anime in
   * romaji): never written as a title, only a name for its franchise when no title of its own is
   * in Latin letters.
   */
  name?: string;
}

interface SourceInfo {
  /** The source's name in ingest.sources: lower case, digits, - and _. */
  name: string;
  label: string;
  homepage: string;
  licence: string;
  /** The dataset's files as shipped with the project, under the raw data folder. */
  defaultFiles(rawDataDir: string): string[];
}

export interface WorksAdapter extends SourceInfo {
  kind?: 'works';
  /** Under which name a record's key is kept in media.external_links (enwiki, netflix_dataset_show_id…). */
  keyName: string;
  /** The records of one file, in file order. A row it cannot read is reported through `skip`. */
  read(file: string, skip: (reason: string, details: Record<string, unknown>) => void): AsyncIterable<IngestRecord>;
}

export interface IdsAdapter extends SourceInfo {
  kind: 'ids';
  /** None: an ids-only source has no id of its own, only other catalogs' ids. */
  keyName: null;
  /** The records of one file. A row it cannot read is reported through `skip`. */
  read(file: string, skip: (reason: string, details: Record<string, unknown>) => void): AsyncIterable<IdsRecord>;
}

export type SourceAdapter = WorksAdapter | IdsAdapter;
