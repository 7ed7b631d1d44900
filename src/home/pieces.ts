import { currentUser } from '../auth/guards';
import createError from 'http-errors';
import type { Knex } from 'knex';
import type { EntryPiece } from '../entries/pieces';
import { tileView } from './handlers';
import { findTileItem, type TileKind } from './queries';

const TILE_TARGET = /^tile-(continue|up-next|popular|recent|newest)-[0-9a-f-]{36}$/;

/**
 * A home tile (tile-KIND-ID) again after an Add, a status change or a +1 on it, and the message
 * for the live region. A tile has no room for errors: after a refusal it shows what is stored.
 */
export function homeTilePiece(knex: Knex): EntryPiece {
  return {
    claims: (target) => TILE_TARGET.test(target),
    answers: ['added', 'saved', 'refused'],
    async send(req, res, write) {
      const kind = TILE_TARGET.exec(req.get('HX-Target') ?? '')![1] as TileKind;
      if (write.kind === 'removed' || write.kind === 'restored') {
        throw new Error(`a home tile does not show a write of kind ${write.kind}`);
      }
      const mediaId = write.kind === 'added' ? write.mediaId : write.entry.mediaId;
      const item = await findTileItem(knex, mediaId, currentUser(req).id);
      if (!item) throw createError(404, 'There is no such title.');
      // Once it is no longer in progress the tile has no +1: focus goes to its status instead.
      const focus =
        write.kind === 'added' || (write.kind === 'saved' && write.entry.status !== 'in_progress')
          ? 'status'
          : undefined;
      res.render('home/tile-saved', { layout: false, item: tileView(item), tile: kind, focus, message: write.message });
    },
  };
}
