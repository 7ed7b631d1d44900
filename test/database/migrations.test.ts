import path from 'node:path';
import type { Knex } from 'knex';
import { MigrationFiles } from '../../src/database/connection';
import { projectRoot } from '../../src/paths';
import { createEmptyDatabase, type TestDatabase } from '../support/database';

const SCHEMAS = ['auth', 'ingest', 'interaction', 'media', 'users'];

const TABLES = [
  'auth.login_events',
  'auth.registration_attempts',
  'auth.sessions',
  'auth.tokens',
  'ingest.conflicts',
  'ingest.import_jobs',
  'ingest.import_logs',
  'ingest.import_progress',
  'ingest.import_rows',
  'ingest.import_uploads',
  'ingest.sources',
  'ingest.user_links',
  'interaction.list_activity',
  'interaction.list_items',
  'interaction.list_status_counts',
  'interaction.reviews',
  'interaction.smart_lists',
  'interaction.user_lists',
  'interaction.user_media',
  'media.external_links',
  'media.facet_counts',
  'media.genre_counts',
  'media.media',
  'media.media_classes',
  'media.media_types',
  'media.relationship_kinds',
  'media.relationships',
  'media.search_terms',
  'media.search_words',
  'media.title_keys',
  'media.type_counts',
  'users.preferences',
  'users.settings',
  'users.users',
];

async function ourSchemas(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { nspname: string }[] }>(
    'select nspname from pg_namespace where nspname = any(?) order by nspname',
    [SCHEMAS],
  );
  return rows.map((row) => row.nspname);
}

async function ourTables(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { name: string }[] }>(
    `select n.nspname || '.' || c.relname as name
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(?) and c.relkind in ('r', 'p') and not c.relispartition
     order by 1`,
    [SCHEMAS],
  );
  return rows.map((row) => row.name);
}

async function indexDefinitions(knex: Knex): Promise<Map<string, string>> {
  const { rows } = await knex.raw<{ rows: { indexname: string; indexdef: string }[] }>(
    'select indexname, indexdef from pg_indexes where schemaname = any(?)',
    [SCHEMAS],
  );
  return new Map(rows.map((row) => [row.indexname, row.indexdef]));
}

describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('create every schema, extension and table of the database plan, and roll back to nothing and up again', async () => {
    const { knex } = db;
    await knex.migrate.latest();

    expect(await ourSchemas(knex)).toEqual(SCHEMAS);
    expect(await ourTables(knex)).toEqual(TABLES);
    const { rows: extensions } = await knex.raw<{ rows: { extname: string }[] }>(
      "select extname from pg_extension where extname in ('ltree', 'pg_trgm', 'citext', 'unaccent') order by 1",
    );
    expect(extensions.map((row) => row.extname)).toEqual(['citext', 'ltree', 'pg_trgm', 'unaccent']);

    await knex.migrate.rollback(undefined, true);
    expect(await ourSchemas(knex)).toEqual([]);
    const [, pending] = (await knex.migrate.list()) as [unknown[], unknown[]];
    expect(pending.length).toBeGreaterThan(0);

    await knex.migrate.latest();
    expect(await ourTables(knex)).toEqual(TABLES);
    const [, stillPending] = (await knex.migrate.list()) as [unknown[], unknown[]];
    expect(stillPending).toEqual([]);
  });

  it('records migrations by name without extension, so the TypeScript and compiled builds agree', async () => {
    await db.knex.migrate.latest();
    const recorded = (await db.knex('knex_migrations').orderBy('id').pluck('name')) as string[];
    const sources = new MigrationFiles(path.join(projectRoot, 'migrations'), '.ts');
    const names = (await sources.getMigrations()).map((file) => sources.getMigrationName(file));
    expect(recorded).toEqual(names);
    expect(recorded.every((name) => !/\.(ts|js)$/.test(name))).toBe(true);
    const compiled = new MigrationFiles(path.join(projectRoot, 'dist', 'migrations'), '.js');
    expect(compiled.getMigrationName(`${names[0]}.js`)).toBe(names[0]);
  });

  describe('once applied', () => {
    beforeAll(async () => {
      await db.knex.migrate.latest();
    });

    it('hash-partitions user_media by user_id into 16 partitions', async () => {
      const { rows } = await db.knex.raw<{ rows: { strategy: string; key: string; partitions: number }[] }>(
        `select p.partstrat as strategy, pg_get_partkeydef(p.partrelid) as key,
                (select count(*)::int from pg_inherits i where i.inhparent = p.partrelid) as partitions
         from pg_partitioned_table p where p.partrelid = 'interaction.user_media'::regclass`,
      );
      expect(rows).toEqual([{ strategy: 'h', key: 'HASH (user_id)', partitions: 16 }]);
    });

    it('has the search, trigram, ltree and user-scoped indexes', async () => {
      const indexes = await indexDefinitions(db.knex);
      const expectations: [string, RegExp][] = [
        ['media_search_vector_idx', /USING gin \(search_vector\)/],
        // Typos are corrected against the word list; its new words go straight into the index.
        ['search_words_trgm_idx', /USING gin \(word gin_trgm_ops\) WITH \(fastupdate='?off'?\)/],
        ['media_class_idx', /USING gist \(media_class\)/],
        ['media_collection_path_idx', /USING gist \(collection_path\)/],
        ['media_type_release_date_idx', /\(media_type, release_date\)/],
        ['user_media_user_status_idx', /\(user_id, status\)/],
        ['user_media_user_rating_idx', /\(user_id, rating\)/],
        ['user_media_user_updated_idx', /\(user_id, updated_at DESC\)/],
        ['user_media_unfinished_idx', /\(user_id, updated_at DESC\) WHERE/],
        ['sessions_expire_idx', /\(expire\)/],
      ];
      for (const [name, definition] of expectations) {
        expect(indexes.get(name)).toMatch(definition);
      }
      // Nothing searches whole titles by trigram any more, so no title write pays for it.
      expect(indexes.has('media_title_trgm_idx')).toBe(false);
    });

    it('keeps search_vector in step with title, original title and creators, without accents', async () => {
      const [row] = await db
        .knex('media.media')
        .insert({
          media_type: 'anime',
          media_class: 'video.film.anime',
          title: 'Nausicaä of the Valley',
          creators: ['Hayao Miyazaki'],
        })
        .returning<{ id: string }[]>('id');
      const match = async (query: string) =>
        (
          await db.knex.raw<{ rows: { found: boolean }[] }>(
            "select search_vector @@ to_tsquery('simple', ?) as found from media.media where id = ?",
            [query, row!.id],
          )
        ).rows[0]?.found;
      expect(await match('nausicaa')).toBe(true);
      expect(await match('miyazaki')).toBe(true);
      expect(await match('totoro')).toBe(false);
      await db.knex('media.media').where({ id: row!.id }).update({ title: 'My Neighbor Totoro' });
      expect(await match('totoro')).toBe(true);
      expect(await match('nausicaa')).toBe(false);
    });

    it('rejects rows that break the rules: bad status, rating out of range, self-links, dates out of order', async () => {
      const { knex } = db;
      const [user] = await knex('users.users')
        .insert({ username: 'rules', email: 'rules@example.com', password_hash: 'x' })
        .returning<{ id: string }[]>('id');
      const [a, b] = await knex('media.media')
        .insert([
          { media_type: 'book', media_class: 'written.book', title: 'A' },
          { media_type: 'book', media_class: 'written.book', title: 'B' },
        ])
        .returning<{ id: string }[]>('id');
      const entry = { user_id: user!.id, media_id: a!.id, status: 'planning' };

      await expect(knex('interaction.user_media').insert({ ...entry, status: 'watching' })).rejects.toThrow(
        /check constraint/,
      );
      await expect(knex('interaction.user_media').insert({ ...entry, rating: 0 })).rejects.toThrow(/check constraint/);
      await expect(knex('interaction.user_media').insert({ ...entry, rating: 101 })).rejects.toThrow(
        /check constraint/,
      );
      await expect(knex('interaction.user_media').insert({ ...entry, progress: -1 })).rejects.toThrow(
        /check constraint/,
      );
      await expect(
        knex('interaction.user_media').insert({ ...entry, started_at: '2024-02-01', completed_at: '2024-01-01' }),
      ).rejects.toThrow(/user_media_completed_after_started/);
      await expect(
        knex('media.relationships').insert({ source_id: a!.id, kind: 'sequel', target_id: a!.id }),
      ).rejects.toThrow(/relationships_no_self_link/);
      await expect(
        knex('media.relationships').insert({ source_id: a!.id, kind: 'sequelz', target_id: b!.id }),
      ).rejects.toThrow(/foreign key/);
      await expect(
        knex('media.media').insert({ media_type: 'vinyl', media_class: 'audio', title: 'C' }),
      ).rejects.toThrow(/foreign key/);
      await expect(
        knex('users.users').insert({ username: 'RULES', email: 'other@example.com', password_hash: 'x' }),
      ).rejects.toThrow(/users_username_key/);
      await expect(knex('users.preferences').insert({ user_id: user!.id, theme: 'neon' })).rejects.toThrow(
        /check constraint/,
      );

      await knex('interaction.user_media').insert({ ...entry, rating: 100, progress: 3 });
      expect(await knex('interaction.user_media').where({ user_id: user!.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
    });

    it('pairs every relationship kind with an inverse whose inverse is the kind itself', async () => {
      const { rows } = await db.knex.raw<{ rows: { kind: string }[] }>(
        `select k.kind from media.relationship_kinds k
         join media.relationship_kinds i on i.kind = k.inverse_kind
         where i.inverse_kind <> k.kind`,
      );
      expect(rows).toEqual([]);
    });
  });
});
