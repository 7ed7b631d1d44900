import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { rowView } from '../list/handlers';
import { findListRow } from '../list/queries';
import { ratingOnScale, scaleView } from '../list/rules';
import { DEFAULT_RATING_SCALE, STATUS_LABELS, type Status } from '../users/queries';
import { mediaIdFrom } from './api';
import { attributeList, descriptionOf, externalIdList } from './presentation';
import { classTrail, externalIds, findCollection, findMediaDetail, humanPath, statusesOf, watchOrder } from './queries';
import { linkFromInput, listRelated, listRelationshipKinds, removeRelationship } from './relationships';
import { redirectAfterSaving, setFlash } from '../http/flash';

/**
 * GET /media/:id: a title's page. A bounded number of queries whatever its links: the title with
 * its trackers, its class trail, its external ids, its links, the watch order, and for a viewer
 * their entry and their status for every linked title (one query for all).
 */
export function showMedia(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const id = mediaIdFrom(req.params.id);
    const media = await findMediaDetail(knex, id);
    if (!media) return next(createError(404, 'There is no such title.'));
    const user = req.user;
    const [trail, ids, related, chain, entry, kinds] = await Promise.all([
      classTrail(knex, media.mediaClass),
      externalIds(knex, id),
      listRelated(knex, id),
      watchOrder(knex, id),
      user ? findListRow(knex, user.id, id) : undefined,
      user?.role === 'admin' ? listRelationshipKinds(knex) : [],
    ]);
    const statuses = user
      ? await statusesOf(
          knex,
          user.id,
          related.map((item) => item.id),
        )
      : new Map<string, Status>();
    const groups: { kind: string; label: string; items: (typeof related)[number][] }[] = [];
    for (const item of related) {
      const group = groups.at(-1)?.kind === item.kind ? groups.at(-1)! : undefined;
      if (group) group.items.push(item);
      else groups.push({ kind: item.kind, label: item.kindLabel, items: [item] });
    }
    const scale = user?.ratingScale ?? DEFAULT_RATING_SCALE;
    const here = `/media/${id}`;
    res.locals.section = 'catalog';
    res.render('media/show', {
      title: media.title,
      page: 'media',
      media,
      trail: trail.map((step) => ({ ...step, url: `/catalog?class=${encodeURIComponent(step.mediaClass)}` })),
      attributes: attributeList(media.attributes),
      description: descriptionOf(media.attributes),
      externalIds: externalIdList(ids, media.mediaType),
      averageShown: media.averageRating === null ? null : ratingOnScale(media.averageRating, scale),
      scale: scaleView(scale),
      groups: groups.map((group) => ({
        ...group,
        items: group.items.map((item) => ({
          ...item,
          statusLabel: statuses.has(item.id) ? STATUS_LABELS[statuses.get(item.id)!] : null,
        })),
      })),
      chain: chain.length > 1 ? chain : [],
      entry: entry ? rowView(entry, scale) : null,
      errors: res.locals.errors ?? {},
      returnUrl: here,
      isAdmin: user?.role === 'admin',
      kinds,
      linkForm: res.locals.linkForm ?? { kind: '', targetId: '' },
      collectionUrl: media.collectionPath ? `/collections/${media.collectionPath}` : null,
      collectionLabel: media.collectionPath?.split('.').map(humanPath).join(' › ') ?? null,
    });
  };
}

const COLLECTION_PATH = /^[A-Za-z0-9_]{1,100}(\.[A-Za-z0-9_]{1,100}){0,20}$/;
const COLLECTION_LIMIT = 500;

/** GET /collections/:path: a franchise, every title at or below it in release order, and its parts. */
export function showCollection(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const path = String(req.params.path);
    if (!COLLECTION_PATH.test(path)) return next(createError(404, 'There is no such franchise.'));
    const { titles, children, total } = await findCollection(knex, path, COLLECTION_LIMIT);
    if (total === 0) return next(createError(404, 'There is no such franchise.'));
    const labels = path.split('.');
    res.locals.section = 'catalog';
    res.render('media/collection', {
      title: labels.map(humanPath).join(' › '),
      page: 'collection',
      trail: labels.map((label, index) => ({
        label: humanPath(label),
        url: `/collections/${labels.slice(0, index + 1).join('.')}`,
        current: index === labels.length - 1,
      })),
      titles,
      total,
      shown: titles.length,
      children: children.map((child) => ({
        label: humanPath(child.path.split('.').at(-1)!),
        url: `/collections/${child.path}`,
        titles: child.titles,
      })),
    });
  };
}

/** The media page again with the admin link form's error (422), nothing written. */
async function refuseLink(
  knex: Knex,
  req: Request,
  res: Response,
  next: NextFunction,
  status: number,
  errors: Record<string, string>,
) {
  res.status(status);
  res.locals.errors = errors;
  res.locals.linkForm = {
    kind: typeof req.body?.kind === 'string' ? req.body.kind : '',
    targetId: typeof req.body?.target_id === 'string' ? req.body.target_id.slice(0, 100) : '',
  };
  return showMedia(knex)(req, res, next);
}

/**
 * POST /media/:id/relationships (form): administrators link this title to another, the inverse
 * written with it, as the API does. Back to the page with a message; a refusal shows the page
 * again with the form's values and its error.
 */
export function linkFromPage(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const sourceId = mediaIdFrom(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const linked = await linkFromInput(knex, sourceId, { kind: body.kind, targetId: body.target_id });
    if ('refused' in linked) {
      const { reason, field, message } = linked.refused;
      if (!field) return next(createError(404, message));
      // A form's bad value is 422 (the API says 404 for an unknown target), a link that exists 409.
      const status = reason === 'duplicate' ? 409 : 422;
      return refuseLink(knex, req, res, next, status, { [field === 'kind' ? 'kind' : 'target_id']: message });
    }
    const { kind } = linked;
    setFlash(req, 'status', `Linked: ${kind.label.toLowerCase()}, and the other way on the other title’s page.`);
    redirectAfterSaving(req, res, next, `/media/${sourceId}`);
  };
}

/** POST /media/:id/relationships/:kind/:targetId/delete (form): administrators remove a link and its inverse. */
export function unlinkFromPage(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const sourceId = mediaIdFrom(req.params.id);
    const targetId = mediaIdFrom(req.params.targetId);
    const kind = (await listRelationshipKinds(knex)).find((candidate) => candidate.kind === req.params.kind);
    if (!kind || !(await removeRelationship(knex, { sourceId, kind, targetId }))) {
      return next(createError(404, 'There is no such link.'));
    }
    setFlash(req, 'status', 'The link is removed, on both titles.');
    redirectAfterSaving(req, res, next, `/media/${sourceId}`);
  };
}
