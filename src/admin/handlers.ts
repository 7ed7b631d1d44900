import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { countPeopleTrackingBoth, NotesTooLongError } from '../entries/merge-queries';
import { MAX_NOTES } from '../entries/rules';
import { redirectAfterSaving, setFlash } from '../http/flash';
import { formatNumber } from '../http/format';
import { checked, neverRefused, type Refusal } from '../http/validate';
import { retireDuplicate, type Retirement, type RetirementOutcome } from './merge-queries';
import { counted, runView, workView } from './presentation';
import {
  countOrphanConflicts,
  describeWorks,
  findRun,
  keepApart,
  listConflictPairs,
  listLikelyDuplicates,
  listRunLog,
  listSources,
  openConflictReasons,
  type Pair,
  type SourceKey,
  type WorkSummary,
} from './queries';
import {
  catalogAdminQuery,
  nothingThere,
  OPEN_REASONS,
  pairActionBody,
  pairParams,
  reasonLabel,
  runLogQuery,
  runParams,
} from './validation';

/**
 * The catalog administration (administrators only, see routes.ts): the sources and their runs,
 * the open conflicts and the likely duplicates, each a pair of works to merge or keep apart.
 * Every action is a form: Merge goes through a page that says what will happen.
 */

const PAIRS_PER_PAGE = 20;
const LOG_LINES_PER_PAGE = 100;
const HOME = '/admin/catalog';

const pairPath = (pair: Pair) => `/admin/catalog/pairs/${pair.duplicateId}/${pair.keptId}`;

/** The page's address with these lists' states (the defaults left out), and the list to bring into view. */
function catalogAdminUrl(state: { reason: string | null; conflicts: number; duplicates: number }, anchor?: string) {
  const query = new URLSearchParams();
  if (state.reason) query.set('reason', state.reason);
  if (state.conflicts > 1) query.set('conflicts', String(state.conflicts));
  if (state.duplicates > 1) query.set('duplicates', String(state.duplicates));
  const text = query.toString();
  return `${HOME}${text ? `?${text}` : ''}${anchor ? `#${anchor}` : ''}`;
}

/** Previous and next links of a list, and where it stands. */
function paging(page: number, total: number, perPage: number, urlOf: (page: number) => string) {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  return {
    page,
    lastPage,
    previousUrl: page > 1 ? urlOf(Math.min(page - 1, lastPage)) : null,
    nextUrl: page < lastPage ? urlOf(page + 1) : null,
  };
}

/** A pair as the page lists it, or null when a work went between the two reads (it is left out). */
function pairView(works: Map<string, WorkSummary>, pair: Pair) {
  const duplicate = works.get(pair.duplicateId);
  const kept = works.get(pair.keptId);
  if (!duplicate || !kept) return null;
  return {
    duplicate: workView(duplicate),
    kept: workView(kept),
    mergeUrl: `${pairPath(pair)}/merge`,
    keepApartAction: `${pairPath(pair)}/keep-apart`,
  };
}

/** How many works a source describes, or why that is no number. */
function worksDescribed(keys: readonly SourceKey[], name: string, works: number | null): string {
  if (works !== null) return formatNumber(works);
  const key = keys.find((candidate) => candidate.name === name);
  return key ? 'None of its own: it adds ids and links to other sources’ works' : 'Not known: no adapter reads it now';
}

