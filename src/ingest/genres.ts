/**
 * One genre vocabulary per media type. Sources name genres their own way: Wikipedia's film data
 * says "Drama", Netflix's categories say "Dramas" for films and "TV Dramas" for series, libretro
 * joins several in one ("Fighting / Beat'em Up"). An adapter passes its genres through
 * `normaliseGenres` so that the catalog's genre filter offers each genre once per type.
 *
 * A name not in the table is kept as the source wrote it (trimmed), so a new category in a newer
 * dump shows up rather than vanishing; add it here when it duplicates one we have.
 */

/** Netflix's categories, for films, series and anime alike. null: says nothing a type does not. */
const NETFLIX: Record<string, string[] | null> = {
  'Action & Adventure': ['Action', 'Adventure'],
  'TV Action & Adventure': ['Action', 'Adventure'],
  'Anime Features': null,
  'Anime Series': null,
  'British TV Shows': ['British'],
  'Children & Family Movies': ['Family'],
  "Kids' TV": ['Family'],
  'Classic & Cult TV': ['Classic', 'Cult'],
  'Classic Movies': ['Classic'],
  'Cult Movies': ['Cult'],
  Comedies: ['Comedy'],
  'TV Comedies': ['Comedy'],
  'Crime TV Shows': ['Crime'],
  Documentaries: ['Documentary'],
  Docuseries: ['Documentary'],
  Dramas: ['Drama'],
  'TV Dramas': ['Drama'],
  'Horror Movies': ['Horror'],
  'TV Horror': ['Horror'],
  'Independent Movies': ['Independent'],
  'International Movies': ['International'],
  'International TV Shows': ['International'],
  'Korean TV Shows': ['Korean'],
  'LGBTQ Movies': ['LGBTQ'],
  Movies: null,
  'TV Shows': null,
  'Music & Musicals': ['Musical'],
  'Reality TV': ['Reality'],
  'Romantic Movies': ['Romance'],
  'Romantic TV Shows': ['Romance'],
  'Sci-Fi & Fantasy': ['Science Fiction', 'Fantasy'],
  'TV Sci-Fi & Fantasy': ['Science Fiction', 'Fantasy'],
  'Science & Nature TV': ['Science & Nature'],
  'Spanish-Language TV Shows': ['Spanish-Language'],
  'Sports Movies': ['Sports'],
  'Stand-Up Comedy & Talk Shows': ['Stand-Up Comedy', 'Talk Show'],
  'Teen TV Shows': ['Teen'],
  'TV Mysteries': ['Mystery'],
  'TV Thrillers': ['Thriller'],
  Thrillers: ['Thriller'],
  'Faith & Spirituality': ['Faith & Spirituality'],
};

/** Wikipedia's film genres that another spelling already names. */
const FILMS: Record<string, string[] | null> = {
  Sport: ['Sports'],
  Animated: ['Animation'],
  'Live Action': null,
};

/** libretro's game genres: parts of a joined genre, and spellings of one genre. */
const GAMES: Record<string, string[] | null> = {
  'N/A': null,
  Various: ['Miscellaneous'],
  Gun: ['Light Gun Shooter'],
  'Lightgun Shooter': ['Light Gun Shooter'],
  'Casual Game': ['Casual'],
  Sing: ['Rhythm'],
  'Rhythm / Music': ['Rhythm', 'Music'],
  Dancing: ['Rhythm'],
  'Music / Dancing': ['Music', 'Rhythm'],
  Thinking: ['Puzzle'],
  // Not a game: a disc of data, pictures or music. One genre, so it is not split below.
  'Data / Pictures': ['Data & Pictures'],
};

const TABLES: Record<string, Record<string, string[] | null>[]> = {
  movie: [NETFLIX, FILMS],
  tv: [NETFLIX],
  anime: [NETFLIX, FILMS],
  game: [GAMES],
};

function mapped(tables: Record<string, string[] | null>[], genre: string): string[] {
  for (const table of tables) {
    if (Object.hasOwn(table, genre)) return table[genre] ?? [];
  }
  return [genre];
}

/** A source's genres for a work of `mediaType`, in the type's vocabulary: unique, in first-seen order. */
export function normaliseGenres(mediaType: string, genres: readonly string[]): string[] {
  const tables = TABLES[mediaType] ?? [];
  const out: string[] = [];
  for (const raw of genres) {
    const genre = raw.trim();
    if (!genre) continue;
    // libretro joins genres with " / ": each part is a genre, unless the whole has an entry.
    const parts = mediaType === 'game' && !Object.hasOwn(GAMES, genre) ? genre.split(' / ') : [genre];
    for (const part of parts) {
      for (const name of mapped(tables, part.trim())) if (name && !out.includes(name)) out.push(name);
    }
  }
  return out;
}
