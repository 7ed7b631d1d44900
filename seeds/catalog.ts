import fs from 'node:fs';
import type { Knex } from 'knex';

/** One line of seeds/data/catalog.jsonl; SOURCES.md beside it describes the fields. */
export interface CatalogRecord {
  type: string;
  media_class: string;
  title: string;
  original_title: string | null;
  release_date: string | null;
  country_of_origin: string | null;
  creators: string[];
  attributes: Record<string, unknown>;
  external_ids: Record<string, string>;
  source: string;
  relations: { kind: string; target_external: Record<string, string> }[];
}

export interface CatalogSeedReport {
  /** Items in the file. */
  records: number;
  /** Items in the file that name the same work as an earlier line (same identifying id). */
  duplicatesInFile: number;
  mediaInserted: number;
  /** Items that were already in the database, matched by external id. */
  mediaMatched: number;
  externalIdsInserted: number;
  /** Relationship rows written, counting both directions. */
  relationshipsInserted: number;
  /** Relations whose target is not in the catalog (or whose kind is unknown). */
  relationsSkipped: number;
  /** External ids that already name another item, so were not linked to this one. */
  externalIdConflicts: number;
}

/** The datasets the catalog was built from, recorded as import sources with their licences. */
const DATASETS = [
  ['goodbooks-10k', 'goodbooks-10k (Goodreads metadata)', 'CC BY-SA 4.0'],
  ['wikipedia-movie-data', 'Wikipedia movie data', 'MIT (data from English Wikipedia, CC BY-SA)'],
  ['netflix-titles', 'Netflix Movies and TV Shows', 'CC0 1.0'],
  ['bangumi-data', 'bangumi-data', 'CC BY 4.0'],
  ['libretro-database', 'libretro-database', 'CC BY-SA 4.0'],
] as const;

/**
 * The id that says "this is the same work" on a second run, most specific first. Items with no
 * external id at all (the games) get a key of our own made from their dataset, type, title and year.
 */
const IDENTITY_ORDER = ['goodreads', 'netflix_dataset_show_id', 'bangumi', 'enwiki', 'mal', 'anilist', 'anidb', 'tmdb'];
const OWN_KEY_SOURCE = 'catalog_seed';
const CHUNK = 2000;

/** Reads the JSON-lines catalog. */
export function readCatalog(file: string): CatalogRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CatalogRecord);
}

/** An ltree label from free text: "Harry Potter" → "harry_potter"; null when nothing is left. */
export function ltreeLabel(text: string): string | null {
  const label = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  return label === '' ? null : label;
}

/** "2008" → 2008-01-01 with year precision; a game's release_month narrows it to the month. */
function releaseDate(record: CatalogRecord): { date: string | null; precision: 'year' | 'month' | 'day' } {
  const value = record.release_date;
  if (value && /^\d{4}-\d{2}-\d{2}$/.test(value)) return { date: value, precision: 'day' };
  if (value && /^\d{4}$/.test(value)) {
    const month = Number(record.attributes.release_month);
    if (Number.isInteger(month) && month >= 1 && month <= 12) {
      return { date: `${value}-${String(month).padStart(2, '0')}-01`, precision: 'month' };
    }
    return { date: `${value}-01-01`, precision: 'year' };
  }
  return { date: null, precision: 'day' };
}

function collectionPath(record: CatalogRecord): string | null {
  const name = record.attributes.series ?? record.attributes.franchise;
  return typeof name === 'string' ? ltreeLabel(name) : null;
}

