import path from 'node:path';
import { libretro } from '../../src/ingest/adapters/libretro';
import { rawDataDir } from '../../src/paths';
import { readAll, tally } from '../support/ingest';

/**
 * The libretro-database adapter, read over a small fixture in the dataset's own shape (real blocks
 * of the six kinds for two platforms, and made-up ones for quirks, appended to the Game Boy files)
 * and over the folder shipped in seeds/data/raw.
 */

const fixture = path.join(__dirname, 'fixtures', 'libretro', 'metadat');

const game = {
  mediaType: 'game',
  mediaClass: 'interactive.game',
  originalTitle: null,
  country: null,
  externalIds: {},
};
const gameBoy = 'Nintendo - Game Boy';
const nes = 'Nintendo - Nintendo Entertainment System';

describe('libretro-database adapter', () => {
  it('describes the source and its one folder', () => {
    expect(libretro).toMatchObject({
      name: 'libretro-database',
      label: 'libretro-database',
      homepage: 'https://github.com/libretro/libretro-database',
      licence: 'CC BY-SA 4.0',
      keyName: 'libretro_title',
    });
    expect(libretro.defaultFiles('/raw')).toEqual([path.join('/raw', 'libretro-database-metadat', 'metadat')]);
  });

  it('joins the kinds by platform and ROM name, and merges the ROMs of a title, by key', async () => {
    const { records, skips } = await readAll(libretro, [fixture]);
    expect(records).toEqual([
      {
        ...game,
        // Only the NES Tetris (USA) has a year: the Game Boy ROMs and Tetris (Europe) have none,
        // and Tetris (World) (Beta), made up with a developer and a year, is a beta.
        key: 'tetris',
        title: 'Tetris',
        otherTitles: [],
        releaseDate: '1989',
        creators: ['HiTech Software'],
        attributes: {
          platforms: [nes],
          publishers: ['Nintendo'],
          genres: ['Puzzle'],
          franchise: 'Tetris',
          release_month: 11,
        },
      },
      {
        ...game,
        // "Addams Family, The (Japan)" on the Game Boy and "(USA)" on the NES, both 1992: one game,
        // titled by the USA name. The Game Boy (Europe) ROM has no year and adds nothing.
        key: 'the addams family',
        title: 'The Addams Family',
        otherTitles: [],
        releaseDate: '1992',
        creators: ['Ocean'],
        attributes: {
          platforms: [gameBoy, nes],
          publishers: ['Ocean'],
          genres: ['Platform'],
          franchise: 'The Addams Family',
          // The Japanese ROM's month; the NES one has none.
          release_month: 10,
        },
      },
      {
        ...game,
        // Made up: escaped quotes, "Title, The" before the tags, an unquoted year, an unknown field;
        // a Europe ROM (1995, a developer) and a Japanese one (1994, a publisher) spelt differently.
        key: 'the say "hi"',
        title: 'The Say "Hi"',
        otherTitles: ['The Say "HI"'],
        releaseDate: '1994',
        creators: ['Made Up "Quoted" Studio'],
        attributes: { platforms: [gameBoy], publishers: ['Made Up Publisher'] },
      },
    ]);
    // Also made up, and not reported: "Quest Without a Year (USA)", a developer and a month.
    expect(skips).toEqual([
      { reason: 'no ROM name', details: { kind: 'developer', platform: gameBoy, line: 48 } },
      {
        reason: 'malformed block',
        details: { kind: 'developer', platform: gameBoy, line: 53, error: 'unterminated string' },
      },
      {
        reason: 'malformed block',
        details: { kind: 'developer', platform: gameBoy, line: 59, error: 'unclosed block' },
      },
    ]);
  });
});

describe('the shipped folder', () => {
  it('libretro-database: 11,303 games, and 678 blocks without a ROM name', async () => {
    const { records, skips } = await readAll(libretro, libretro.defaultFiles(rawDataDir));
    // Every ROM with a year and a developer or publisher, not a beta, proto, demo or unlicensed
    // one, merged by title: 11,303 games. 2,097 of them are PlayStation 2 games only, whose years
    // and publishers are in the PlayStation 2 developer file (the seed read each kind from its own
    // files, and there is no PlayStation 2 releaseyear file); the other 9,206 are close to the
    // seed's 9,175 "raw" games, of which it kept a sample of 2,939. 950 are on two platforms or more.
    expect(records).toHaveLength(11_303);
    expect(records.filter((record) => (record.attributes.platforms as string[]).length > 1)).toHaveLength(950);
    // Keys are unique and sorted.
    const keys = records.map((record) => record.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(keys);
    // Blocks with a crc but no ROM name (the 3DS and Dreamcast files have no names at all) cannot be
    // joined; none is malformed.
    expect(tally(skips.map((skip) => `${skip.reason}: ${String(skip.details.platform)}`))).toEqual({
      'no ROM name: Nintendo - Game Boy': 256,
      'no ROM name: Nintendo - Game Boy Advance': 6,
      'no ROM name: Nintendo - Nintendo 3DS': 160,
      'no ROM name: Nintendo - Nintendo DS': 234,
      'no ROM name: Sega - Dreamcast': 22,
    });
  });
});
