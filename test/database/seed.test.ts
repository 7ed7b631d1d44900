import { readCatalog, seedCatalog, type CatalogRecord, type CatalogSeedReport } from '../../seeds/catalog';
import { catalogFile } from '../../seeds';
import { DEMO_ACCOUNT, ensureDemoAccount } from '../../seeds/demo';
import { verifyPassword } from '../../src/users/passwords';
import { createEmptyDatabase, createSeededDatabase, type TestDatabase } from '../support/database';

const catalog = readCatalog(catalogFile);

async function tableCounts(db: TestDatabase): Promise<Record<string, number>> {
  const { rows } = await db.knex.raw<{ rows: Record<string, number>[] }>(`
    select (select count(*)::int from media.media) as media,
           (select count(*)::int from media.external_links) as links,
           (select count(*)::int from media.relationships) as relationships,
           (select count(*)::int from ingest.sources where kind = 'catalog') as sources`);
  return rows[0]!;
}

function record(overrides: Partial<CatalogRecord>): CatalogRecord {
  return {
    type: 'book',
    media_class: 'written.book',
    title: 'Untitled',
    original_title: null,
    release_date: '2001',
    country_of_origin: null,
    creators: [],
    attributes: {},
    external_ids: {},
    source: 'goodbooks-10k',
    relations: [],
    ...overrides,
  };
}

