import type { RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { TOTAL_TEXT } from './queries';

/**
 * The whole list as CSV or JSON (/list/export.csv, /list/export.json), written as it is read:
 * 500 entries at a time by keyset, in one read-only REPEATABLE READ transaction so the file is
 * one consistent snapshot, never held whole in memory. The columns are stable (README.md lists
 * them): scripts may rely on their names and order.
 */
export const EXPORT_COLUMNS = [
  'media_id',
  'title',
  'original_title',
  'media_type',
  'release_date',
  'status',
  'rating',
  'progress',
  'progress_unit',
  'total',
  'started_on',
  'completed_on',
  'notes',
  'added_at',
  'updated_at',
] as const;
type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

const BATCH = 500;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function* exportRows(knex: Knex, userId: string): AsyncGenerator<ExportRow> {
  const trx = await knex.transaction({ isolationLevel: 'repeatable read', readOnly: true });
  try {
    let after: { title: string; id: string } | null = null;
    for (;;) {
      const query = trx('interaction.user_media as e')
        .join('media.media as m', 'm.id', 'e.media_id')
        .join('media.media_types as t', 't.media_type', 'm.media_type')
        .where('e.user_id', userId)
        .orderBy([{ column: 'm.title' }, { column: 'e.media_id' }])
        .limit(BATCH)
        .select<(ExportRow & { sortTitle: string })[]>(
          'e.media_id',
          'm.title',
          'm.original_title',
          'm.media_type',
          trx.raw(`to_char(m.release_date, 'YYYY-MM-DD') as release_date`),
          'e.status',
          'e.rating',
          'e.progress',
          't.progress_unit',
          trx.raw(`${TOTAL_TEXT} as total`),
          trx.raw(`to_char(e.started_at at time zone 'UTC', 'YYYY-MM-DD') as started_on`),
          trx.raw(`to_char(e.completed_at at time zone 'UTC', 'YYYY-MM-DD') as completed_on`),
          'e.notes',
          trx.raw(`to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as added_at`),
          trx.raw(`to_char(e.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as updated_at`),
        );
      if (after) query.whereRaw('(m.title, e.media_id) > (?, ?::uuid)', [after.title, after.id]);
      const rows = await query;
      for (const row of rows) {
        const total = typeof row.total === 'string' && /^\d{1,7}$/.test(row.total) ? Number(row.total) : null;
        yield { ...row, total };
      }
      if (rows.length < BATCH) break;
      const last = rows[rows.length - 1]!;
      after = { title: String(last.title), id: String(last.media_id) };
    }
  } finally {
    // Read-only: nothing to commit. Also reached when the download stops early (the client left).
    await trx.rollback();
  }
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

export function exportCsv(knex: Knex): RequestHandler {
  return async (req, res) => {
    startDownload(res, 'text/csv', 'csv');
    await write(res, `${EXPORT_COLUMNS.join(',')}\r\n`);
    for await (const row of exportRows(knex, req.user!.id)) {
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
    for await (const row of exportRows(knex, req.user!.id)) {
      const ordered = Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, row[column]]));
      if (!(await write(res, `${first ? '\n' : ',\n'}${JSON.stringify(ordered)}`))) return;
      first = false;
    }
    await write(res, first ? ']\n' : '\n]\n');
    res.end();
  };
}
