import type { Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { currentUser } from '../auth/guards';
import { setFlash, redirectAfterSaving } from '../http/flash';
import { isFragmentRequest } from '../http/fragments';
import { uploadedFile } from '../http/multipart';
import { checked, notFound, type Refusal } from '../http/validate';
import { csvCell } from './csv';
import { detectFormat } from './detect';
import { ENTRY_VALUE_FIELDS, ENTRY_VALUE_LABELS, IMPORT_MODE_LABELS, IMPORT_MODES } from './evaluate';
import { unpackUpload, type UploadLimits } from './files';
import { IMPORT_FORMATS, formatNamed } from './formats';
import { guessAnilistScoreFormat } from './formats/anilist';
import {
  findImportRow,
  importRowsPage,
  insertImportJob,
  listImportJobs,
  moveImportJob,
  outcomeCounts,
  progressOf,
  searchWorks,
  type ImportJob,
  type ImportJobOptions,
  type PreviewRow,
} from './queries';
import { ANILIST_SCORE_FORMATS, ImportFileError, LIST_KINDS } from './records';
import { answerReview, cancelImport, changeMode, confirmImport, importJob, requestUndo } from './step-queries';
import {
  answerBody,
  jobParams,
  jobQuery,
  modeBody,
  OUTCOME_GROUPS,
  pickBody,
  rowParams,
  searchQuery,
  uploadBody,
  type OutcomeGroup,
} from './validation';

/**
 * The import pages (docs/imports.md): upload a file, answer what the file could not say, read
 * the preview, settle the uncertain rows, apply, undo. Every step is a form; the job's page
 * refreshes itself with htmx while the queue works, and has a Refresh button without it.
 */

const ROWS_PER_PAGE = 50;
/** As the upload limits count (IMPORT_MAX_MB). */
const MEGABYTE = 1024 * 1024;
const HOME = '/import';
const jobPath = (jobId: string) => `${HOME}/${jobId}`;

export const OUTCOME_LABELS: Record<OutcomeGroup | 'rejected', string> = {
  uncertain: 'To review',
  add: 'To add',
  change: 'To change',
  unchanged: 'Unchanged',
  unmatched: 'Not found in the catalog',
  duplicate: 'Listed twice in the file',
  skipped: 'Skipped',
  rejected: 'Could not be read',
};

const STATUS_LABELS: Record<ImportJob['status'], string> = {
  pending: 'Reading the file',
  running: 'Reading the file',
  ready: 'Waiting for you to confirm',
  applying: 'Adding to your list',
  undoing: 'Undoing',
  succeeded: 'Imported',
  failed: 'Failed',
  cancelled: 'Discarded',
  undone: 'Undone',
};

/** The states in which the queue is at work on a job (its page refreshes itself). */
const WORKING: ImportJob['status'][] = ['pending', 'applying', 'undoing'];
/** The step whose progress (ingest.import_progress) each working status shows. */
const PROGRESS_STEP: Partial<Record<ImportJob['status'], string>> = {
  pending: 'matching',
  applying: 'applying',
  undoing: 'undoing',
};

const SCORE_FORMAT_LABELS: Record<(typeof ANILIST_SCORE_FORMATS)[number], string> = {
  POINT_100: '100 points',
  POINT_10_DECIMAL: '10 points with decimals (7.5)',
  POINT_10: '10 points',
  POINT_5: '5 stars',
  POINT_3: '3 smileys',
};

const LIST_KIND_LABELS: Record<(typeof LIST_KINDS)[number], string> = {
  watched: 'What I have watched (or rated)',
  watchlist: 'What I want to watch (a watchlist)',
};

const formatChoices = () => IMPORT_FORMATS.map((format) => ({ value: format.name, label: format.label }));
const sourceLabel = (name: string) => formatNamed(name)?.label ?? name;
const dateText = (date: Date | null) =>
  date ? new Date(date).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '';

function jobSummaryView(job: ImportJob) {
  return {
    id: job.id,
    url: jobPath(job.id),
    fileName: job.fileName,
    source: job.options.awaiting === 'format' ? 'Not known yet' : sourceLabel(job.sourceName),
    status: job.status,
    statusLabel: job.options.awaiting ? 'Waiting for an answer' : STATUS_LABELS[job.status],
    created: dateText(job.createdAt),
    rows: typeof job.summary.rows === 'number' ? job.summary.rows : null,
  };
}

/** The upload form and the person's imports; `values` and `errors` when the form comes back refused. */
async function renderImportPage(
  knex: Knex,
  req: Request,
  res: Response,
  form: { values: Record<string, string>; errors: Record<string, string> },
  limits: UploadLimits,
) {
  const user = currentUser(req);
  const jobs = await listImportJobs(knex, user.id);
  res.render('imports/index', {
    title: 'Import a list',
    page: 'import',
    sources: formatChoices(),
    modes: IMPORT_MODES.map((mode) => ({ value: mode, label: IMPORT_MODE_LABELS[mode] })),
    scoreFormats: ANILIST_SCORE_FORMATS.map((value) => ({ value, label: SCORE_FORMAT_LABELS[value] })),
    listKinds: LIST_KINDS.map((value) => ({ value, label: LIST_KIND_LABELS[value] })),
    values: form.values,
    errors: form.errors,
    jobs: jobs.map(jobSummaryView),
    maxMegabytes: Math.round(limits.maxUploadBytes / MEGABYTE),
  });
}

/** GET /import */
export function showImportPage(knex: Knex, limits: UploadLimits): RequestHandler {
  return async (req, res) => renderImportPage(knex, req, res, { values: {}, errors: {} }, limits);
}

function refuseUpload(knex: Knex, limits: UploadLimits) {
  return async (req: Request, res: Response, refusal: Refusal) =>
    renderImportPage(knex, req, res, { values: refusal.typed, errors: refusal.errors }, limits);
}

/**
 * POST /import (multipart): the file is unpacked and its format told here, so a file that is no
 * list at all is refused at once with the form again; reading its rows is the queue's work. A
 * question the file raises (which source, which kind of list, which score format) is asked on
 * the job's page, with the upload kept.
 */
export function uploadImport(knex: Knex, limits: UploadLimits): RequestHandler {
  return checked(
    { schemas: { body: uploadBody }, refuse: refuseUpload(knex, limits) },
    async (req, res, { body, typed }, next) => {
      const user = currentUser(req);
      const refuse = (status: number, message: string) => {
        res.status(status);
        return renderImportPage(knex, req, res, { values: typed, errors: { file: message } }, limits);
      };
      const file = uploadedFile(req);
      if (!file || file.fileName === '' || (file.bytes.length === 0 && !file.tooLarge))
        return refuse(422, 'Choose the file to import.');
      if (file.tooLarge)
        return refuse(
          413,
          `The file is larger than ${Math.round(limits.maxUploadBytes / MEGABYTE)} MB, the most an import takes.`,
        );
      let members;
      try {
        members = await unpackUpload(file.bytes, file.fileName, limits);
      } catch (error) {
        if (error instanceof ImportFileError) return refuse(422, error.message);
        return next(error);
      }
      const options: ImportJobOptions = { mode: body.mode };
      let format = body.source ? formatNamed(body.source) : undefined;
      if (!format) {
        const detected = detectFormat(members, [...IMPORT_FORMATS], file.fileName);
        if (detected.kind === 'unknown')
          return refuse(
            422,
            'This file is not an export we can read. Choose its source from the list, or check that it is the file the service gave you.',
          );
        if (detected.kind === 'ambiguous') {
          options.awaiting = 'format';
          options.possibleFormats = detected.formats.map((candidate) => candidate.name);
        } else format = detected.format;
      }
      if (format) {
        options.format = format.name;
        if (format.needsListKind?.(members) && !body.list_kind) options.awaiting = 'listKind';
        if (body.list_kind) options.listKind = body.list_kind;
        if (format.name === 'anilist') {
          if (body.anilist_score) options.anilistScoreFormat = body.anilist_score;
          else {
            options.awaiting ??= 'anilistScore';
            options.anilistScoreGuess = guessAnilistScoreFormat(members);
          }
        }
      }
      const jobId = await insertImportJob(knex, {
        userId: user.id,
        sourceName: format?.name ?? options.possibleFormats?.[0] ?? 'omnimediatrak',
        options,
        fileName: file.fileName,
        bytes: file.bytes,
      });
      req.log?.info({ importJob: jobId, bytes: file.bytes.length, format: format?.name }, 'import uploaded');
      redirectAfterSaving(req, res, next, jobPath(jobId));
    },
  );
}

/** What an undo did, from the job's summary: entries put back, and those left because they changed since. */
function undoneView(summary: ImportJob['summary']) {
  const restored = Number(summary.restored ?? 0);
  const kept = Number(summary.changedSince ?? 0);
  const titles = String(summary.changedSinceTitles ?? '')
    .split('\n')
    .filter(Boolean);
  return {
    text: `The import was undone: ${restored} ${restored === 1 ? 'entry is' : 'entries are'} as before.`,
    kept: kept
      ? `${kept} ${kept === 1 ? 'entry was' : 'entries were'} changed after the import and ${kept === 1 ? 'was' : 'were'} left as ${kept === 1 ? 'it is' : 'they are'}: ${titles.join(', ')}${kept > titles.length ? '…' : ''}.`
      : null,
  };
}

/** The question a job's file raised, as its page asks it. */
function questionView(job: ImportJob) {
  const awaiting = job.options.awaiting;
  if (!awaiting) return null;
  if (awaiting === 'format')
    return {
      kind: 'format',
      legend: 'Which service does this file come from?',
      name: 'source',
      choices: (job.options.possibleFormats ?? IMPORT_FORMATS.map((format) => format.name)).map((name) => ({
        value: name,
        label: sourceLabel(name),
      })),
      chosen: job.options.possibleFormats?.[0],
    };
  if (awaiting === 'listKind')
    return {
      kind: 'listKind',
      legend: 'What does this file list? Its name does not say.',
      name: 'list_kind',
      choices: LIST_KINDS.map((value) => ({ value, label: LIST_KIND_LABELS[value] })),
      chosen: undefined,
    };
  return {
    kind: 'anilistScore',
    legend:
      'Which score format does your AniList account use? The file does not say; this is our guess from its scores.',
    name: 'anilist_score',
    choices: ANILIST_SCORE_FORMATS.map((value) => ({ value, label: SCORE_FORMAT_LABELS[value] })),
    chosen: job.options.anilistScoreGuess,
  };
}

const shownValue = (field: string, value: unknown) => {
  if (value === null || value === undefined || value === '') return '—';
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (field === 'status') return STATUS_WORDS[text] ?? text;
  if (field === 'rating') return `${text} / 100`;
  return text;
};
const STATUS_WORDS: Record<string, string> = {
  planning: 'Planning',
  in_progress: 'In progress',
  completed: 'Completed',
  paused: 'Paused',
  dropped: 'Dropped',
};

function rowView(job: ImportJob, row: PreviewRow) {
  const record = row.record;
  const changes = row.changes
    ? ENTRY_VALUE_FIELDS.flatMap((field) => {
        const change = row.changes?.[field];
        return change
          ? [{ label: ENTRY_VALUE_LABELS[field], old: shownValue(field, change[0]), new: shownValue(field, change[1]) }]
          : [];
      })
    : [];
  return {
    rowNumber: row.rowNumber,
    where: `${row.file}, line ${row.line}`,
    title: record?.title ?? record?.alternativeTitles[0] ?? row.raw ?? '(no title)',
    year: record?.year ?? null,
    outcome: row.outcome,
    reason: row.reason,
    matched: row.mediaId
      ? { url: `/media/${row.mediaId}`, title: row.mediaTitle, type: row.mediaType, year: row.mediaYear }
      : null,
    changes,
    candidates: (row.candidates ?? []).map((candidate) => ({
      ...candidate,
      id: `pick-${row.rowNumber}-${candidate.mediaId}`,
    })),
    pickAction: `${jobPath(job.id)}/rows/${row.rowNumber}/pick`,
    skipAction: `${jobPath(job.id)}/rows/${row.rowNumber}/skip`,
    searchUrl: `${jobPath(job.id)}/rows/${row.rowNumber}`,
  };
}

/** GET /import/:jobId: the job's state, its question, its progress, its preview, or its outcome. */
export function showImportJob(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: jobParams, query: jobQuery }, refuse: notFound('No such import.') },
    async (req, res, { params, query }) => {
      const user = currentUser(req);
      const job = await importJob(knex, user.id, params.jobId);
      if (!job) throw createError(404, 'No such import.');
      const counts = await outcomeCounts(knex, job.id);
      const groups = [...OUTCOME_GROUPS, 'rejected' as const]
        .filter((group) => counts[group])
        .map((group) => ({ value: group, label: OUTCOME_LABELS[group], count: counts[group]! }));
      const show: string =
        query.show ??
        (counts.uncertain ? 'uncertain' : counts.change ? 'change' : counts.add ? 'add' : (groups[0]?.value ?? 'add'));
      const outcomes = show === 'unmatched' ? ['unmatched', 'rejected'] : [show];
      const shownCount = outcomes.reduce((sum, outcome) => sum + (counts[outcome] ?? 0), 0);
      const lastPage = Math.max(1, Math.ceil(shownCount / ROWS_PER_PAGE));
      const page = Math.min(query.page, lastPage);
      const rows = ['ready', 'succeeded', 'undone'].includes(job.status)
        ? await importRowsPage(knex, job.id, outcomes, (page - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
        : [];
      // The progress of the step under way: a finished step's counts say nothing of the next.
      const recorded = WORKING.includes(job.status) ? await progressOf(knex, job.id) : undefined;
      const progress = recorded?.step === PROGRESS_STEP[job.status] ? recorded : undefined;
      const pageUrl = (target: number) => `${jobPath(job.id)}?show=${show}${target > 1 ? `&page=${target}` : ''}`;
      const view = {
        title: `Import of ${job.fileName}`,
        page: 'import-job',
        job: {
          ...jobSummaryView(job),
          mode: job.options.mode,
          modeLabel: IMPORT_MODE_LABELS[job.options.mode],
          error: job.error,
          working: WORKING.includes(job.status) && !job.options.awaiting,
          finished: dateText(job.finishedAt),
          // An undo that failed leaves the applied entries in the list: it can be tried again.
          undoFailed: job.status === 'failed' && Number(job.summary.written ?? 0) > 0,
        },
        question: questionView(job),
        undone: job.status === 'undone' ? undoneView(job.summary) : null,
        progress: progress ?? null,
        modes: IMPORT_MODES.map((mode) => ({ value: mode, label: IMPORT_MODE_LABELS[mode] })),
        groups,
        counts,
        show,
        showLabel: OUTCOME_LABELS[show as OutcomeGroup] ?? show,
        rows: rows.map((row) => rowView(job, row)),
        paging: {
          page,
          lastPage,
          previousUrl: page > 1 ? pageUrl(page - 1) : null,
          nextUrl: page < lastPage ? pageUrl(page + 1) : null,
        },
        notImportedUrl: `${jobPath(job.id)}/not-imported.csv`,
        notImported: (counts.unmatched ?? 0) + (counts.rejected ?? 0) + (counts.uncertain ?? 0) + (counts.skipped ?? 0),
        errors: {},
      };
      if (isFragmentRequest(req, res)) return res.render('imports/job-state', { ...view, layout: false });
      res.render('imports/job', view);
    },
  );
}

