import type { Request } from 'express';
import { loadConfig } from '../../src/config';
import { resolveRelease } from '../../src/observability/error-reports';
import pino from 'pino';
import { errorForLog, FILTERED, scrubString, secretsOf } from '../../src/observability/scrub';

describe('observability settings', () => {
  it('leaves error reports and metrics off when nothing is set, and files reports under NODE_ENV', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.sentryDsn).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
    expect(config.sentryEnvironment).toBe('test');
  });

  it('reads a DSN, a release, an environment and a token', () => {
    const config = loadConfig({
      SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42',
      SENTRY_RELEASE: 'omt@2.0.0',
      SENTRY_ENVIRONMENT: 'staging',
      METRICS_TOKEN: 'sixteen-chars-ok',
    });
    expect(config).toMatchObject({
      sentryDsn: 'https://abc123@o1.ingest.sentry.io/42',
      sentryRelease: 'omt@2.0.0',
      sentryEnvironment: 'staging',
      metricsToken: 'sixteen-chars-ok',
    });
  });

  it.each([
    ['SENTRY_DSN', 'not a url'],
    ['SENTRY_DSN', 'ftp://key@host/1'],
    ['SENTRY_DSN', 'https://o1.ingest.sentry.io/42'],
    ['SENTRY_DSN', 'https://key@o1.ingest.sentry.io/'],
    ['METRICS_TOKEN', 'fifteen-chars-x'],
    ['METRICS_TOKEN', 'has a space in the middle'],
  ])('refuses %s=%j, naming it without repeating the value', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
    expect(() => loadConfig({ [name]: value })).not.toThrow(value);
  });

  it('files reports under the configured release, else the version and commit', () => {
    expect(resolveRelease('mine@1', 'abc')).toBe('mine@1');
    expect(resolveRelease(undefined, '0123456789abcdef0123')).toMatch(/^omnimediatrak@\d+\.\d+\.\d+\+0123456789ab$/);
    // Without a platform's commit, the checkout's own (this repository is a git checkout).
    expect(resolveRelease(undefined, undefined)).toMatch(/^omnimediatrak@\d+\.\d+\.\d+(\+[0-9a-f]{12})?$/);
  });
});

describe('what an error report must not repeat', () => {
  const req = {
    body: { notes: 'a private note', password: 'hunter2-hunter2', rating: '7', nested: { email: 'me@x.example' } },
    query: { q: 'a search' },
    headers: {
      cookie: 'omt.sid=s%3Aabc.def; theme=dark',
      authorization: 'Bearer tok-123456',
      'x-request-id': 'req-1',
      'user-agent': 'curl/8',
    },
    sessionID: 'abc-session-id',
    user: { id: 'user-uuid', username: 'someone', ratingScale: 10 },
  } as unknown as Request;

  it('collects form and query values, each cookie, the credential, the session id and the user (not its id)', () => {
    const secrets = secretsOf(req);
    for (const value of [
      'a private note',
      'hunter2-hunter2',
      'me@x.example',
      'a search',
      's%3Aabc.def',
      's:abc.def',
      'dark',
      'tok-123456',
      'abc-session-id',
      'someone',
    ]) {
      expect(secrets).toContain(value);
    }
    // Too short to be a secret, and too common to hunt for; headers that are not credentials.
    for (const value of ['7', 'req-1', 'curl/8', 'user-uuid']) expect(secrets).not.toContain(value);
  });

  it('scrubs them, email addresses and bearer credentials out of a message, longest first', () => {
    const secrets = secretsOf(req);
    const scrubbed = scrubString(
      'insert failed for "a private note" by someone (other@y.example), Bearer xyz.abc, cookie s:abc.def',
      secrets,
    );
    expect(scrubbed).toBe(
      `insert failed for "${FILTERED}" by ${FILTERED} (${FILTERED}), Bearer ${FILTERED}, cookie ${FILTERED}`,
    );
  });

  it('logs an error as pino would, scrubbed, whatever it holds', () => {
    const serialize = (error: unknown) =>
      pino.stdSerializers.err(errorForLog(error, req) as Error) as unknown as Record<string, unknown>;
    class QueryFailed extends Error {
      code = '23505';
      detail = 'Key (notes)=(a private note) already exists.';
    }
    const failed = serialize(new QueryFailed('insert for someone failed', { cause: new Error('hunter2-hunter2') }));
    expect(failed).toMatchObject({
      type: 'QueryFailed',
      message: `insert for ${FILTERED} failed: ${FILTERED}`,
      code: '23505',
      detail: `Key (notes)=(${FILTERED}) already exists.`,
    });
    expect(JSON.stringify(failed)).not.toMatch(/hunter2|a private note|someone/);

    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const aggregate = serialize(new AggregateError([refused, refused], 'tried me@x.example'));
    expect(aggregate).toMatchObject({ message: `tried ${FILTERED}`, aggregateErrors: [{ code: 'ECONNREFUSED' }, {}] });

    const looped = Object.assign<Error, { self: Record<string, unknown> }>(new Error('looped'), { self: {} });
    looped.self.again = looped.self;
    expect(serialize(looped)).toMatchObject({ message: 'looped', self: { again: '[Seen]' } });

    const unreadable = new Error('x');
    Object.defineProperty(unreadable, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(serialize(unreadable)).toMatchObject({ message: 'an error that could not be read for the log' });
    expect(serialize(new DOMException('aborted by someone', 'AbortError'))).toMatchObject({
      type: 'DOMException',
      message: `aborted by ${FILTERED}`,
    });
  });

  it('leaves nothing of an email address whose local part is itself a secret', () => {
    // "someone" (the username) goes first; the rest of the address must not stay behind.
    expect(scrubString('owner: someone@mail.example.org.', secretsOf(req))).toBe(`owner: ${FILTERED}.`);
  });
});
