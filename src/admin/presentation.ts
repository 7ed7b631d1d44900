import { formatNumber, formatReleaseDate } from '../http/format';
import type { RunRow, WorkSummary } from './queries';

/** How the administration pages word runs and works: plain functions of what the queries return. */

const RUN_STATUS_LABELS: Record<string, string> = {
  pending: 'Waiting to start',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  undone: 'Undone',
};

/** A run's counts (import_jobs.summary, src/ingest/pipeline.ts IngestSummary), in the order they read best. */
const COUNT_LABELS: [string, string][] = [
  ['records', 'Records read'],
  ['inserted', 'New works'],
  ['updated', 'Works updated'],
  ['unchanged', 'Unchanged'],
  ['repeated', 'Keys repeated'],
  ['skipped', 'Rows skipped'],
  ['conflicts', 'Conflicts recorded'],
  ['removed', 'Works removed'],
  ['unlinked', 'Works unlinked'],
  ['keptTracked', 'Gone but tracked, kept'],
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "7 Dec 2026, 19:56 UTC": the server's clock is the only one the page knows. */
export function formatTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${time.getUTCDate()} ${MONTHS[time.getUTCMonth()]} ${time.getUTCFullYear()}, ` +
    `${two(time.getUTCHours())}:${two(time.getUTCMinutes())} UTC`
  );
}

/** "4.6 seconds", "2 min 3 s", "1 h 4 min". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface RunView {
  id: string;
  sourceLabel: string;
  status: string;
  statusLabel: string;
  dryRun: boolean;
  started: string;
  duration: string | null;
  counts: { label: string; value: string }[];
  error: string | null;
  logUrl: string;
}

export function runView(run: RunRow): RunView {
  const started = run.startedAt ?? run.createdAt;
  // Records read always; the rest when there were any (a run's zeros say nothing).
  const counts = COUNT_LABELS.filter(
    ([key]) => typeof run.summary[key] === 'number' && (key === 'records' || run.summary[key] !== 0),
  ).map(([key, label]) => ({
    label,
    value: formatNumber(run.summary[key] as number),
  }));
  return {
    id: run.id,
    sourceLabel: run.sourceLabel,
    status: run.status,
    statusLabel: RUN_STATUS_LABELS[run.status] ?? run.status,
    dryRun: run.dryRun,
    started: formatTime(started),
    duration: run.finishedAt ? formatDuration(run.finishedAt.getTime() - started.getTime()) : null,
    counts,
    error: run.error,
    logUrl: `/admin/catalog/runs/${run.id}`,
  };
}

export interface WorkView {
  id: string;
  url: string;
  title: string;
  originalTitle: string | null;
  typeLabel: string;
  released: string;
  sources: string[];
  externalIds: string[];
  trackingCount: number;
}

/** How many ids a pair shows of each work: enough to tell two works apart. */
const IDS_SHOWN = 6;

export function workView(work: WorkSummary): WorkView {
  return {
    id: work.id,
    url: `/media/${work.id}`,
    title: work.title,
    originalTitle: work.originalTitle && work.originalTitle !== work.title ? work.originalTitle : null,
    typeLabel: work.typeLabel,
    released: formatReleaseDate(work.releaseDate, work.releaseDatePrecision) || 'Unknown',
    sources: work.sources,
    externalIds:
      work.externalIds.length > IDS_SHOWN
        ? [...work.externalIds.slice(0, IDS_SHOWN), `and ${work.externalIds.length - IDS_SHOWN} more`]
        : work.externalIds,
    trackingCount: work.trackingCount,
  };
}

/** "1 entry", "3 entries". */
export function counted(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** The kinds of id people's imports confirm (src/imports/records.ts EXTERNAL_ID_KINDS), as people know them. */
const ID_KIND_LABELS: Readonly<Record<string, string>> = {
  mal: 'MyAnimeList (anime)',
  mal_manga: 'MyAnimeList (manga)',
  anilist: 'AniList',
  kitsu: 'Kitsu (anime)',
  kitsu_manga: 'Kitsu (manga)',
  imdb: 'IMDb',
  tmdb: 'TMDB',
  tvdb: 'TheTVDB',
  trakt_movie: 'Trakt (film)',
  trakt_show: 'Trakt (show)',
  goodreads: 'Goodreads',
  isbn13: 'ISBN-13',
  isbn10: 'ISBN-10',
  letterboxd: 'Letterboxd',
};

/** "IMDb", or the kind's own name for one not listed. */
export const idKindLabel = (kind: string): string => ID_KIND_LABELS[kind] ?? kind;