/** A POST on a job that is not in the state it needs: back to its page, saying why. */
function notNow(req: Request, res: Response, next: (error?: unknown) => void, jobId: string, message: string) {
  setFlash(req, 'error', message);
  redirectAfterSaving(req, res, next, jobPath(jobId));
}

/** The person's import, or 404: another person's import is as if it did not exist. */
async function ownJob(knex: Knex, req: Request, jobId: string): Promise<ImportJob> {
  const job = await importJob(knex, currentUser(req).id, jobId);
  if (!job) throw createError(404, 'No such import.');
  return job;
}

/** POST /import/:jobId/answer: the question's answer; the file is then read. */
export function answerQuestion(knex: Knex): RequestHandler {
  return checked(
    {
      schemas: { params: jobParams, body: answerBody },
      refuse: async (req, res, refusal, next) => {
        const jobId = refusal.passed.params?.jobId;
        if (!jobId || !(await importJob(knex, currentUser(req).id, jobId)))
          return next(createError(404, 'No such import.'));
        notNow(req, res, next, jobId, Object.values(refusal.errors)[0] ?? 'Choose one of the answers.');
      },
    },
    async (req, res, { params, body }, next) => {
      const user = currentUser(req);
      const job = await importJob(knex, user.id, params.jobId);
      if (!job) throw createError(404, 'No such import.');
      const awaiting = job.options.awaiting;
      if (job.status !== 'pending' || !awaiting)
        return notNow(req, res, next, job.id, 'This import has no question waiting.');
      const options: ImportJobOptions = { ...job.options };
      let sourceName: string | undefined;
      if (awaiting === 'format') {
        const format = body.source ? formatNamed(body.source) : undefined;
        if (!format) return notNow(req, res, next, job.id, 'Choose the source this file comes from.');
        options.format = format.name;
        sourceName = format.name;
        delete options.awaiting;
        if (format.name === 'anilist' && !options.anilistScoreFormat) options.awaiting = 'anilistScore';
      } else if (awaiting === 'listKind') {
        if (!body.list_kind) return notNow(req, res, next, job.id, 'Choose what the file lists.');
        options.listKind = body.list_kind;
        delete options.awaiting;
      } else {
        if (!body.anilist_score) return notNow(req, res, next, job.id, 'Choose your AniList score format.');
        options.anilistScoreFormat = body.anilist_score;
        delete options.awaiting;
      }
      await moveImportJob(knex, user.id, job.id, ['pending'], { status: 'pending', options, sourceName });
      redirectAfterSaving(req, res, next, jobPath(job.id));
    },
  );
}

