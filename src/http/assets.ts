import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { publicDir } from '../paths';

/** htmx comes from its npm package, served from our own origin (no CDN). */
const htmxFile = require.resolve('htmx.org/dist/htmx.min.js');

const VENDOR: Record<string, string> = { 'vendor/htmx.min.js': htmxFile };

function fingerprint(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 10);
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    );
}

/**
 * Returns `asset(name)`, which gives a static file's URL with its content hash, so every asset
 * can be cached for a year and a new release is still fetched at once.
 */
export function createAssetUrls(): (name: string) => string {
  const urls = new Map<string, string>();
  for (const name of listFiles(publicDir)) {
    urls.set(name, `/static/${name}?v=${fingerprint(path.join(publicDir, name))}`);
  }
  for (const [name, file] of Object.entries(VENDOR)) urls.set(name, `/static/${name}?v=${fingerprint(file)}`);
  return (name) => {
    const url = urls.get(name);
    if (!url) throw new Error(`Unknown asset: ${name}`);
    return url;
  };
}

/** Serves public/ and the vendored files under /static with long-lived cache headers. */
export function setUpStaticResources(app: Express, { cacheForever }: { cacheForever: boolean }): void {
  const options = {
    index: false,
    fallthrough: true,
    maxAge: cacheForever ? '365d' : 0,
    immutable: cacheForever,
  } as const;
  for (const [name, file] of Object.entries(VENDOR)) {
    app.get(`/static/${name}`, (req, res, next) => res.sendFile(file, options, (error) => error && next(error)));
  }
  app.use('/static', express.static(publicDir, options));
}
