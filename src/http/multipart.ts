/**
 * A form with a file (multipart/form-data), read before the CSRF check, which needs the form's
 * token from the body: busboy streams it into memory up to a limit, the text fields become
 * req.body as a urlencoded form's would, and the file is kept beside the request for the handler
 * (`uploadedFile`). Only a signed-in person's POST to the given path is read (nobody else gets to
 * send a large body through); anything else passes untouched. The list import's form uses it.
 */
import busboy from 'busboy';
import type { Request, RequestHandler } from 'express';

export interface UploadedFile {
  fileName: string;
  bytes: Buffer;
  /** The file went past the limit: `bytes` holds only its start. */
  tooLarge: boolean;
}

const uploads = new WeakMap<Request, UploadedFile>();

/** The file a multipart form sent, if any. */
export function uploadedFile(req: Request): UploadedFile | undefined {
  return uploads.get(req);
}

const FIELD_LIMITS = { fields: 20, fieldSize: 2048, files: 1, parts: 25 };

/** Reads a signed-in person's multipart POST to `path` into req.body and its `file` field (see uploadedFile). */
export function readMultipartForm(path: string, maxFileBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (req.method !== 'POST' || req.path !== path || !req.user || !req.is('multipart/form-data')) return next();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { ...FIELD_LIMITS, fileSize: maxFileBytes } });
    } catch {
      // A multipart type without a boundary: the handler says no file came.
      req.body = {};
      return next();
    }
    const fields: Record<string, string> = {};
    let pending: Promise<void> = Promise.resolve();
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const parts: Buffer[] = [];
      let tooLarge = false;
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('limit', () => {
        tooLarge = true;
      });
      pending = new Promise((resolve) => {
        stream.on('end', () => {
          // Only the last path segment is a name; a browser sends no path, others may.
          // Control characters (a NUL above all, which PostgreSQL's text refuses) are no part of a name.
          const fileName = [...((info.filename ?? '').split(/[\\/]/).pop() ?? '')]
            .filter((character) => character >= ' ' && character !== '\u007f')
            .join('')
            .slice(0, 255);
          uploads.set(req, { fileName, bytes: Buffer.concat(parts), tooLarge });
          resolve();
        });
      });
    });
    // busboy may report an error and then close: the request goes on once, either way.
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) next(Object.assign(error, { status: 400, expose: false }));
      else {
        req.body = fields;
        next();
      }
    };
    parser.on('error', (error: Error) => settle(error));
    parser.on('close', () => {
      void pending.then(() => settle());
    });
    req.pipe(parser);
  };
}