/** GET /admin/catalog: sources, open conflicts (filtered by reason), likely duplicates. */
export function showCatalogAdmin(knex: Knex, keys: readonly SourceKey[]): RequestHandler {
  return checked({ schemas: { query: catalogAdminQuery }, refuse: neverRefused }, async (req, res, { query }) => {
    const [sources, conflicts, orphans, duplicates] = await Promise.all([
      listSources(knex, keys),
      listConflictPairs(knex, keys, {
        reason: query.reason,
        limit: PAIRS_PER_PAGE,
        offset: (query.conflicts - 1) * PAIRS_PER_PAGE,
      }),
      countOrphanConflicts(knex, keys),
      listLikelyDuplicates(knex, keys, { limit: PAIRS_PER_PAGE, offset: (query.duplicates - 1) * PAIRS_PER_PAGE }),
    ]);
    const works = await describeWorks(knex, keys, [
      ...new Set([...conflicts.pairs, ...duplicates.pairs].flatMap((pair) => [pair.duplicateId, pair.keptId])),
    ]);
    // Where Keep apart comes back to: this page, as it is.
    const next = catalogAdminUrl(query);
    res.locals.section = 'admin';
    res.render('admin/catalog', {
      title: 'Catalog administration',
      page: 'admin-catalog',
      next,
      sources: sources.map((source) => ({
        ...source,
        worksShown: worksDescribed(keys, source.name, source.works),
        lastRun: source.lastRun && runView(source.lastRun),
      })),
      reasons: OPEN_REASONS.map((reason) => ({ value: reason, label: reasonLabel(reason) })),
      reason: query.reason,
      unknownReason: query.unknownReason,
      orphans,
      conflicts: {
        total: conflicts.total,
        rows: conflicts.pairs.flatMap((pair) => {
          const shown = pairView(works, pair);
          return shown
            ? [{ ...shown, reasons: pair.reasons.map(reasonLabel), externalIds: pair.externalIds, record: pair }]
            : [];
        }),
        ...paging(query.conflicts, conflicts.total, PAIRS_PER_PAGE, (conflictsPage) =>
          catalogAdminUrl({ ...query, conflicts: conflictsPage }, 'conflicts-heading'),
        ),
      },
      duplicates: {
        total: duplicates.total,
        rows: duplicates.pairs.flatMap((pair) => pairView(works, pair) ?? []),
        ...paging(query.duplicates, duplicates.total, PAIRS_PER_PAGE, (duplicatesPage) =>
          catalogAdminUrl({ ...query, duplicates: duplicatesPage }, 'duplicates-heading'),
        ),
      },
    });
  });
}

/** GET /admin/catalog/runs/:jobId: a run with its counts, and its log a page at a time. */
export function showRunLog(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: runParams, query: runLogQuery }, refuse: nothingThere },
    async (req, res, { params, query }, next) => {
      const run = await findRun(knex, params.jobId);
      if (!run) return next(createError(404, 'There is no such run.'));
      const { lines, total } = await listRunLog(knex, run.id, {
        limit: LOG_LINES_PER_PAGE,
        offset: (query.page - 1) * LOG_LINES_PER_PAGE,
      });
      const shown = runView(run);
      res.locals.section = 'admin';
      res.render('admin/run', {
        title: `Run log: ${run.sourceLabel}`,
        page: 'admin-run',
        run: shown,
        total,
        lines: lines.map((line) => ({
          ...line,
          details: line.details === null ? null : JSON.stringify(line.details),
        })),
        firstLine: (query.page - 1) * LOG_LINES_PER_PAGE + 1,
        logPages: paging(query.page, total, LOG_LINES_PER_PAGE, (page) => `${shown.logUrl}?page=${page}`),
      });
    },
  );
}

/** An administration action refused: its status, a page saying why, and the way back. */
function refuseAction(res: Response, status: number, heading: string, message: string): void {
  res.status(status);
  res.locals.section = 'admin';
  res.render('admin/refused', { title: heading, page: 'admin-refused', heading, message, back: HOME });
}

/** A pair action refused at the edge: a path that names no work is a 404, a body that is no form a 422. */
function refusePairAction(req: Request, res: Response, refusal: Refusal, next: NextFunction): void {
  if (refusal.part === 'params') return nothingThere(req, res, refusal, next);
  refuseAction(res, 422, 'Not understood', 'The form was not understood: go back to the page and try again.');
}

const SAME_WORK = 'A work cannot be merged with itself, nor kept apart from itself: choose two different works.';
const WORK_GONE = 'One of the two works is not in the catalog (it may have been merged already).';

/**
 * The confirmation page of a merge, also drawn again (with `error`, 409) when the merge was
 * refused: both works, what moves, the Merge button, and the other way round.
 */
async function renderMergePage(
  knex: Knex,
  keys: readonly SourceKey[],
  res: Response,
  pair: Pair,
  back: string,
  error?: string,
): Promise<void> {
  if (pair.duplicateId === pair.keptId) return refuseAction(res, 422, 'Not two works', SAME_WORK);
  const [works, both, reasons] = await Promise.all([
    describeWorks(knex, keys, [pair.duplicateId, pair.keptId]),
    countPeopleTrackingBoth(knex, pair.duplicateId, pair.keptId),
    openConflictReasons(knex, keys, pair),
  ]);
  const duplicate = works.get(pair.duplicateId);
  const kept = works.get(pair.keptId);
  if (!duplicate || !kept) return refuseAction(res, 404, 'No such work', WORK_GONE);
  res.locals.section = 'admin';
  res.render('admin/merge', {
    // The work's titles are in the heading: a page title that long would be cut in tabs and lists.
    title: 'Merge two works',
    page: 'admin-merge',
    errors: error ? { merge: error } : {},
    duplicate: workView(duplicate),
    kept: workView(kept),
    moving: {
      entries: counted(duplicate.trackingCount - both, 'person’s entry moves', 'people’s entries move'),
      joined: counted(both, 'person tracks', 'people track'),
      ids: counted(duplicate.externalIds.length, 'id moves', 'ids move'),
    },
    reasons: reasons.map(reasonLabel),
    action: `${pairPath(pair)}/merge`,
    swapUrl: `${pairPath({ duplicateId: pair.keptId, keptId: pair.duplicateId })}/merge`,
    next: back,
  });
}

