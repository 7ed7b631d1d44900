/** What a table's row shows of a title, in the catalog and in the list alike. */
export interface TitleSummary {
  title: string;
  originalTitle: string | null;
  mediaType: string;
  typeLabel: string;
  releaseDate: string | null;
  releaseDatePrecision: 'year' | 'month' | 'day';
}
