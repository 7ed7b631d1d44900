/** What a table's row shows of a title, in the catalog and in the list alike. */
export interface TitleSummary {
  title: string;
  originalTitle: string | null;
  mediaType: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
}

/** The columns that read a TitleSummary, from `media.media as m` joined with `media.media_types as t`. */
export const TITLE_COLUMNS = [
  'm.title',
  'm.original_title as originalTitle',
  'm.media_type as mediaType',
  't.label as typeLabel',
  'm.release_date as releaseDate',
  'm.release_date_precision as releaseDatePrecision',
] as const;