/** POST /import/:jobId/mode: the preview in the other mode. */
export function changeImportMode(knex: Knex): RequestHandler {
  return checked(
    {
      schemas: { params: jobParams, body: modeBody },
      refuse: async (req, res, refusal, next) => {
        const jobId = refusal.passed.params?.jobId;
        if (!jobId || !(await importJob(knex, currentUser(req).id, jobId)))
          return next(createError(404, 'No such import.'));
        notNow(
          req,
          res,
          next,
          jobId,
          Object.values(refusal.errors)[0] ?? 'Choose how to treat titles already in your list.',
        );
      },
    },
    async (req, res, { params, body }, next) => {
      const user = currentUser(req);
      await ownJob(knex, req, params.jobId);
      if (!(await changeMode(knex, user.id, params.jobId, body.mode)))
        return notNow(req, res, next, params.jobId, 'This import can no longer be changed.');
      setFlash(req, 'status', `The preview now shows “${IMPORT_MODE_LABELS[body.mode]}”.`);
      redirectAfterSaving(req, res, next, jobPath(params.jobId));
    },
  );
}

/** POST /import/:jobId/apply */
export function applyImportJob(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: jobParams }, refuse: notFound('No such import.') },
    async (req, res, { params }, next) => {
      const user = currentUser(req);
      await ownJob(knex, req, params.jobId);
      if (!(await confirmImport(knex, user.id, params.jobId)))
        return notNow(req, res, next, params.jobId, 'This import is not waiting to be applied.');
      redirectAfterSaving(req, res, next, jobPath(params.jobId));
    },
  );
}