/** GET /admin/catalog/pairs/:duplicateId/:keptId/merge: what a merge would do, and its button. */
export function confirmMerge(knex: Knex, keys: readonly SourceKey[]): RequestHandler {
  return checked({ schemas: { params: pairParams }, refuse: nothingThere }, (_req, res, { params }) =>
    renderMergePage(knex, keys, res, params, HOME),
  );
}

/** The message after a merge: what moved. */
function mergedMessage(duplicate: string, kept: string, retired: Retirement) {
  const { moved, merged, notesJoined, externalIds } = retired;
  const parts = [
    counted(moved, 'list entry moved', 'list entries moved'),
    `${counted(merged, 'person', 'people')} tracking both kept one entry` +
      (notesJoined ? ` (notes joined for ${formatNumber(notesJoined)})` : ''),
    counted(externalIds, 'id moved', 'ids moved'),
  ];
  return `“${duplicate}” was merged into “${kept}”: ${parts.join(', ')}.`;
}

/**
 * POST /admin/catalog/pairs/:duplicateId/:keptId/merge: retires the duplicate into the kept work
 * (admin/merge-queries.ts), all in one transaction; back to the list with what moved.
 */
export function mergeWorks(knex: Knex, keys: readonly SourceKey[]): RequestHandler {
  return checked(
    { schemas: { params: pairParams, body: pairActionBody }, refuse: refusePairAction },
    async (req, res, { params, body }, next) => {
      if (params.duplicateId === params.keptId) return refuseAction(res, 422, 'Not two works', SAME_WORK);
      const works = await describeWorks(knex, keys, [params.duplicateId, params.keptId]);
      const duplicate = works.get(params.duplicateId);
      const kept = works.get(params.keptId);
      if (!duplicate || !kept) return refuseAction(res, 404, 'No such work', WORK_GONE);
      let outcome: RetirementOutcome;
      try {
        outcome = await retireDuplicate(knex, keys, params);
      } catch (error) {
        if (!(error instanceof NotesTooLongError)) throw error;
        res.status(409);
        return renderMergePage(
          knex,
          keys,
          res,
          params,
          body.next,
          `Not merged: the notes of ${counted(error.people, 'person', 'people')} on the two works would pass ` +
            `${formatNumber(MAX_NOTES)} characters once joined, and would have to be cut. Nothing was changed.`,
        );
      }
      if (outcome.kind !== 'retired') return refuseAction(res, 404, 'No such work', WORK_GONE);
      setFlash(req, 'status', mergedMessage(duplicate.title, kept.title, outcome.retired));
      redirectAfterSaving(req, res, next, body.next);
    },
  );
}

/** POST /admin/catalog/pairs/:duplicateId/:keptId/keep-apart: the two works are two (see keepApart). */
export function keepWorksApart(knex: Knex, keys: readonly SourceKey[]): RequestHandler {
  return checked(
    { schemas: { params: pairParams, body: pairActionBody }, refuse: refusePairAction },
    async (req, res, { params, body }, next) => {
      if (params.duplicateId === params.keptId) return refuseAction(res, 422, 'Not two works', SAME_WORK);
      const works = await describeWorks(knex, keys, [params.duplicateId, params.keptId]);
      const outcome = await keepApart(knex, keys, params);
      if (outcome.kind === 'missing') return refuseAction(res, 404, 'No such work', WORK_GONE);
      if (outcome.kind === 'unrecordable') {
        return refuseAction(
          res,
          409,
          'Not recorded',
          'Neither work comes from an ingest source that has had a run, so there is no run to record the judgement ' +
            'under. Nothing was changed; merge the two if they are one.',
        );
      }
      const names = [params.duplicateId, params.keptId].map((id) => `“${works.get(id)?.title ?? 'a work'}”`);
      setFlash(
        req,
        'status',
        outcome.kind === 'already'
          ? `${names.join(' and ')} were kept apart already.`
          : `${names.join(' and ')} are kept apart: they will not be suggested as one again.`,
      );
      redirectAfterSaving(req, res, next, body.next);
    },
  );
}
