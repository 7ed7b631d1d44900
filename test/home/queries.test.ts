import type { Knex } from 'knex';
import { listTile, type TileKind } from '../../src/home/queries';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser } from '../support/session';

describe('home page queries', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
    await db.knex.raw('analyze media.media');
  });

  afterAll(async () => {
    await db.drop();
  });

  /** The plan of the query listTile sends for this tile. */
  async function planOf(kind: TileKind, userId: string): Promise<string> {
    const sent: { sql: string; bindings: Knex.RawBinding[] }[] = [];
    const listen = (query: { sql: string; bindings?: Knex.RawBinding[] }) =>
      sent.push({ sql: query.sql, bindings: query.bindings ?? [] });
    db.knex.on('query', listen);
    try {
      await listTile(db.knex, kind, userId, 6);
    } finally {
      db.knex.removeListener('query', listen);
    }
    expect(sent).toHaveLength(1);
    const { rows } = await db.knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(
      `explain ${sent[0]!.sql.replace(/\$(\d+)/g, '?')}`,
      sent[0]!.bindings,
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it.each([
    ['popular', 'media_tracking_count_idx'],
    ['recent', 'media_created_at_idx'],
    ['newest', 'media_release_date_idx'],
  ] as const)('reads the %s tile from its index instead of sorting the catalog', async (kind, index) => {
    const user = await createUser(db.knex);
    const plan = await planOf(kind, user.id);
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan on media\b/);
  });

  it.each(['continue', 'up-next'] as const)('reads the %s tile from the user’s own entries', async (kind) => {
    const user = await createUser(db.knex);
    const plan = await planOf(kind, user.id);
    expect(plan).toMatch(/user_media_p\d\d/);
    expect(plan).not.toMatch(/Seq Scan on media\b/);
  });
});
