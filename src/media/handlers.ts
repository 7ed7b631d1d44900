import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { entryView } from '../entries/entry-view';
import { findEntry, statusesOf } from '../entries/queries';
import { ratingOnScale, scaleView } from '../entries/ratings';
import { DEFAULT_RATING_SCALE } from '../entries/ratings';
import { STATUS_LABELS, type Status } from '../entries/statuses';
import { attributeList, descriptionOf, externalIdList } from './presentation';
import { classTrail, externalIds, findCollection, findMediaDetail, humanPath, watchOrder } from './queries';
import {
  linkFromInput,
  listRelated,
  listRelationshipKinds,
  removeRelationship,
  type RelatedTitle,
} from './relationship-queries';
import { isFragmentRequest } from '../http/fragments';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { checked, notFound } from '../http/validate';
import { collectionParams, linkFormSchema, linkParams, mediaIdParams, noSuchTitle } from './validation';

type Viewer = Request['user'];

/**
 * A title's links as its page shows them: grouped by kind with the viewer's status for each (one
 * query for all), the watch order, and for administrators the kinds the link form offers.
 */
async function linksView(knex: Knex, id: string, user: Viewer) {
  const [related, chain, kinds] = await Promise.all([
    listRelated(knex, id),
    watchOrder(knex, id),
    user?.role === 'admin' ? listRelationshipKinds(knex) : [],
  ]);
  const statuses = user
    ? await statusesOf(
        knex,
        user.id,
        related.map((item) => item.id),
      )
    : new Map<string, Status>();
  const groups: { kind: string; label: string; items: (RelatedTitle & { statusLabel: string | null })[] }[] = [];
  for (const item of related) {
    const shown = { ...item, statusLabel: statuses.has(item.id) ? STATUS_LABELS[statuses.get(item.id)!] : null };
    const group = groups.at(-1)?.kind === item.kind ? groups.at(-1)! : undefined;
    if (group) group.items.push(shown);
    else groups.push({ kind: item.kind, label: item.kindLabel, items: [shown] });
  }
  return { groups, chain: chain.length > 1 ? chain : [], kinds, isAdmin: user?.role === 'admin' };
}

/** The admin link form as drawn: empty, or after a refusal with the values typed and the errors. */
interface LinkFormState {
  errors: Record<string, string>;
  linkForm: { kind: string; targetId: string };
}

const EMPTY_LINK_FORM: LinkFormState = { errors: {}, linkForm: { kind: '', targetId: '' } };

/**
 * A title's page. A bounded number of queries whatever its links: the title with its trackers,
 * its class trail, its external ids, its links, the watch order, and for a viewer their entry and
 * their status for every linked title.
 */
async function renderMediaPage(
  knex: Knex,
  req: Request,
  res: Response,
  next: NextFunction,
  id: string,
  { errors, linkForm }: LinkFormState,
): Promise<void> {
  const media = await findMediaDetail(knex, id);
  if (!media) return next(createError(404, 'There is no such title.'));
  const user = req.user;
  const [trail, ids, links, entry] = await Promise.all([
    classTrail(knex, media.mediaClass),
    externalIds(knex, id),
    linksView(knex, id, user),
    user ? findEntry(knex, user.id, id) : undefined,
  ]);
  const scale = user?.ratingScale ?? DEFAULT_RATING_SCALE;
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
    ...links,
    panel: { mediaId: id, title: media.title, entry: entry ? entryView(entry, scale) : null, removed: false },
    errors,
    returnUrl: mediaPath(id),
    linkForm,
    collectionUrl: media.collectionPath ? `/collections/${media.collectionPath}` : null,
    collectionLabel: media.collectionPath?.split('.').map(humanPath).join(' › ') ?? null,
  });
}

/** GET /media/:id: a title's page. */
export function showMedia(knex: Knex): RequestHandler {
  return checked({ schemas: { params: mediaIdParams }, refuse: noSuchTitle }, (req, res, { params }, next) =>
    renderMediaPage(knex, req, res, next, params.id, EMPTY_LINK_FORM),
  );
}

