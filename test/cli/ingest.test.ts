import path from 'node:path';
import { runCliCommand } from '../support/cli';
import { createSeededDatabase, type TestDatabase } from '../support/database';

const fixture = path.join(__dirname, '..', 'ingest', 'fixtures', 'netflix-titles.csv.gz');

describe('npm run ingest', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createSeededDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  const jobs = () =>
    db
      .knex('ingest.import_jobs')
      .orderBy('created_at')
      .select<{ status: string; summary: { records: number; inserted: number; updated: number } }[]>(
        'status',
        'summary',
      );

  it('takes in a dump given as a file, and a second run of it changes nothing', async () => {
    const first = await runCliCommand('ingest.ts', db.url, ['netflix-titles', fixture]);
    expect(first.code).toBe(0);
    const second = await runCliCommand('ingest.ts', db.url, ['netflix-titles', fixture]);
    expect(second.code).toBe(0);
    const [one, two] = (await jobs()).slice(-2);
    expect(one!.status).toBe('succeeded');
    expect(one!.summary.records).toBeGreaterThan(0);
    expect(one!.summary.inserted + one!.summary.updated).toBeGreaterThan(0);
    expect(two).toMatchObject({
      status: 'succeeded',
      summary: { records: one!.summary.records, inserted: 0, updated: 0, conflicts: 0, removed: 0 },
    });
  });

  it('names the sources it knows when called without one, and touches nothing', async () => {
    const before = await jobs();
    const run = await runCliCommand('ingest.ts', db.url, ['no-such-source']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'bangumi-data, goodbooks-10k, wikipedia-movie-data, netflix-titles, libretro-database',
    );
    expect(await jobs()).toEqual(before);
  });
});
