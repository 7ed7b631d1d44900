import { createSeededDatabase, type TestDatabase } from '../support/database';

/** media.title_length: a title's length in its progress unit, the one definition every query uses. */
describe('a title’s length', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  async function lengthOf(unit: string, attributes: Record<string, unknown>): Promise<number | null> {
    const { rows } = await db.knex.raw<{ rows: { length: number | null }[] }>(
      'select media.title_length(?, ?::jsonb) as length',
      [unit, JSON.stringify(attributes)],
    );
    return rows[0]!.length;
  }

  it('reads the attribute of each progress unit', async () => {
    expect(await lengthOf('episodes', { episodes: 24, chapters: 3 })).toBe(24);
    expect(await lengthOf('chapters', { chapters: '110' })).toBe(110);
    expect(await lengthOf('pages', { pages: 352 })).toBe(352);
    expect(await lengthOf('minutes', { runtime_minutes: 137, episodes: 2 })).toBe(137);
  });

  it('is unknown for hours and items, a missing attribute, or one that is not a whole number of at most 7 digits', async () => {
    expect(await lengthOf('hours', { runtime_minutes: 60 })).toBeNull();
    expect(await lengthOf('items', { episodes: 3 })).toBeNull();
    expect(await lengthOf('episodes', {})).toBeNull();
    expect(await lengthOf('episodes', { episodes: '12.5' })).toBeNull();
    expect(await lengthOf('episodes', { episodes: -3 })).toBeNull();
    expect(await lengthOf('pages', { pages: 12_345_678 })).toBeNull();
    expect(await lengthOf('pages', { pages: 1_234_567 })).toBe(1_234_567);
  });

  it('is inlined into the statements that use it, so it costs what the expression costs', async () => {
    const { rows } = await db.knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(
      `explain (verbose, costs off)
       select media.title_length(t.progress_unit, m.attributes)
         from media.media m join media.media_types t on t.media_type = m.media_type`,
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('CASE');
    expect(plan).not.toContain('title_length');
  });
});
