import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { netflixTitles } from '../../src/ingest/adapters/netflix-titles';
import { wikipediaMovies } from '../../src/ingest/adapters/wikipedia-movies';
import { rawDataDir } from '../../src/paths';
import { readAll, tally } from '../support/ingest';

/**
 * The two file adapters, read over small fixtures in the datasets' own formats (real rows, cut
 * short, and a few made-up ones for quirks) and over the files shipped in seeds/data/raw.
 */

const fixtures = path.join(__dirname, 'fixtures');

const film = {
  mediaType: 'movie',
  mediaClass: 'video.film',
  originalTitle: null,
  otherTitles: [],
  country: 'US',
  creators: [],
  externalIds: {},
};

describe('wikipedia-movie-data adapter', () => {
  it('describes the source and lists its 13 decade files in order', () => {
    expect(wikipediaMovies).toMatchObject({
      name: 'wikipedia-movie-data',
      label: 'Wikipedia movie data',
      homepage: 'https://github.com/prust/wikipedia-movie-data',
      licence: 'MIT (data from English Wikipedia; article extracts CC BY-SA 4.0)',
      keyName: 'enwiki',
    });
    const dir = path.join('/raw', 'wikipedia-movie-data');
    expect(wikipediaMovies.defaultFiles('/raw')).toEqual(
      ['1900', '1910', '1920', '1930', '1940', '1950', '1960', '1970', '1980', '1990', '2000', '2010', '2020'].map(
        (decade) => path.join(dir, `movies-${decade}s.json.gz`),
      ),
    );
  });

  it('yields a film per row with an article, cleaned, and reports the others', async () => {
    const { records, skips } = await readAll(wikipediaMovies, [path.join(fixtures, 'wikipedia-movies.json.gz')]);
    expect(records).toEqual([
      {
        ...film,
        key: 'The_Great_Train_Robbery_(1941_film)',
        title: 'The Great Train Robbery',
        releaseDate: '1941',
        // extract (Wikipedia text, CC BY-SA) and thumbnails are left out, as in the seed catalog.
        attributes: { genres: ['Western'], cast: ['Bob Steele', 'Claire Carleton', 'Milburn Stone'] },
      },
      {
        ...film,
        key: 'Naked_Gun_33_1/3:_The_Final_Insult',
        // The scraped MediaWiki CSS is cut out of the title.
        title: 'Naked Gun 33+1⁄3: The Final Insult',
        releaseDate: '1994',
        attributes: {
          genres: ['Comedy', 'Crime'],
          cast: ['Leslie Nielsen', 'Priscilla Presley', 'George Kennedy', 'O. J. Simpson'],
        },
      },
      {
        ...film,
        key: 'Les_Mis%C3%A9rables_(1935_film)',
        title: 'Les Misérables',
        releaseDate: '1935',
        attributes: {
          genres: ['Drama', 'Historical'],
          cast: ['Fredric March', 'Charles Laughton', 'Rochelle Hudson', 'Cuba Gooding Jr.'],
        },
      },
    ]);
    expect(skips).toEqual([
      { reason: 'no Wikipedia article', details: { title: 'Acrobats in Cairo', year: 1901 } },
      { reason: 'no Wikipedia article', details: { title: 'After Dark in Central Park', year: 1900 } },
      { reason: 'unreadable year', details: { href: 'Untitled_Western', title: 'Untitled Western', year: '19??' } },
      { reason: 'no title', details: { href: 'Blank_title', year: 1950 } },
    ]);
  });

  it('fails on a file that is not a JSON array', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'adapters-')), 'movies-1900s.json.gz');
    fs.writeFileSync(file, zlib.gzipSync('{"title":"Not a list"}'));
    await expect(readAll(wikipediaMovies, [file])).rejects.toThrow('not a JSON array of films');
  });
});