const mediaPath = (id: string) => `/media/${id}`;

/**
 * The Related section again after an htmx change on it (a link made, refused or removed), with
 * the watch order out of band (a sequel link changes it) and the message for the live region.
 */
async function sendRelated(
  knex: Knex,
  req: Request,
  res: Response,
  id: string,
  answer: { message: string; errors?: Record<string, string>; linkForm?: { kind: string; targetId: string } },
) {
  const links = await linksView(knex, id, req.user);
  res.render('media/related-fragment', {
    layout: false,
    ...links,
    media: { id },
    returnUrl: mediaPath(id),
    errors: answer.errors ?? {},
    linkForm: answer.linkForm ?? { kind: '', targetId: '' },
    focusHeading: !answer.errors,
    message: answer.message,
  });
}

const COLLECTION_LIMIT = 500;

/** GET /collections/:path: a franchise, every title at or below it in release order, and its parts. */
export function showCollection(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: collectionParams }, refuse: notFound('There is no such franchise.') },
    async (req, res, { params }, next) => {
      const { path } = params;
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
    },
  );
}

/**
 * The admin link form refused (422, or 409 for a link that exists), nothing written: the page again
 * with the form's values and its error, or with htmx the Related section.
 */
async function refuseLink(
  knex: Knex,
  req: Request,
  res: Response,
  next: NextFunction,
  sourceId: string,
  refused: { status: number; errors: Record<string, string>; typed: Record<string, string> },
) {
  const { status, errors, typed } = refused;
  res.status(status);
  const linkForm = { kind: (typed.kind ?? '').slice(0, 500), targetId: (typed.target_id ?? '').slice(0, 300) };
  if (isFragmentRequest(req, res)) {
    const message = `Not linked: ${Object.values(errors)[0]}`;
    return sendRelated(knex, req, res, sourceId, { message, errors, linkForm });
  }
  return renderMediaPage(knex, req, res, next, sourceId, { errors, linkForm });
}

/**
 * POST /media/:id/relationships (form): administrators link this title to another, the inverse
 * written with it, as the API does. Back to the page with a message (with htmx, the Related section
 * again); a refusal shows the form again with its values and its error.
 */
export function linkFromPage(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: mediaIdParams, body: linkFormSchema }, refuse: noSuchTitle },
    async (req, res, { params, body, typed }, next) => {
      const sourceId = params.id;
      const linked = await linkFromInput(knex, sourceId, { kind: body.kind, targetId: body.target_id });
      if ('refused' in linked) {
        const { reason, field, message } = linked.refused;
        if (!field) return next(createError(404, message));
        // A form's bad value is 422 (the API says 404 for an unknown target), a link that exists 409.
        const status = reason === 'duplicate' ? 409 : 422;
        const errors = { [field === 'kind' ? 'kind' : 'target_id']: message };
        return refuseLink(knex, req, res, next, sourceId, { status, errors, typed });
      }
      const message = `Linked: ${linked.kind.label.toLowerCase()}, and the other way on the other title’s page.`;
      if (isFragmentRequest(req, res)) return sendRelated(knex, req, res, sourceId, { message });
      setFlash(req, 'status', message);
      redirectAfterSaving(req, res, next, mediaPath(sourceId));
    },
  );
}

/** POST /media/:id/relationships/:kind/:targetId/delete (form): administrators remove a link and its inverse. */
export function unlinkFromPage(knex: Knex): RequestHandler {
  return checked({ schemas: { params: linkParams }, refuse: noSuchTitle }, async (req, res, { params }, next) => {
    const { id: sourceId, targetId } = params;
    const kind = (await listRelationshipKinds(knex)).find((candidate) => candidate.kind === params.kind);
    if (!kind || !(await removeRelationship(knex, { sourceId, kind, targetId }))) {
      return next(createError(404, 'There is no such link.'));
    }
    const message = 'The link is removed, on both titles.';
    if (isFragmentRequest(req, res)) return sendRelated(knex, req, res, sourceId, { message });
    setFlash(req, 'status', message);
    redirectAfterSaving(req, res, next, mediaPath(sourceId));
  });
}
