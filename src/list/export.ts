import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { catalogSources, DATA_SOURCES_PATH, shareAlikeSources } from '../attribution/sources';
import { currentUser } from '../auth/guards';
import { EXPORT_COLUMNS, exportedEntries } from '../entries/queries';

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes a chunk, waiting when the client reads slower than the database gives; false once the
 * client has gone (the export then stops and its transaction ends).
 */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (open: boolean) => () => {
      res.off('drain', drained);
      res.off('close', closed);
      resolve(open);
    };
    const drained = done(true);
    const closed = done(false);
    res.once('drain', drained);
    res.once('close', closed);
  });
}

/** The data sources page as an absolute URL, for a file read far from this site. */
function dataSourcesUrl(req: Request): string {
  // req.host honours TRUST_PROXY (X-Forwarded-Host), as req.protocol does; without a Host the
  // path alone is the best there is.
  return req.host ? `${req.protocol}://${req.host}${DATA_SOURCES_PATH}` : DATA_SOURCES_PATH;
}

/**
 * What a list export owes the catalog's datasets: its titles, dates and creators come from them,
 * and some of their licences (CC BY, CC BY-SA) ask for credit wherever the data goes, and
 * share-alike for what is adapted from them. The JSON export carries this as its `attribution`.
 */
export function exportAttribution(pageUrl: string) {
  const sources = catalogSources();
  const shareAlike = shareAlikeSources(sources);
  return {
    note: [
      'The catalog data in this file (titles, original titles, types, release dates, lengths) comes from the open',
      `datasets below, used under their licences; ${pageUrl} credits them in full.`,
      shareAlike
        ? `What comes from ${shareAlike} is under CC BY-SA 4.0: share it on the same terms, with this credit.`
        : '',
      'Your statuses, ratings, progress, dates and notes are your own.',
    ]
      .filter((part) => part !== '')
      .join(' '),
    details: pageUrl,
    sources: sources.map((source) => ({
      name: source.name,
      title: source.title,
      creator: source.creator,
      homepage: source.homepage,
      licences: source.licences.map((licence) => ({ name: licence.name, url: licence.url })),
      credit: source.credit,
      share_alike: source.shareAlike !== null,
    })),
  };
}

/**
 * The headers of a download. A CSV file has no room for a note without breaking its readers (a
 * line before the header row is a row to them), so the credit travels beside it: the Link header
 * names the page of licences (rel="license", RFC 8288), and the list page says so next to the
 * download links.
 */
function startDownload(req: Request, res: Response, type: string, extension: string): void {
  const day = new Date().toISOString().slice(0, 10);
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Disposition', `attachment; filename="omnimediatrak-list-${day}.${extension}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Link', `<${dataSourcesUrl(req)}>; rel="license"`);
}

/**
 * The whole list as CSV or JSON (/list/export.csv, /list/export.json), written as it is read
 * (exportedEntries: one consistent snapshot, never held whole in memory). The columns are stable
 * (README.md lists them): scripts may rely on their names and order. JSON is an object: the
 * datasets' `attribution`, then the `entries`.
 */
export function exportCsv(knex: Knex): RequestHandler {
  return async (req, res) => {
    startDownload(req, res, 'text/csv', 'csv');
    await write(res, `${EXPORT_COLUMNS.join(',')}\r\n`);
    for await (const row of exportedEntries(knex, currentUser(req).id)) {
      if (!(await write(res, `${EXPORT_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`))) return;
    }
    res.end();
  };
}

export function exportJson(knex: Knex): RequestHandler {
  return async (req, res) => {
    startDownload(req, res, 'application/json', 'json');
    let first = true;
    const attribution = JSON.stringify(exportAttribution(dataSourcesUrl(req)));
    await write(res, `{"attribution":${attribution},\n"entries":[`);
    for await (const row of exportedEntries(knex, currentUser(req).id)) {
      const ordered = Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, row[column]]));
      if (!(await write(res, `${first ? '\n' : ',\n'}${JSON.stringify(ordered)}`))) return;
      first = false;
    }
    await write(res, first ? ']}\n' : '\n]}\n');
    res.end();
  };
}