/** POST /import/:jobId/cancel */
export function cancelImportJob(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: jobParams }, refuse: notFound('No such import.') },
    async (req, res, { params }, next) => {
      const user = currentUser(req);
      await ownJob(knex, req, params.jobId);
      if (!(await cancelImport(knex, user.id, params.jobId)))
        return notNow(req, res, next, params.jobId, 'This import can no longer be discarded.');
      setFlash(req, 'status', 'The import was discarded: nothing was added to your list.');
      redirectAfterSaving(req, res, next, HOME);
    },
  );
}

/** POST /import/:jobId/undo: the queue undoes it; its page says what came back. */
export function undoImportJob(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: jobParams }, refuse: notFound('No such import.') },
    async (req, res, { params }, next) => {
      const user = currentUser(req);
      await ownJob(knex, req, params.jobId);
      if (!(await requestUndo(knex, user.id, params.jobId)))
        return notNow(req, res, next, params.jobId, 'Only an import that was applied can be undone.');
      redirectAfterSaving(req, res, next, jobPath(params.jobId));
    },
  );
}

/** POST /import/:jobId/rows/:row/pick and /skip: a review item settled. */
export function answerRow(knex: Knex, kind: 'pick' | 'skip'): RequestHandler {
  return checked(
    {
      schemas: kind === 'pick' ? { params: rowParams, body: pickBody } : { params: rowParams },
      refuse: async (req, res, refusal, next) => {
        const params = refusal.passed.params;
        if (!params || !(await importJob(knex, currentUser(req).id, params.jobId)))
          return next(createError(404, 'No such row.'));
        notNow(req, res, next, params.jobId, Object.values(refusal.errors)[0] ?? 'Choose a title.');
      },
    },
    async (req, res, input, next) => {
      const user = currentUser(req);
      const { jobId, row } = input.params;
      await ownJob(knex, req, jobId);
      const mediaId = (input as { body?: { media: string } }).body?.media;
      const answer = kind === 'pick' && mediaId ? { kind: 'pick' as const, mediaId } : { kind: 'skip' as const };
      const outcome = await answerReview(knex, user.id, jobId, row, answer);
      if (outcome === 'not-found') return notNow(req, res, next, jobId, 'That row can no longer be changed.');
      if (outcome === 'no-such-work') return notNow(req, res, next, jobId, 'That title is no longer in the catalog.');
      setFlash(
        req,
        'status',
        answer.kind === 'pick' ? 'Matched: it will be imported with the rest.' : 'Skipped: it will not be imported.',
      );
      redirectAfterSaving(req, res, next, `${jobPath(jobId)}?show=uncertain`);
    },
  );
}

