import { createSeededDatabase, type TestDatabase } from '../support/database';
import { runServer, type ServerRun } from '../support/server-process';
import { createUser } from '../support/session';
import { sleep } from './support';

/**
 * A list import survives the server being killed (SIGKILL: no shutdown, no cleanup) in the middle
 * of reading the file and again in the middle of applying it: the step's transaction rolls back,
 * nothing half-written is left, and the next server process takes the job up and finishes it.
 * Real server processes (src/server.ts) on a real PostgreSQL; the job is put in the queue as an
 * upload would put it.
 */

const ROWS = 6000;
const TIMEOUT_MS = 90_000;

describe('a list import across server restarts', () => {
  let db: TestDatabase;
  const servers: ServerRun[] = [];

  beforeAll(async () => {
    db = await createSeededDatabase();
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) if (server.exitCode === null) server.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited));
    await db.drop();
  });

  async function startServer(): Promise<ServerRun> {
    const server = await runServer(
      { DATABASE_URL: db.url, PORT: '0', SEED_ON_START: 'false', DEMO_ACCOUNT: 'false' },
      { until: 'listening' },
    );
    servers.push(server);
    if (server.port === undefined) throw new Error(`the server did not start: ${server.stderr}`);
    return server;
  }

  const jobOf = (jobId: string) =>
    db
      .knex('ingest.import_jobs')
      .where('id', jobId)
      .first<{ status: string; summary: Record<string, number> | null; error: string | null }>(
        'status',
        'summary',
        'error',
      );

  const progressOf = (jobId: string) =>
    db
      .knex('ingest.import_progress')
      .where('job_id', jobId)
      .first<{ step: string; done: number; total: number } | undefined>('step', 'done', 'total');

  /** How many rows of the job are stored (or applied). */
  async function rowsOf(jobId: string, { appliedOnly = false } = {}): Promise<number> {
    const query = db.knex('ingest.import_rows').where('job_id', jobId);
    if (appliedOnly) void query.whereNotNull('applied_at');
    return Number((await query.count({ n: '*' }))[0]!.n);
  }

  /** Polls until `check` holds; fails naming `what` after the timeout. */
  async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + TIMEOUT_MS;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }

  /** Waits until the step is part-way (some rows done, not all), then kills the server outright. */
  async function killMidStep(server: ServerRun, jobId: string, step: string): Promise<void> {
    await waitFor(`${step} to be under way`, async () => {
      const progress = await progressOf(jobId);
      return progress?.step === step && progress.done > 0 && progress.done < progress.total;
    });
    server.child.kill('SIGKILL');
    await server.exited;
  }

  it('finishes an import whose server was killed while reading it and again while applying it', async () => {
    const user = await createUser(db.knex);
    await db.knex.raw(
      `insert into media.media (media_type, media_class, title, release_date, release_date_precision)
       select 'movie', 'video.film', 'Restart Reel ' || i, date '2003-01-01', 'year' from generate_series(1, ?) i`,
      [ROWS],
    );
    const csv = [
      'Date,Name,Year,Letterboxd URI',
      ...Array.from({ length: ROWS }, (_, i) => `2024-03-01,Restart Reel ${i + 1},2003,https://boxd.it/rr${i + 1}`),
    ].join('\n');
    const [job] = await db
      .knex('ingest.import_jobs')
      .insert({ user_id: user.id, source_name: 'letterboxd', status: 'pending', options: { mode: 'fill' } })
      .returning<{ id: string }[]>('id');
    const jobId = job!.id;
    const bytes = Buffer.from(csv);
    await db
      .knex('ingest.import_uploads')
      .insert({ job_id: jobId, file_name: 'watched.csv', byte_size: bytes.length, bytes });

    // Killed while matching: the job is still waiting, with no rows stored.
    await killMidStep(await startServer(), jobId, 'matching');
    expect((await jobOf(jobId)).status).toBe('pending');
    expect(await rowsOf(jobId)).toBe(0);

    // The next process reads it whole.
    const second = await startServer();
    await waitFor('the preview', async () => (await jobOf(jobId)).status === 'ready');
    expect((await jobOf(jobId)).summary).toEqual({ rows: ROWS, add: ROWS });

    // Confirmed (as the Import button does), then killed while applying: not one entry written.
    await db.knex('ingest.import_jobs').where('id', jobId).update({ status: 'applying' });
    await killMidStep(second, jobId, 'applying');
    expect((await jobOf(jobId)).status).toBe('applying');
    const entries = async () =>
      Number((await db.knex('interaction.user_media').where('user_id', user.id).count({ n: '*' }))[0]!.n);
    expect(await entries()).toBe(0);

    await startServer();
    await waitFor('the import to finish', async () => (await jobOf(jobId)).status === 'succeeded');
    expect(await entries()).toBe(ROWS);
    expect(await jobOf(jobId)).toMatchObject({ summary: { add: ROWS, written: ROWS }, error: null });
    expect(await rowsOf(jobId, { appliedOnly: true })).toBe(ROWS);
  }, 240_000);
});
