import type { RequestHandler } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { countEntriesByStatus, findProfile, STATUS_LABELS, STATUSES } from '../users/queries';

const USERNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$/;

/** A user's public page; a private profile is a 404 to everyone but its owner, as is an unknown name. */
export function showProfile(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const username = String(req.params.username ?? '');
    // Only a name that could exist is looked up (no query for "%", NUL bytes and the like).
    const profile = USERNAME_PATTERN.test(username) ? await findProfile(knex, username) : undefined;
    const isOwner = profile !== undefined && req.user?.id === profile.id;
    if (!profile || (profile.profileVisibility === 'private' && !isOwner)) return next(createError(404));
    const counts = await countEntriesByStatus(knex, profile.id);
    if (isOwner) res.locals.section = 'profile';
    res.render('profiles/show', {
      title: `${profile.username}'s profile`,
      page: 'profile',
      profile,
      isOwner,
      statuses: STATUSES.map((status) => ({ status, label: STATUS_LABELS[status], count: counts[status] })),
      total: Object.values(counts).reduce((sum, count) => sum + count, 0),
    });
  };
}