/** GET /import/:jobId/rows/:row?q=: one row with a search of the catalog, to pick another title. */
export function showRowSearch(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: rowParams, query: searchQuery }, refuse: notFound('No such row.') },
    async (req, res, { params, query }) => {
      const user = currentUser(req);
      const job = await importJob(knex, user.id, params.jobId);
      const row = job ? await findImportRow(knex, job.id, params.row) : undefined;
      if (!job || !row) throw createError(404, 'No such row.');
      const q = query.q || row.record?.title || '';
      const results = q ? await searchWorks(knex, q, 20) : [];
      res.render('imports/row', {
        title: `Find the title for line ${row.line}`,
        page: 'import-row',
        job: jobSummaryView(job),
        jobUrl: jobPath(job.id),
        ready: job.status === 'ready',
        row: rowView(job, row),
        q,
        results: results.map((candidate) => ({ ...candidate, id: `pick-${row.rowNumber}-${candidate.mediaId}` })),
        errors: {},
      });
    },
  );
}

/** GET /import/:jobId/not-imported.csv: every row that will not be imported, with why. */
export function downloadNotImported(knex: Knex): RequestHandler {
  return checked(
    { schemas: { params: jobParams }, refuse: notFound('No such import.') },
    async (req, res, { params }) => {
      const user = currentUser(req);
      const job = await importJob(knex, user.id, params.jobId);
      if (!job) throw createError(404, 'No such import.');
      const rows = await importRowsPage(knex, job.id, ['unmatched', 'rejected', 'uncertain', 'skipped'], 0, 1_000_000);
      res.type('text/csv; charset=utf-8');
      res.attachment(`not-imported-${job.fileName.replace(/[^\w.-]+/g, '_')}.csv`);
      const lines = [['file', 'line', 'title', 'year', 'why', 'as written'].join(',')];
      for (const row of rows)
        lines.push(
          [
            row.file,
            row.line,
            row.record?.title ?? '',
            row.record?.year ?? '',
            `${OUTCOME_LABELS[row.outcome as OutcomeGroup] ?? row.outcome}: ${row.reason ?? ''}`,
            row.raw ?? '',
          ]
            .map((value) => csvCell(value === '' ? null : value))
            .join(','),
        );
      res.send(`\uFEFF${lines.join('\r\n')}\r\n`);
    },
  );
}
