/** The names a table's filters offer and accept: media types, classes and genres. */

export interface MediaType {
  mediaType: string;
  label: string;
  pluralLabel: string;
}

export interface MediaClass {
  mediaClass: string;
  label: string;
}

export interface Genre {
  genre: string;
  mediaCount: number;
}

export interface CatalogVocabulary {
  types: MediaType[];
  classes: MediaClass[];
  /** Every genre some title carries, most common first (counts kept by triggers, so cheap). */
  genres: Genre[];
}

/**
 * The names the filters offer and accept (media types, classes, genres), as three columns that
 * ride along with a page's statement (see searchCatalog and listEntries). The list's filters have
 * no genre: with `genres: false` the column is an empty array.
 */
export function vocabularyColumns(genres: boolean): string {
  const genreList = genres
    ? `(select json_agg(json_build_object('genre', genre, 'mediaCount', media_count)
                        order by media_count desc, genre)
          from media.genre_counts where media_count > 0)`
    : 'null::json';
  return `
      coalesce((select json_agg(json_build_object('mediaType', media_type, 'label', label,
                                                  'pluralLabel', plural_label) order by position)
                  from media.media_types), '[]') as types,
      coalesce((select json_agg(json_build_object('mediaClass', media_class::text, 'label', label)
                                order by position)
                  from media.media_classes), '[]') as classes,
      coalesce(${genreList}, '[]') as genres`;
}
