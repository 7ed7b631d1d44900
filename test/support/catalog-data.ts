import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const fixtures = path.join(__dirname, '..', 'ingest', 'fixtures');

/** Where each adapter's small fixture goes in a data folder laid out as seeds/data/raw is. */
const LAYOUT: [from: string, to: string][] = [
  ['bangumi-data.json.gz', 'bangumi-data/data.json.gz'],
  ['goodbooks.csv.gz', 'goodbooks-10k/books.csv.gz'],
  ['wikipedia-movies.json.gz', 'wikipedia-movie-data/movies-1990s.json.gz'],
  ['netflix-titles.csv.gz', 'netflix-titles/netflix_titles.csv.gz'],
  ['libretro/metadat', 'libretro-database-metadat/metadat'],
  ['podcastindex.csv.gz', 'podcastindex-sample/newsfeeds_1000rows.csv.gz'],
  ['kawaiioverflow-arm.json.gz', 'kawaiioverflow-arm/arm.json.gz'],
  ['anime-relations.txt', 'anime-relations/anime-relations.txt'],
];

/**
 * A catalog data folder (CATALOG_DATA_DIR) holding the adapters' small fixtures instead of the
 * datasets, so a test of a first start loads a few hundred works in seconds rather than the whole
 * catalog. The caller removes it.
 */
export function fixtureCatalogDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omt-catalog-data-'));
  for (const [from, to] of LAYOUT) {
    fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
    fs.cpSync(path.join(fixtures, from), path.join(dir, to), { recursive: true });
  }
  return dir;
}
