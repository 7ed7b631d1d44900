import type { Knex } from 'knex';
import {
  chainFranchises,
  franchiseLabel,
  linkedGroups,
  withoutSeason,
  type ChainWork,
} from '../../src/ingest/franchises';
import { runIngest } from '../../src/ingest/pipeline';
import { createLogger } from '../../src/logger';
import { LTREE_PATH } from '../../src/http/validation';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { workRecord, worksSource } from '../support/ingest';

/**
 * Franchises the ingest files works under (collection_path): the labels, the sequel chains (pure),
 * and the works whose source names their franchise (libretro's games), through the pipeline.
 */

describe('a franchise label', () => {
  it.each([
    ['The Legend of Zelda', 'the_legend_of_zelda'],
    ['Pokémon', 'pokemon'],
    ['Pokemon', 'pokemon'],
    ['Pac-Man', 'pac_man'],
    ['Ōkami', 'okami'],
    ['Æon Flux', 'aeon_flux'],
    ['Die Schöne Straße', 'die_schone_strasse'],
    ['86', '86'],
    ['Sousou no Frieren: ●● no Mahou', 'sousou_no_frieren_no_mahou'],
    // Full-width Latin letters are Latin letters.
    ['ＳＥＥＤ', 'seed'],
  ])('of %s is %s', (name, label) => {
    expect(franchiseLabel(name)).toBe(label);
  });

  it.each(['進撃の巨人', '機動戦士ガンダムSEED', 'Всё о играх', '!!!', ''])('of %s is none', (name) => {
    expect(franchiseLabel(name)).toBeNull();
  });

  it('is a path the collection page takes, however long the name', () => {
    const label = franchiseLabel(`${'Very Long Franchise Name '.repeat(10)}!`)!;
    expect(label.length).toBeLessThanOrEqual(100);
    expect(label).toMatch(LTREE_PATH);
    expect(label.endsWith('_')).toBe(false);
  });
});

describe('a season’s title as its franchise’s name', () => {
  it.each([
    ['Major S1', 'Major'],
    ['Chihayafuru 2', 'Chihayafuru'],
    ['Digimon Adventure tri. 1', 'Digimon Adventure tri.'],
    ['attack on titan Season2', 'attack on titan'],
    ['My Hero Academia (Season 2)', 'My Hero Academia'],
    ['Boku no Hero Academia 2nd Season', 'Boku no Hero Academia'],
    ['Girls & Panzer: Saishuushou Part 1', 'Girls & Panzer: Saishuushou'],
    ['Re:Zero Season 2 Part 2', 'Re:Zero'],
    // What is the title, not its season, stays.
    ['Mob Psycho 100', 'Mob Psycho 100'],
    ['Area 88', 'Area 88'],
    ['86', '86'],
    ['Season 2', 'Season 2'],
  ])('%s is %s', (title, name) => {
    expect(withoutSeason(title)).toBe(name);
  });
});

