import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../support/app';
import { createFullCatalogDatabase, type TestDatabase } from '../support/database';

/**
 * The relevance suite: what people type to find well-known works, and the titles that must come
 * back among the first three, on the full catalog the datasets make (src/ingest), through the
 * catalog page as a visitor asks for it. Every expectation is a work the datasets hold; a query
 * is here because it once failed or because it stands for a way of typing: a misspelling, the
 * start of a title, a title in another language or script.
 */

const TOP = 3;

/** [what is typed, the titles that must all be in the top three, why it is here] */
const SEARCHES: [string, string[], string][] = [
  // Films
  ['the godfather', ['The Godfather'], 'a title typed whole'],
  ['godfathr', ['The Godfather'], 'a typo, not outranked by shorter words such as "god"'],
  ['shawshank', ['The Shawshank Redemption'], 'the start of a title, "the" left off'],
  ['pulp fiktion', ['Pulp Fiction'], 'a typo in the second word'],
  ['casablanka', ['Casablanca'], 'a typo'],
  ['citizen kane', ['Citizen Kane'], 'a title typed whole'],
  ['back to the futur', ['Back to the Future'], 'a title typed up to its last letter'],
  ['interstelar', ['Interstellar'], 'a letter left out'],
  ['the matrix', ['The Matrix'], 'a whole title among its sequels'],
  ['schindlers list', ["Schindler's List"], 'the apostrophe left out'],
  ['forest gump', ['Forrest Gump'], 'a misspelling that is itself a word'],
  ['dark knigt', ['The Dark Knight'], 'a typo in a title of common words'],
  // Series
  ['stranger things', ['Stranger Things'], 'a series typed whole'],
  ['breaking bad', ['Breaking Bad'], 'a series, ahead of the film named after it'],
  ['black mirror', ['Black Mirror'], 'a series typed whole'],
  ['squid game', ['Squid Game'], 'a series typed whole'],
  // Anime
  ['attack on titan', ['Attack on Titan'], 'an anime by its English title'],
  ['進撃の巨人', ['Attack on Titan'], 'its Japanese title'],
  ['进击的巨人', ['Attack on Titan'], 'its Chinese title (simplified), in no title’s words'],
  ['進擊的巨人', ['Attack on Titan'], 'its Chinese title (traditional)'],
  ['spirted away', ['Spirited Away'], 'an anime film misspelt'],
  ['千と千尋の神隠し', ['Spirited Away'], 'its Japanese original title'],
  ['千与千寻', ['Spirited Away'], 'its Chinese title'],
  ['となりのトトロ', ['My Neighbor Totoro'], 'a Japanese original title'],
  ['君の名は', ['Your Name.'], 'the start of a Japanese title'],
  ['ハウルの動く城', ['Howl’s Moving Castle'], 'a Japanese original title'],
  ['ドラゴンボール', ['DRAGON BALL'], 'a Japanese title whose kana carry voicing marks (ド, ゴ, ボ)'],
  ['howls moving castle', ['Howl’s Moving Castle'], 'the apostrophe left out, "howls" being a word'],
  ['kimetsu no yaiba', ['Demon Slayer: Kimetsu no Yaiba'], 'the romanised half of a title'],
  ['鬼滅の刃', ['Demon Slayer: Kimetsu no Yaiba'], 'the start of its Japanese title'],
  // Netflix's Glitter Force is bangumi-data's SMILE PRECURE!: one work, titled as Netflix publishes it.
  ['glitter force', ['Glitter Force'], 'the title Netflix gives an anime'],
  ['smile precure', ['Glitter Force'], 'another title the same work is known by'],
  ['cowboy bebop', ['COWBOY BEBOP'], 'a title in capitals typed in lower case'],
  // Books
  ['harry poter', ["Harry Potter and the Sorcerer's Stone"], 'a typo in the start of a title: the most read first'],
  [
    "harry potter and the philosopher's stone",
    ["Harry Potter and the Sorcerer's Stone"],
    'the original title of a book published under another',
  ],
  ['lord of the rngs', ['The Lord of the Rings'], 'a typo among short words'],
  ['to kill a mockinbird', ['To Kill a Mockingbird'], 'a letter left out of a long word'],
  ['pride and predjudice', ['Pride and Prejudice'], 'a letter too many'],
  ['le petit prince', ['The Little Prince'], 'a book by its original French title'],
  ['hunger games', ['The Hunger Games'], 'a title without its "the"'],
  ['les miserables', ['Les Misérables'], 'accents left off'],
  // Games
  ['super mario 64', ['Super Mario 64'], 'a game with a number in its title'],
  ['legend of zelda', ['The Legend of Zelda'], 'a game among its many sequels'],
  ['ocarina of time', ['The Legend of Zelda - Ocarina of Time'], 'the subtitle alone'],
  ['sonic the hedgehog', ['Sonic The Hedgehog'], 'a game and its film'],
  ['pokémon snap', ['Pokemon Snap'], 'an accent the title does not have'],
  ['donkey kong country', ['Donkey Kong Country'], 'a game among its sequels'],
  ['street fightr', ['Street Fighter'], 'a typo in the last word'],
];

describe('the catalog search, on the full catalog', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createFullCatalogDatabase();
    app = createTestApp(db.knex);
  }, 600_000);

  afterAll(async () => {
    await db?.drop();
  });

  /** The titles of the first page of a search, best first, as the page shows them. */
  const firstTitles = async (q: string): Promise<string[]> => {
    const response = await request(app).get(`/catalog?q=${encodeURIComponent(q)}`);
    expect(response.status).toBe(200);
    const $ = cheerio.load(response.text);
    return $('#rows tr th[scope="row"]')
      .map((_, cell) => $(cell).contents().first().text().trim())
      .get();
  };

  it('holds the datasets, not only the seed catalog', async () => {
    const [{ works } = { works: 0 }] = await db.knex('media.media').count<{ works: string }[]>({ works: '*' });
    expect(Number(works)).toBeGreaterThan(50_000);
  });

  it.each(SEARCHES)('finds "%s" in the top three: %j (%s)', async (q, expected) => {
    const top = (await firstTitles(q)).slice(0, TOP);
    for (const title of expected) expect(top).toContain(title);
  });
});
