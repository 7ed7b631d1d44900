import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { catalogSources, shareAlikeSources, type CatalogSource } from '../attribution/sources';
import { countWorksByKey, lastLoadedBySource } from './queries';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "7 Dec 2026, 14:03 UTC": a load is an operator's event, so the time is given, in UTC. */
export function formatLoadTime(date: Date): string {
  const time = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${time} UTC`;
}

/** A source as the page draws it: its attribution, and what the database says of it. */
export interface SourceOnPage extends CatalogSource {
  /**
   * Works carrying its own id; null for a source with no ids of its own (an ids-only adapter, or
   * no adapter yet), which only adds ids and links to other sources' works.
   */
  works: number | null;
  /** Its last successful load, or null when `npm run ingest` never loaded it. */
  loadedAt: { iso: string; text: string } | null;
}

/**
 * GET /about/data: every dataset the catalog is built from, with the credit its licence asks for,
 * what we changed, and from the database how many works it describes and when it was last loaded.
 */
export function showDataSources(knex: Knex): RequestHandler {
  return async (_req, res) => {
    const sources = catalogSources();
    const keyNames = sources.flatMap((source) => (source.keyName ? [source.keyName] : []));
    const [works, loads] = await Promise.all([
      countWorksByKey(knex, keyNames),
      lastLoadedBySource(
        knex,
        sources.filter((source) => source.loadable).map((source) => source.name),
      ),
    ]);
    const shown: SourceOnPage[] = sources.map((source) => {
      const loadedAt = loads.get(source.name);
      return {
        ...source,
        works: source.keyName ? (works.get(source.keyName) ?? 0) : null,
        loadedAt: loadedAt ? { iso: loadedAt.toISOString(), text: formatLoadTime(loadedAt) } : null,
      };
    });
    res.render('about/data', {
      title: 'Data sources and licences',
      page: 'about-data',
      sources: shown,
      shareAlike: shareAlikeSources(sources),
    });
  };
}
