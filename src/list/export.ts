import type { RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
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

function startDownload(res: Response, type: string, extension: string): void {
  const day = new Date().toISOString().slice(0, 10);
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Disposition', `attachment; filename="omnimediatrak-list-${day}.${extension}"`);
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * The whole list as CSV or JSON (/list/export.csv, /list/export.json), written as it is read
 * (exportedEntries: one consistent snapshot, never held whole in memory). The columns are stable
 * (README.md lists them): scripts may rely on their names and order.
 */
export function exportCsv(knex: Knex): RequestHandler {
  return async (req, res) => {
    startDownload(res, 'text/csv', 'csv');
    await write(res, `${EXPORT_COLUMNS.join(',')}\r\n`);
    for await (const row of exportedEntries(knex, currentUser(req).id)) {
      if (!(await write(res, `${EXPORT_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`))) return;
    }
    res.end();
  };
}

export function exportJson(knex: Knex): RequestHandler {
  return async (req, res) => {
    startDownload(res, 'application/json', 'json');
    let first = true;
    await write(res, '[');
    for await (const row of exportedEntries(knex, currentUser(req).id)) {
      const ordered = Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, row[column]]));
      if (!(await write(res, `${first ? '\n' : ',\n'}${JSON.stringify(ordered)}`))) return;
      first = false;
    }
    await write(res, first ? ']\n' : '\n]\n');
    res.end();
  };
}