describe('netflix-titles adapter', () => {
  it('describes the source and its one file', () => {
    expect(netflixTitles).toMatchObject({
      name: 'netflix-titles',
      label: 'Netflix Movies and TV Shows',
      homepage: 'https://huggingface.co/datasets/hugginglearners/netflix-shows',
      licence: 'CC0 1.0',
      keyName: 'netflix_dataset_show_id',
    });
    expect(netflixTitles.defaultFiles('/raw')).toEqual([path.join('/raw', 'netflix-titles', 'netflix_titles.csv.gz')]);
  });

  it('yields films, series and anime from the CSV, and reports the rows it cannot read', async () => {
    const { records, skips } = await readAll(netflixTitles, [path.join(fixtures, 'netflix-titles.csv.gz')]);
    const title = { originalTitle: null, otherTitles: [], externalIds: {} };
    expect(records).toEqual([
      {
        ...title,
        key: 's1',
        mediaType: 'movie',
        mediaClass: 'video.film',
        title: 'Dick Johnson Is Dead',
        releaseDate: '2020',
        country: 'US',
        creators: ['Kirsten Johnson'],
        // No cast: the field is empty.
        attributes: {
          genres: ['Documentary'],
          content_rating: 'PG-13',
          description:
            'As her father nears the end of his life, filmmaker Kirsten Johnson stages his death in inventive and comical ways to help them both face the inevitable.',
          runtime_minutes: 90,
        },
      },
      {
        ...title,
        key: 's2',
        mediaType: 'tv',
        mediaClass: 'video.series',
        dateIs: 'latest',
        title: 'Blood & Water',
        releaseDate: '2021',
        country: 'ZA',
        creators: [],
        attributes: {
          genres: ['International', 'Drama', 'Mystery'],
          cast: ['Ama Qamata', 'Khosi Ngema', 'Gail Mabalane'],
          content_rating: 'TV-MA',
          description:
            'After crossing paths at a party, a Cape Town teen sets out to prove whether a private-school swimming star is her sister who was abducted at birth.',
          seasons: 2,
        },
      },
      {
        ...title,
        key: 's11',
        mediaType: 'tv',
        mediaClass: 'video.series',
        dateIs: 'latest',
        title: 'Vendetta: Truth, Lies and The Mafia',
        releaseDate: '2021',
        country: null,
        creators: [],
        attributes: {
          genres: ['Crime', 'Documentary', 'International'],
          content_rating: 'TV-MA',
          description:
            'Sicily boasts a bold "Anti-Mafia" coalition. But what happens when those trying to bring down organized crime are accused of being criminals themselves?',
          seasons: 1,
        },
      },
      {
        ...title,
        key: 's52',
        mediaType: 'anime',
        mediaClass: 'video.film.anime',
        title: 'InuYasha the Movie 2: The Castle Beyond the Looking Glass',
        releaseDate: '2002',
        country: 'JP',
        creators: ['Toshiya Shinohara'],
        attributes: {
          genres: ['Action', 'Adventure', 'International'],
          cast: ['Kappei Yamaguchi', 'Satsuki Yukino', 'Mieko Harada'],
          content_rating: 'TV-14',
          description:
            'With their biggest foe seemingly defeated, InuYasha and his friends return to everyday life. But the peace is soon shattered by an emerging new enemy.',
          runtime_minutes: 99,
        },
      },
      {
        ...title,
        key: 's77',
        mediaType: 'anime',
        mediaClass: 'video.series.anime',
        dateIs: 'latest',
        title: 'Yowamushi Pedal',
        releaseDate: '2013',
        country: 'JP',
        creators: [],
        attributes: {
          genres: ['International'],
          cast: ['Daiki Yamashita', 'Kohsuke Toriumi', 'Jun Fukushima'],
          content_rating: 'TV-14',
          description:
            'A timid, anime-loving teen gets drawn into a school cycling club, where his new friends help him face tough challenges to develop his racing talent.',
          seasons: 1,
        },
      },
      {
        ...title,
        key: 's194',
        mediaType: 'tv',
        mediaClass: 'video.series',
        dateIs: 'latest',
        title: 'D.P.',
        releaseDate: '2021',
        // The countries field is ", South Korea".
        country: 'KR',
        creators: [],
        attributes: {
          genres: ['International', 'Drama'],
          cast: ['Jung Hae-in', 'Koo Kyo-hwan', 'Kim Sung-kyun', 'Son Suk-ku'],
          content_rating: 'TV-MA',
          description:
            'A young private’s assignment to capture army deserters reveals the painful reality endured by each enlistee during his compulsory call of duty.',
          seasons: 1,
        },
      },
      {
        ...title,
        key: 's1516',
        mediaType: 'movie',
        mediaClass: 'video.film',
        title: 'Guest House',
        releaseDate: '2020',
        country: 'US',
        creators: ['Sam Macaroni'],
        attributes: {
          genres: ['Comedy'],
          // "Louis Ferrigno,  Jr." in the CSV.
          cast: ['Pauly Shore', 'Billy Zane', 'Louis Ferrigno Jr.', 'Steve-O'],
          countries: ['United States', 'United Kingdom'],
          content_rating: 'R',
          description:
            'The only downside to a young couple’s new dream home — and fresh start — is the nightmare of the raucous houseguest in back who refuses to leave.',
          runtime_minutes: 84,
        },
      },
      {
        ...title,
        key: 's5542',
        mediaType: 'movie',
        mediaClass: 'video.film',
        title: 'Louis C.K. 2017',
        releaseDate: '2017',
        country: 'US',
        creators: ['Louis C.K.'],
        // "74 min" is in the rating column, the duration column is empty: a runtime, not a rating.
        // "Movies", its only category, says nothing its type does not: no genres.
        attributes: {
          cast: ['Louis C.K.'],
          description:
            'Louis C.K. muses on religion, eternal love, giving dogs drugs, email fights, teachers and more in a live performance from Washington, D.C.',
          runtime_minutes: 74,
        },
      },
    ]);
    expect(skips).toEqual([
      { reason: 'wrong number of fields', details: { line: 6, show_id: 's9003' } },
      { reason: 'unreadable year', details: { show_id: 's9001', title: 'Coming Soon', release_year: 'TBA' } },
      { reason: 'no title', details: { show_id: 's9002', release_year: '2019' } },
    ]);
  });

  it('fails on a CSV without the expected columns', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'adapters-')), 'netflix_titles.csv.gz');
    fs.writeFileSync(file, zlib.gzipSync('show_id,type,title\ns1,Movie,Dick Johnson Is Dead\n'));
    await expect(readAll(netflixTitles, [file])).rejects.toThrow(/no column show_type, director, .* in the CSV header/);
  });
});

