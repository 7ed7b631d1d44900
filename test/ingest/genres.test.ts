import { normaliseGenres } from '../../src/ingest/genres';

/** One genre vocabulary per type, whatever each source calls its genres (src/ingest/genres.ts). */
describe('normaliseGenres', () => {
  it("gives a film Netflix's categories in Wikipedia's words, each genre once", () => {
    expect(normaliseGenres('movie', ['Dramas', 'Comedies', 'Drama', 'Horror Movies'])).toEqual([
      'Drama',
      'Comedy',
      'Horror',
    ]);
    expect(normaliseGenres('movie', ['Sci-Fi & Fantasy', 'Science Fiction'])).toEqual(['Science Fiction', 'Fantasy']);
  });

  it('drops the series words from a series’ categories, and categories that only restate the type', () => {
    expect(normaliseGenres('tv', ['TV Dramas', 'Crime TV Shows', 'TV Shows', 'Docuseries'])).toEqual([
      'Drama',
      'Crime',
      'Documentary',
    ]);
    expect(normaliseGenres('anime', ['Anime Series', 'International TV Shows'])).toEqual(['International']);
  });

  it('splits libretro’s joined genres and merges their spellings', () => {
    expect(
      normaliseGenres('game', ["Fighting / Beat'em Up", "Beat'em Up / Fighting", 'Lightgun Shooter', 'Gun']),
    ).toEqual(['Fighting', "Beat'em Up", 'Light Gun Shooter']);
    expect(normaliseGenres('game', ['Data / Pictures', 'N/A', ' Puzzle '])).toEqual(['Data & Pictures', 'Puzzle']);
  });

  it('keeps a genre it does not know, as the source wrote it', () => {
    expect(normaliseGenres('movie', ['Mumblecore'])).toEqual(['Mumblecore']);
    expect(normaliseGenres('book', ['Dramas'])).toEqual(['Dramas']);
  });
});
