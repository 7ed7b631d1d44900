import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { countMediaByType, listNewestReleases } from './queries';

const NEWEST_COUNT = 8;

/** The home page: what OmniMediaTrak is, what the catalog holds, and what came out last. */
export function showHome(knex: Knex): RequestHandler {
  return async (_req, res) => {
    const [typeCounts, newest] = await Promise.all([countMediaByType(knex), listNewestReleases(knex, NEWEST_COUNT)]);
    const total = typeCounts.reduce((sum, row) => sum + row.count, 0);
    res.locals.section = 'home';
    res.render('home/index', { title: 'OmniMediaTrak', page: 'home', typeCounts, total, newest });
  };
}