describe('the shipped files', () => {
  it('wikipedia-movie-data: 34,540 films, 1,733 rows without an article', async () => {
    const { records, skips } = await readAll(wikipediaMovies, wikipediaMovies.defaultFiles(rawDataDir));
    // 36,273 rows. The README's "href in 36,109 rows" counts the key: 1,569 of those rows have
    // `"href": null` and 164 have no href at all, so 36,273 − 1,733 = 34,540 films.
    expect(records).toHaveLength(34_540);
    expect(tally(skips.map((skip) => skip.reason))).toEqual({ 'no Wikipedia article': 1_733 });
    // 157 rows name an article another row names too (155 slugs; e.g. The_Train_Wreckers for a 1905
    // and a 1925 film): yielded as they are, for the pipeline to match.
    expect(records.length - new Set(records.map((record) => record.key)).size).toBe(157);
  });

  it('netflix-titles: all 8,807 rows', async () => {
    const { records, skips } = await readAll(netflixTitles, netflixTitles.defaultFiles(rawDataDir));
    // Every row has a show_id, a title, a four-digit year and the full twelve fields: none is skipped.
    expect(records).toHaveLength(8_807);
    expect(skips).toEqual([]);
    // 6,131 films and 2,676 series, of which 71 films and 176 series are listed as anime.
    expect(tally(records.map((record) => `${record.mediaType} ${record.mediaClass}`))).toEqual({
      'movie video.film': 6_060,
      'anime video.film.anime': 71,
      'tv video.series': 2_500,
      'anime video.series.anime': 176,
    });
    // Only the 831 rows with no country at all have none: every country name has its code.
    expect(records.filter((record) => record.country === null)).toHaveLength(831);
  });
});
