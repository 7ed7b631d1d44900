import { createEmptyDatabase, type TestDatabase } from '../support/database';
import { runServer, type ServerRun } from '../support/server-process';
import { makeClient, sleep, tally, type Outcome } from './support';

/**
 * SIGTERM under keep-alive load: the server stops accepting, answers what it accepted, closes its
 * keep-alive sockets, and exits, quickly. A request counts as accepted when the server logged it
 * (every request it reads gets a log line with its X-Request-Id); the others were refused at
 * connect, or sent on a keep-alive socket the server had already closed, which HTTP clients
 * resend on a new connection.
 */

const CLIENTS = 6;
/** How long the request held in flight goes on after the signal. */
const HELD_AFTER_SIGNAL_MS = 500;

interface Sent {
  id: string;
  at: number;
  outcome: Outcome;
}

describe('shutdown under keep-alive load', () => {
  let db: TestDatabase;
  let server: ServerRun | undefined;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    if (server?.exitCode === null) server.child.kill('SIGKILL');
    await db.drop();
  });

  it('fails no accepted request and exits in under 2 s', async () => {
    server = await runServer(
      { DATABASE_URL: db.url, PORT: '0', SEED_ON_START: 'false', DEMO_ACCOUNT: 'false', SHUTDOWN_TIMEOUT_MS: '10000' },
      { until: 'listening' },
    );
    const port = server.port!;
    const sent: Sent[] = [];
    let serial = 0;
    let exited = false;
    void server.exited.then(() => (exited = true));
    const loops = Array.from({ length: CLIENTS }, async (_, index) => {
      const client = makeClient(port, { sockets: 2 });
      while (!exited) {
        const id = `drain-${index}-${(serial += 1)}`;
        const path = serial % 2 ? '/login' : '/register';
        sent.push({ id, at: Date.now(), outcome: await client.get(path, { 'x-request-id': id }) });
      }
      client.close();
    });

    // One request held in flight across the signal: the catalog waits on a lock this test holds.
    const holder = await db.knex.transaction();
    await holder.raw('lock table media.media_types in access exclusive mode');
    const heldClient = makeClient(port, { sockets: 1 });
    const held = heldClient.get('/catalog', { 'x-request-id': 'drain-held' });

    await sleep(1_500);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await sleep(HELD_AFTER_SIGNAL_MS);
    await holder.rollback();
    const heldOutcome = await held;
    heldClient.close();
    const code = await server.exited;
    const exitMs = Date.now() - signalledAt;
    await Promise.all(loops);

    const logged = new Map<string, number>();
    for (const line of server.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { req?: { id?: string }; res?: { statusCode?: number } };
      if (entry.req?.id && entry.res?.statusCode) logged.set(entry.req.id, entry.res.statusCode);
    }
    const accepted = sent.filter((request) => logged.has(request.id));
    const failedAccepted = accepted.filter((request) => request.outcome.answer?.status !== 200);
    const notAccepted = sent.filter((request) => !logged.has(request.id));
    const afterSignal = sent.filter((request) => request.at >= signalledAt);
    const figures = {
      sent: sent.length,
      accepted: accepted.length,
      failedAccepted: failedAccepted.length,
      notAccepted: tally(
        notAccepted.map(
          (r) =>
            `${r.outcome.error ?? `status ${r.outcome.answer?.status}`} on a ${r.outcome.reusedSocket ? 'reused' : 'new'} socket`,
        ),
      ),
      answeredAfterSignal: afterSignal.filter((r) => r.outcome.answer).length,
      closeHeaders: afterSignal.filter((r) => r.outcome.answer?.headers.connection === 'close').length,
      held: `${heldOutcome.answer?.status ?? heldOutcome.error} (connection: ${heldOutcome.answer?.headers.connection})`,
      exitMs,
    };
    process.stdout.write(`drain test: ${JSON.stringify(figures)}\n`);

    // The request in flight at the signal was finished, and told the client to close.
    expect(heldOutcome.answer?.status).toBe(200);
    expect(heldOutcome.answer?.headers.connection).toBe('close');
    expect(code).toBe(0);
    // Load was real: each client had requests answered. Not a throughput target: the suite's other
    // worker may be building the full catalog meanwhile (38 were accepted in 1.5 s under that).
    expect(accepted.length).toBeGreaterThan(CLIENTS * 3);
    expect(failedAccepted).toEqual([]);
    // What the server never read failed only at connect, or on a socket it had closed first.
    for (const request of notAccepted) {
      expect(request.outcome.answer).toBeUndefined();
      expect(request.outcome.error === 'ECONNREFUSED' || request.outcome.reusedSocket).toBe(true);
    }
    // Short requests, and one that ends half a second after the signal.
    expect(exitMs).toBeLessThan(2_000);
  });
});
