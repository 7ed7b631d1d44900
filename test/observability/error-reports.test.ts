import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { projectRoot } from '../../src/paths';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { capturedLogger, type LogLine } from '../support/logs';
import { createUser, csrfTokenFrom, sessionCookie, submitForm, type Agent } from '../support/session';
import { startEnvelopeReceiver, type EnvelopeReceiver } from './envelope-receiver';

const RELEASE = 'omnimediatrak@9.9.9-test';

/** What the failing request carries that no report may repeat. */
const SECRETS = {
  notes: 'my-private-notes-about-this-title',
  password: 'correct-horse-battery-staple-42',
  email: 'someone.private@example.org',
  token: 'bearer-token-that-must-stay-home',
};

describe('error reports to Sentry', () => {
  let db: TestDatabase;
  let receiver: EnvelopeReceiver;
  let app: Express;
  let logLines: LogLine[];
  let agent: Agent;
  let user: Awaited<ReturnType<typeof createUser>>;
  let mediaId: string;
  /** `omt.sid=...`, as the agent sends it. */
  let cookie: string;

  beforeAll(async () => {
    db = await createSeededDatabase();
    receiver = await startEnvelopeReceiver();
    const captured = capturedLogger();
    logLines = captured.lines;
    app = createTestApp(db.knex, {
      logger: captured.logger,
      config: { sentryDsn: receiver.dsn, sentryRelease: RELEASE },
    });
    user = await createUser(db.knex);
    const media = await db.knex('media.media').orderBy('id').first<{ id: string }>('id');
    mediaId = media.id;
    await db.knex('interaction.user_media').insert({ user_id: user.id, media_id: mediaId, status: 'planning' });
    // Every later write to the list fails in the database: a real query error whose message
    // quotes what was typed, as PostgreSQL's own messages do ('invalid input syntax: "..."'), and
    // the owner's email address.
    await db.knex.raw(`
      create function fail_list_writes() returns trigger language plpgsql as
        $$ begin
          raise exception 'list writes are failing (notes: %, owner: %)',
            new.notes, (select email from users.users where id = new.user_id);
        end $$;
      create trigger fail_list_writes before update on interaction.user_media
        for each row execute function fail_list_writes();
    `);
    agent = request.agent(app);
    const signIn = await submitForm(agent, '/login', '/login', { username: user.username, password: user.password });
    expect(signIn.status).toBe(303);
    cookie = sessionCookie(signIn)!;
    expect(cookie).toMatch(/^omt\.sid=./);
  });

  afterAll(async () => {
    await receiver.close();
    await db.drop();
  });

  async function postFailingEdit(requestId: string) {
    const _csrf = await csrfTokenFrom(agent, `/list/${mediaId}/edit`);
    return agent
      .post(`/list/${mediaId}`)
      .set('X-Request-Id', requestId)
      .set('Authorization', `Bearer ${SECRETS.token}`)
      .type('form')
      .send({ _csrf, notes: SECRETS.notes, password: SECRETS.password, email: SECRETS.email });
  }

  it('sends nothing for a 404 or a 422, then one event for a 500 with its request id, route template and release, and none of the secrets', async () => {
    expect((await agent.get('/no/such/page').set('X-Request-Id', 'not-found-1')).status).toBe(404);
    const _csrf = await csrfTokenFrom(agent, `/list/${mediaId}/edit`);
    const refused = await agent
      .post(`/list/${mediaId}`)
      .set('X-Request-Id', 'refused-1')
      .type('form')
      .send({ _csrf, rating: 'eleventy', password: SECRETS.password });
    expect(refused.status).toBe(422);

    const failed = await postFailingEdit('failing-edit-1');
    expect(failed.status).toBe(500);
    expect(failed.headers['x-request-id']).toBe('failing-edit-1');

    const [envelope] = await receiver.waitFor(1);
    // Reports go out in the order they are made: had the 404 or 422 been sent, it would be first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.envelopes).toHaveLength(1);

    const event = envelope!.event!;
    expect(event.release).toBe(RELEASE);
    expect(event.environment).toBe('test');
    expect(event.tags).toMatchObject({
      request_id: 'failing-edit-1',
      route: '/list/:mediaId',
      method: 'POST',
      status: '500',
    });
    expect(event.transaction).toBe('POST /list/:mediaId');
    const exception = (event.exception as { values: { value: string }[] }).values[0]!;
    expect(exception.value).toContain('list writes are failing');
    expect(event.request).toBeUndefined();
    expect(event.user).toBeUndefined();

    const raw = envelope!.raw;
    for (const secret of [
      ...Object.values(SECRETS),
      user.email,
      user.password,
      _csrf,
      cookie,
      cookie.slice('omt.sid='.length),
      decodeURIComponent(cookie.slice('omt.sid='.length)),
      `/list/${mediaId}`,
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toMatch(/cookie/i);
    expect(raw).not.toMatch(/authorization/i);

    // The log line of the same failure says what failed, with the same values scrubbed out.
    const failure = logLines.find((line) => line.msg === 'request failed');
    // Named by its class, with PostgreSQL's code, as an error logged whole would be.
    expect(failure?.err).toMatchObject({ type: 'DatabaseError', code: 'P0001' });
    expect((failure?.err as { message?: string } | undefined)?.message).toContain(
      'list writes are failing (notes: [Filtered], owner: [Filtered])',
    );
    const log = JSON.stringify(logLines);
    for (const secret of [...Object.values(SECRETS), user.email, user.password, _csrf]) {
      expect(log).not.toContain(secret);
    }
  });

  it('never loads @sentry/node without SENTRY_DSN, nor prom-client without METRICS_TOKEN', () => {
    const script = `
      const knex = require('knex')({ client: 'pg' });
      const { createApp } = require(${JSON.stringify(path.join(projectRoot, 'src/app.ts'))});
      const pino = require('pino');
      const base = { env: 'test', isProduction: false, trustProxy: false, sessionIdleMinutes: 60,
        sessionAbsoluteHours: 24, registrationsPerHour: 0, pruneSessions: false,
        sessionSecrets: ['a-test-secret-that-is-at-least-32-characters-long'] };
      const loaded = () => ({
        sentry: Object.keys(require.cache).some((file) => file.includes('@sentry')),
        prometheus: Object.keys(require.cache).some((file) => file.includes('prom-client')),
      });
      createApp({ knex, logger: pino({ level: 'silent' }), config: base });
      const without = loaded();
      createApp({ knex, logger: pino({ level: 'silent' }),
        config: { ...base, sentryDsn: 'http://k@127.0.0.1:9/1', metricsToken: 'a-token-of-16-chars-or-more' } });
      console.log(JSON.stringify({ without, with: loaded() }));
      // Nothing may keep the process alive once the apps are built: it ends by itself.
      knex.destroy();
    `;
    const run = spawnSync(path.join(projectRoot, 'node_modules/.bin/tsx'), ['--eval', script], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    // The second app shows the check does see each package once it is loaded.
    expect(JSON.parse(run.stdout.trim())).toEqual({
      without: { sentry: false, prometheus: false },
      with: { sentry: true, prometheus: true },
    });
  });
});