describe('the catalog seed', () => {
  describe('on an empty database', () => {
    let db: TestDatabase;
    /** The first run's report, made here so that each test stands alone, in any order. */
    let firstReport: CatalogSeedReport;
    beforeAll(async () => {
      db = await createEmptyDatabase();
      await db.knex.migrate.latest();
      firstReport = await seedCatalog(db.knex, catalog);
    });
    afterAll(async () => {
      await db.drop();
    });

    it('loads every item of the shared catalog once, with its ids and relations both ways', async () => {
      const report = firstReport;
      // Six lines of the file name a work an earlier line already names (same identifying id).
      expect(report.records).toBe(catalog.length);
      expect(report.duplicatesInFile).toBe(6);
      expect(report.mediaInserted).toBe(catalog.length - 6);
      expect(report.mediaMatched).toBe(0);
      // SOURCES.md: 175 anime relations point at a MAL id with no catalog item.
      expect(report.relationsSkipped).toBe(175);
      // A few ids in the data name two different works; the first item keeps them, and they are counted.
      expect(report.externalIdConflicts).toBeGreaterThan(0);
      const counts = await tableCounts(db);
      expect(counts.media).toBe(report.mediaInserted);
      expect(counts.links).toBe(report.externalIdsInserted);
      expect(counts.relationships).toBe(report.relationshipsInserted);
      expect(counts.sources).toBe(5);
    });

    it('inserts nothing when run a second time', async () => {
      const before = await tableCounts(db);
      const report = await seedCatalog(db.knex, catalog);
      expect(report).toMatchObject({ mediaInserted: 0, externalIdsInserted: 0, relationshipsInserted: 0 });
      expect(report.externalIdConflicts).toBe(firstReport.externalIdConflicts);
      expect(report.mediaMatched).toBe(before.media);
      expect(await tableCounts(db)).toEqual(before);
    });
  });

  describe('in the seeded catalog', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createSeededDatabase();
    });
    afterAll(async () => {
      await db.drop();
    });

    it('has the inverse of every relationship', async () => {
      const { rows } = await db.knex.raw<{ rows: { missing: number; total: number }[] }>(`
        select count(*) filter (where inverse.source_id is null)::int as missing, count(*)::int as total
        from media.relationships r
        join media.relationship_kinds k on k.kind = r.kind
        left join media.relationships inverse
          on inverse.source_id = r.target_id and inverse.target_id = r.source_id and inverse.kind = k.inverse_kind`);
      expect(rows[0]!.total).toBeGreaterThan(6000);
      expect(rows[0]!.missing).toBe(0);
    });

    it('links a book to its sequel and its film adaptation, and the film back to its source', async () => {
      const idOf = async (source: string, key: string) =>
        (
          await db
            .knex('media.external_links')
            .where({ source_name: source, external_key: key })
            .first<{ media_id: string } | undefined>('media_id')
        )?.media_id as string;
      const philosophersStone = await idOf('goodreads', '3');
      const film = await idOf('enwiki', 'Harry_Potter_and_the_Philosopher%27s_Stone_(film)');
      const related = await db
        .knex('media.relationships as r')
        .join('media.media as m', 'm.id', 'r.target_id')
        .where('r.source_id', philosophersStone)
        .orderBy(['r.kind', 'm.title'])
        .select('r.kind', 'm.title', 'm.media_type');
      expect(related).toEqual(
        expect.arrayContaining([
          { kind: 'sequel', title: 'Harry Potter and the Chamber of Secrets', media_type: 'book' },
          { kind: 'adaptation', title: "Harry Potter and the Sorcerer's Stone", media_type: 'movie' },
        ]),
      );
      expect(
        await db
          .knex('media.relationships')
          .where({ source_id: film, kind: 'source', target_id: philosophersStone })
          .first(),
      ).toBeDefined();
    });

    it('keeps the precision of release dates and files series under a franchise path', async () => {
      const book = await db
        .knex('media.media')
        .where({ title: 'The Hunger Games', media_type: 'book' })
        .first<
          { release_date: string | null; release_date_precision: string; collection_path: string | null } | undefined
        >();
      expect(book).toMatchObject({
        release_date: '2008-01-01',
        release_date_precision: 'year',
        collection_path: 'the_hunger_games',
      });
      const anime = await db
        .knex('media.media as m')
        .join('media.external_links as l', 'l.media_id', 'm.id')
        .where({ 'l.source_name': 'mal', 'l.external_key': '967' })
        .first<
          { release_date: string | null; release_date_precision: string; country_of_origin: string | null } | undefined
        >('m.release_date', 'm.release_date_precision', 'm.country_of_origin');
      expect(anime).toEqual({ release_date: '1984-10-04', release_date_precision: 'day', country_of_origin: 'JP' });
    });

    it('skips and counts a relation whose target is not in the catalog, and matches known items by external id', async () => {
      const report = await seedCatalog(db.knex, [
        record({ title: 'Harry Potter 1 (retitled)', external_ids: { goodreads: '3' } }),
        // Known by a secondary id only (its ISBN): still the same book, not a new one.
        record({
          title: 'Harry Potter 1 (another edition)',
          external_ids: { goodreads: 'test-edition', isbn13: '9780439554930' },
        }),
        record({
          title: 'A book only this test knows',
          external_ids: { goodreads: 'test-only-1' },
          relations: [
            { kind: 'sequel', target_external: { goodreads: 'not-in-catalog' } },
            { kind: 'prequel', target_external: { goodreads: '3' } },
          ],
        }),
      ]);
      expect(report).toMatchObject({
        mediaInserted: 1,
        mediaMatched: 2,
        relationsSkipped: 1,
        relationshipsInserted: 2,
      });
      const harry = await db
        .knex('media.media as m')
        .join('media.external_links as l', 'l.media_id', 'm.id')
        .where({ 'l.source_name': 'goodreads', 'l.external_key': '3' })
        .first<{ title: string }>('m.title');
      expect(harry.title).toBe("Harry Potter and the Sorcerer's Stone");
    });
  });

  describe('the demo account', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createSeededDatabase();
    });
    afterAll(async () => {
      await db.drop();
    });

    it('is created once, with a hashed password that signs in and a few list entries', async () => {
      expect(await ensureDemoAccount(db.knex)).toEqual({ created: true });
      expect(await ensureDemoAccount(db.knex)).toEqual({ created: false });
      const users = await db
        .knex('users.users')
        .where({ username: DEMO_ACCOUNT.username })
        .select<{ id: string; password_hash: string }[]>('id', 'password_hash');
      expect(users).toHaveLength(1);
      expect(users[0]!.password_hash).toMatch(/^\$argon2id\$/);
      expect(users[0]!.password_hash).not.toContain(DEMO_ACCOUNT.password);
      expect(await verifyPassword(users[0]!.password_hash, DEMO_ACCOUNT.password)).toBe(true);
      expect(await verifyPassword(users[0]!.password_hash, 'wrong password')).toBe(false);
      const entries = await db
        .knex('interaction.user_media')
        .where({ user_id: users[0]!.id })
        .select<{ status: string }[]>('status');
      expect(entries.map((entry) => entry.status).sort()).toEqual([
        'completed',
        'completed',
        'in_progress',
        'planning',
      ]);
    });
  });
});