function identityOf(record: CatalogRecord): [string, string] {
  for (const source of IDENTITY_ORDER) {
    const key = record.external_ids[source];
    if (key) return [source, key];
  }
  return [OWN_KEY_SOURCE, `${record.source}:${record.type}:${record.title}:${record.release_date ?? ''}`];
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Loads the catalog idempotently in one transaction, with set-based inserts: items are matched
 * to what is already stored by their identifying external id, so a second run inserts nothing.
 * Relations are written in both directions (the inverse kind comes from media.relationship_kinds);
 * a relation whose target is not in the catalog is skipped and counted.
 */
export async function seedCatalog(knex: Knex, records: CatalogRecord[]): Promise<CatalogSeedReport> {
  const seen = new Set<string>();
  const items: Record<string, unknown>[] = [];
  const links: { ord: number; priority: number; source_name: string; external_key: string }[] = [];
  const relations: { ord: number; kind: string; target_source: string; target_key: string }[] = [];
  for (const record of records) {
    const [identitySource, identityKey] = identityOf(record);
    const identity = `${identitySource}\u0000${identityKey}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const ord = items.length;
    const { date, precision } = releaseDate(record);
    items.push({
      ord,
      identity_source: identitySource,
      identity_key: identityKey,
      media_type: record.type,
      media_class: record.media_class,
      title: record.title.trim(),
      original_title: record.original_title,
      release_date: date,
      release_date_precision: precision,
      country_of_origin: record.country_of_origin,
      creators: record.creators,
      attributes: { ...record.attributes, dataset: record.source },
      collection_path: collectionPath(record),
    });
    links.push({ ord, priority: 0, source_name: identitySource, external_key: identityKey });
    for (const [source, key] of Object.entries(record.external_ids)) {
      if (source !== identitySource) {
        links.push({ ord, priority: links.length, source_name: source, external_key: String(key) });
      }
    }
    for (const relation of record.relations) {
      const [targetSource, targetKey] = Object.entries(relation.target_external)[0] ?? [];
      if (targetSource && targetKey) {
        relations.push({ ord, kind: relation.kind, target_source: targetSource, target_key: targetKey });
      }
    }
  }

  return knex.transaction(async (trx) => {
    // One seed at a time: two processes starting on an empty database must not both load it.
    await trx.raw("select pg_advisory_xact_lock(hashtext('omnimediatrak:catalog-seed'))");
    await trx.raw(`
      create temporary table seed_media (
        ord integer primary key, id uuid not null default gen_random_uuid(), existing boolean not null default false,
        identity_source text, identity_key text, media_type text, media_class ltree, title text,
        original_title text, release_date date, release_date_precision text, country_of_origin text,
        creators text[], attributes jsonb, collection_path ltree
      ) on commit drop;
      create temporary table seed_links (ord integer, priority integer, source_name text, external_key text) on commit drop;
      create temporary table seed_relations (ord integer, kind text, target_source text, target_key text) on commit drop;
    `);
    for (const chunk of chunks(items)) {
      await trx.raw(
        `insert into seed_media (ord, identity_source, identity_key, media_type, media_class, title,
           original_title, release_date, release_date_precision, country_of_origin, creators, attributes, collection_path)
         select ord, identity_source, identity_key, media_type, media_class::ltree, title, original_title,
           release_date, release_date_precision, country_of_origin, creators, attributes, collection_path::ltree
         from jsonb_to_recordset(?::jsonb) as r(ord integer, identity_source text, identity_key text,
           media_type text, media_class text, title text, original_title text, release_date date,
           release_date_precision text, country_of_origin text, creators text[], attributes jsonb, collection_path text)`,
        [JSON.stringify(chunk)],
      );
    }
    for (const chunk of chunks(links)) {
      await trx.raw(
        `insert into seed_links select * from jsonb_to_recordset(?::jsonb)
           as r(ord integer, priority integer, source_name text, external_key text)`,
        [JSON.stringify(chunk)],
      );
    }
    for (const chunk of chunks(relations)) {
      await trx.raw(
        `insert into seed_relations select * from jsonb_to_recordset(?::jsonb)
           as r(ord integer, kind text, target_source text, target_key text)`,
        [JSON.stringify(chunk)],
      );
    }

    await trx.raw(
      `
      insert into ingest.sources (name, label, licence)
      select * from (values ${DATASETS.map(() => '(?, ?, ?)').join(', ')}) as d(name, label, licence)
      on conflict (name) do update set label = excluded.label, licence = excluded.licence`,
      DATASETS.flat(),
    );

    // An item is already known when any of its ids is (its identifying id first): the Rosetta stone.
    const matched = await trx.raw<{ rowCount: number | null }>(`
      update seed_media s set id = known.media_id, existing = true
      from (
        select distinct on (l.ord) l.ord, e.media_id
        from seed_links l
        join media.external_links e on e.source_name = l.source_name and e.external_key = l.external_key
        order by l.ord, l.priority
      ) known
      where known.ord = s.ord`);

    const inserted = await trx.raw<{ rowCount: number | null }>(`
      insert into media.media (id, media_type, media_class, title, original_title, release_date,
        release_date_precision, country_of_origin, creators, attributes, collection_path)
      select id, media_type, media_class, title, original_title, release_date,
        release_date_precision, country_of_origin, creators, attributes, collection_path
      from seed_media where not existing
      order by ord`);

    const externalIds = await trx.raw<{ rowCount: number | null }>(`
      insert into media.external_links (media_id, source_name, external_key)
      select s.id, l.source_name, l.external_key
      from seed_links l join seed_media s using (ord)
      order by l.ord
      on conflict (source_name, external_key) do nothing`);

    // Ids that name another item than the one claiming them here (the data has a few).
    const conflicts = await trx.raw<{ rows: { conflicts: number }[] }>(`
      select count(*)::int as conflicts
      from seed_links l
      join seed_media s using (ord)
      join media.external_links e on e.source_name = l.source_name and e.external_key = l.external_key
      where e.media_id <> s.id`);

    await trx.raw(`
      create temporary table seed_resolved on commit drop as
        select s.id as source_id, r.kind, k.inverse_kind, l.media_id as target_id
        from seed_relations r
        join seed_media s using (ord)
        left join media.relationship_kinds k using (kind)
        left join media.external_links l on l.source_name = r.target_source and l.external_key = r.target_key`);
    const counted = await trx.raw<{ rows: { skipped: number }[] }>(`
      select count(*)::int as skipped from seed_resolved
      where target_id is null or target_id = source_id or inverse_kind is null`);

    const relationships = await trx.raw<{ rowCount: number | null }>(`
      with usable as (
        select * from seed_resolved
        where target_id is not null and target_id <> source_id and inverse_kind is not null
      )
      insert into media.relationships (source_id, kind, target_id)
      select source_id, kind, target_id from usable
      union
      select target_id, inverse_kind, source_id from usable
      on conflict do nothing`);

    // Fresh statistics, so the planner knows the new size of the catalog at once.
    await trx.raw('analyze media.media, media.external_links, media.relationships');

    return {
      records: records.length,
      duplicatesInFile: records.length - items.length,
      mediaInserted: inserted.rowCount ?? 0,
      mediaMatched: matched.rowCount ?? 0,
      externalIdsInserted: externalIds.rowCount ?? 0,
      relationshipsInserted: relationships.rowCount ?? 0,
      relationsSkipped: counted.rows[0]?.skipped ?? 0,
      externalIdConflicts: conflicts.rows[0]?.conflicts ?? 0,
    };
  });
}