describe('sequel chains', () => {
  const work = (id: string, fields: Partial<ChainWork> = {}): ChainWork => ({
    id,
    titles: [`Title ${id}`],
    releaseDate: null,
    collectionPath: null,
    ...fields,
  });

  it('are the groups the links join, directly or not, of two works or more', () => {
    const groups = linkedGroups(
      ['a', 'b', 'c', 'd', 'e', 'f'],
      [
        { from: 'a', to: 'b' },
        { from: 'c', to: 'b' },
        { from: 'd', to: 'e' },
        { from: 'x', to: 'f' },
      ],
    );
    expect(groups.map((group) => [...group].sort())).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('are filed under the earliest work’s title, whatever order the links come in', () => {
    const { paths, unnamed } = chainFranchises(
      [
        work('s2', { titles: ['Mob Psycho 100 II'], releaseDate: '2019-01-07' }),
        work('s1', { titles: ['Mob Psycho 100'], releaseDate: '2016-07-11' }),
        work('s3', { titles: ['Mob Psycho 100 III'], releaseDate: '2022-10-05' }),
      ],
      [
        { from: 's2', to: 's3' },
        { from: 's1', to: 's2' },
      ],
    );
    expect(unnamed).toBe(0);
    expect(paths).toEqual([
      { id: 's1', path: 'mob_psycho_100' },
      { id: 's2', path: 'mob_psycho_100' },
      { id: 's3', path: 'mob_psycho_100' },
    ]);
  });

  it('take the next name when the earliest work has no Latin title: its other titles, its name, a later work’s', () => {
    const chain = (first: Partial<ChainWork>, second: Partial<ChainWork> = {}) =>
      chainFranchises(
        [
          work('a', { titles: ['進撃の巨人'], releaseDate: '2013-04-07', ...first }),
          work('b', { titles: ['進撃の巨人 Season 2'], releaseDate: '2017-04-01', ...second }),
        ],
        [{ from: 'a', to: 'b' }],
      ).paths[0]?.path;
    expect(chain({ titles: ['進撃の巨人', 'Attack on Titan'] })).toBe('attack_on_titan');
    expect(chain({ name: 'Shingeki no Kyojin' })).toBe('shingeki_no_kyojin');
    expect(chain({}, { titles: ['Attack on Titan Season 2'] })).toBe('attack_on_titan');
    expect(chain({})).toBeUndefined();
  });

  it('are named after the first work along the links when their works came out the same day', () => {
    const { paths } = chainFranchises(
      [work('x', { titles: ['Later Part'] }), work('y', { titles: ['Beginning'] }), work('z', { titles: ['Middle'] })],
      [
        { from: 'z', to: 'x' },
        { from: 'y', to: 'z' },
      ],
    );
    expect(new Set(paths.map((entry) => entry.path))).toEqual(new Set(['beginning']));
  });

  it('count a chain with no name to file under, and file nothing of it', () => {
    const { paths, unnamed } = chainFranchises(
      [work('a', { titles: ['甲'] }), work('b', { titles: ['乙'] })],
      [{ from: 'a', to: 'b' }],
    );
    expect({ paths, unnamed }).toEqual({ paths: [], unnamed: 1 });
  });

  it('keep the path a work already has, and give it to the others', () => {
    const { paths } = chainFranchises(
      [
        work('a', { titles: ['First'], releaseDate: '2001' }),
        work('b', { titles: ['Second'], releaseDate: '2002', collectionPath: 'saga.anime' }),
        work('c', { titles: ['Third'], releaseDate: '2003', collectionPath: 'other' }),
      ],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    );
    // The earliest path in the chain wins; the works that have one keep theirs.
    expect(paths).toEqual([{ id: 'a', path: 'saga.anime' }]);
  });
});

describe('franchises a source names, through the pipeline', () => {
  let db: TestDatabase;
  let knex: Knex;
  const logger = createLogger('silent');

  beforeAll(async () => {
    db = await createEmptyDatabase();
    knex = db.knex;
    await knex.migrate.latest();
  });

  afterAll(async () => {
    await db.drop();
  });

  const game = (key: string, franchise?: string) =>
    workRecord(key, {
      mediaType: 'game',
      mediaClass: 'interactive.game',
      title: key,
      releaseDate: '1996',
      attributes: franchise === undefined ? {} : { franchise },
    });

  it('files each work under its franchise’s label, only where it has none, and once', async () => {
    const games = worksSource('test-games', 'test_game', [
      game('Pokémon Red', 'Pokémon'),
      game('Pokemon Pinball', 'Pokemon'),
      game('Mega Man 8', 'Mega Man'),
      game('Filed Already', 'Mega Man'),
      game('No Franchise'),
      game('Unlabelled', 'ロックマン'),
    ]);
    await runIngest(knex, worksSource('test-games', 'test_game', []), ['memory'], logger);
    const [filed] = await knex('media.media')
      .insert({
        media_type: 'game',
        media_class: 'interactive.game',
        title: 'Filed Already',
        release_date: '1996-01-01',
      })
      .returning<{ id: string }[]>('id');
    await knex('media.media')
      .where({ id: filed!.id })
      .update({ collection_path: knex.raw("'capcom.mega_man'::ltree") });

    const { summary } = await runIngest(knex, games, ['memory'], logger);
    const paths = Object.fromEntries(
      (
        await knex('media.media').select<{ title: string; path: string | null }[]>(
          'title',
          knex.raw('collection_path::text as path'),
        )
      ).map((row) => [row.title, row.path]),
    );
    expect(paths).toEqual({
      'Pokémon Red': 'pokemon',
      'Pokemon Pinball': 'pokemon',
      'Mega Man 8': 'mega_man',
      // Matched by its title, and filed by an administrator already.
      'Filed Already': 'capcom.mega_man',
      'No Franchise': null,
      Unlabelled: null,
    });
    expect(summary.collections).toBe(3);
    expect((await runIngest(knex, games, ['memory'], logger)).summary.collections).toBe(0);
  });
});
