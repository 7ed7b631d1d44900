import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { progressText } from '../entries/rules';
import { countMediaByType, listTile, listTotals, type TileItem, type TileKind } from './queries';

/** How many titles each tile shows. */
const TILE_SIZE = 6;

const TILES: { kind: TileKind; heading: string; empty: string; signedIn: boolean }[] = [
  {
    kind: 'continue',
    heading: 'Continue',
    empty: 'Nothing in progress. Start something from Up next, or find a title in the catalog.',
    signedIn: true,
  },
  { kind: 'up-next', heading: 'Up next', empty: 'Nothing planned yet: add titles as Planning.', signedIn: true },
  { kind: 'popular', heading: 'Popular', empty: 'Nobody tracks anything yet.', signedIn: false },
  { kind: 'recent', heading: 'Recently added', empty: 'The catalog is empty.', signedIn: false },
  { kind: 'newest', heading: 'Newest releases', empty: 'Nothing released yet.', signedIn: false },
];

/** What a tile's template needs of a title: the item and its progress as text. */
export function tileView(item: TileItem) {
  return { ...item, progressText: progressText(item.progress, item.total, item.unit) };
}

/**
 * The home page: what OmniMediaTrak is; for a signed-in user their totals and the tiles of their
 * own titles (Continue, Up next), for everyone Popular, Recently added and Newest releases, each title with the
 * tables' actions. Anonymous visitors get what the catalog holds and the calls to sign in.
 */
export function showHome(knex: Knex): RequestHandler {
  return async (req, res) => {
    const userId = req.user?.id;
    const shown = TILES.filter((tile) => userId || !tile.signedIn);
    const [typeCounts, totals, ...items] = await Promise.all([
      userId ? [] : countMediaByType(knex),
      userId ? listTotals(knex, userId) : null,
      ...shown.map((tile) => listTile(knex, tile.kind, userId, TILE_SIZE)),
    ]);
    res.locals.section = 'home';
    res.render('home/index', {
      title: 'OmniMediaTrak',
      page: 'home',
      typeCounts,
      total: typeCounts.reduce((sum, row) => sum + row.count, 0),
      totals,
      year: new Date().getUTCFullYear(),
      tiles: shown.map((tile, index) => ({ ...tile, items: items[index]!.map(tileView) })),
    });
  };
}
