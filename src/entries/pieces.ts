import type { Request, Response } from 'express';
import type { FieldErrors } from '../http/validation';
import type { EntryRow, RemovedEntry } from './queries';
import type { Status } from './statuses';

/**
 * What a list write did, for the page that asked: every write to a list entry, whichever page's
 * form sent it, ends in one of these.
 */
export type EntryWrite =
  | { kind: 'added'; mediaId: string; title: string; status: Status; message: string }
  | { kind: 'saved'; entry: EntryRow; message: string }
  /** Nothing written: the entry as stored, with the values as typed and why they were refused. */
  | { kind: 'refused'; entry: EntryRow; typed: Record<string, string>; errors: FieldErrors; message: string }
  | { kind: 'removed'; removed: RemovedEntry; message: string }
  | { kind: 'restored'; entry: EntryRow; message: string };

/**
 * A piece of a page that htmx swaps after a list write: a home tile, a title page's tracking panel,
 * a catalog or list row. The area that draws the piece registers it (src/app.ts hands the pieces
 * to the list's routes), so the list's write handlers know no other page: with htmx, the element
 * the form swaps (HX-Target) picks the piece, and the piece draws itself and the message for the
 * live region. Without htmx every write redirects back instead.
 */
export interface EntryPiece {
  /** Whether the element htmx swaps (its id, '' for an element without one) is this piece. */
  claims(target: string): boolean;
  /** The writes it shows; for any other the next piece that claims the target answers. */
  answers: readonly EntryWrite['kind'][];
  /** Draws the piece after `write`; `back` is the page the form was on. */
  send(req: Request, res: Response, write: EntryWrite, back: string): Promise<void> | void;
}

/** The first piece that claims the swapped element and shows this kind of write. */
export function pieceFor(
  pieces: readonly EntryPiece[],
  req: Request,
  kind: EntryWrite['kind'],
): EntryPiece | undefined {
  const target = req.get('HX-Target') ?? '';
  return pieces.find((piece) => piece.answers.includes(kind) && piece.claims(target));
}
