import { ConfigError, loadConfig } from '../../src/config';
import { describeDatabase } from '../../src/database/connection';
import { runServer } from '../support/server-process';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/omt', SESSION_SECRET: SECRET };

describe('configuration', () => {
  it('has working defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      isProduction: false,
      port: 3000,
      databaseUrl: undefined,
      logLevel: 'info',
      migrateOnStart: true,
      seedOnStart: true,
      demoAccount: true,
      registrationsPerHour: 10,
    });
    expect(config.dataDir).toMatch(/[/\\]\.data$/);
    expect(config.catalogDataDir).toMatch(/[/\\]seeds[/\\]data[/\\]raw$/);
  });

  it('reads the values it is given', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:pw@db.internal:5433/omt',
      DATABASE_POOL_MAX: '20',
      WEB_CONCURRENCY: '2',
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      CATALOG_DATA_DIR: '/srv/datasets',
      DEMO_ACCOUNT: 'no',
      DONATE_URL: 'https://example.org/give',
      REGISTRATIONS_PER_HOUR: '0',
    });
    expect(config).toMatchObject({
      env: 'test',
      port: 8080,
      databaseUrl: 'postgres://app:pw@db.internal:5433/omt',
      databasePoolMax: 20,
      registrationsPerHour: 0,
      webConcurrency: 2,
      logLevel: 'warn',
      seedOnStart: false,
      catalogDataDir: '/srv/datasets',
      demoAccount: false,
      donateUrl: 'https://example.org/give',
    });
  });

  it('never makes the demo account in production', () => {
    expect(loadConfig({ ...PRODUCTION, DEMO_ACCOUNT: 'true' }).demoAccount).toBe(false);
  });

  it('needs a session secret in production, and never repeats one in a message', () => {
    expect(() => loadConfig({ ...PRODUCTION, SESSION_SECRET: undefined })).toThrow(
      /^Invalid configuration: SESSION_SECRET must be set in production/,
    );
    expect(() => loadConfig({ SESSION_SECRET: 'too-short-secret' })).toThrow(
      /^Invalid configuration: SESSION_SECRET must be at least 32 characters[^"]*$/,
    );
    expect(loadConfig({ SESSION_SECRET: `${SECRET}, ${SECRET.toUpperCase()}` }).sessionSecrets).toEqual([
      SECRET,
      SECRET.toUpperCase(),
    ]);
  });

  it('needs DATABASE_URL in production, unless the embedded database is asked for', () => {
    expect(() => loadConfig({ ...PRODUCTION, DATABASE_URL: undefined })).toThrow(
      /^Invalid configuration: DATABASE_URL must be set in production/,
    );
    expect(
      loadConfig({ ...PRODUCTION, DATABASE_URL: undefined, EMBEDDED_DATABASE: 'true' }).databaseUrl,
    ).toBeUndefined();
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads TRUST_PROXY=%p as %p', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    ['PORT', 'abc', /^Invalid configuration: PORT must be a whole number from 0 to 65535 \(got "abc"\)$/],
    ['PORT', '70000', /^Invalid configuration: PORT must be a whole number/],
    ['NODE_ENV', 'staging', /^Invalid configuration: NODE_ENV must be one of development, production, test/],
    ['LOG_LEVEL', 'loud', /^Invalid configuration: LOG_LEVEL must be one of/],
    ['MIGRATE_ON_START', 'maybe', /^Invalid configuration: MIGRATE_ON_START must be one of true, false/],
    ['DATABASE_POOL_MAX', '0', /^Invalid configuration: DATABASE_POOL_MAX must be a whole number from 1/],
    ['WEB_CONCURRENCY', '0', /^Invalid configuration: WEB_CONCURRENCY must be a whole number from 1 to 64/],
    ['DONATE_URL', 'javascript:alert(1)', /^Invalid configuration: DONATE_URL must be an http/],
    ['TRUST_PROXY', 'everyone', /^Invalid configuration: TRUST_PROXY must be true, false, a number/],
    ['SESSION_IDLE_MINUTES', '1', /^Invalid configuration: SESSION_IDLE_MINUTES must be a whole number from 5/],
    ['REGISTRATIONS_PER_HOUR', '-1', /^Invalid configuration: REGISTRATIONS_PER_HOUR must be a whole number from 0/],
  ])('stops with a one-line message naming %s when it is %p', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('names a bad DATABASE_URL without repeating it, since it may hold a password', () => {
    const attempt = () => loadConfig({ DATABASE_URL: 'mysql://root:s3cret@localhost/db' });
    expect(attempt).toThrow(/^Invalid configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/);
  });

  it('describes a database for the log without its password', () => {
    expect(describeDatabase('postgres://app:s3cret@db.internal:5433/omt')).toBe('db.internal:5433/omt as app');
    expect(describeDatabase('postgresql://db.internal/omt')).toBe('db.internal:5432/omt as (default user)');
  });

  it('makes the server exit at once with one line on stderr when a value is bad', async () => {
    const result = await runServer({ PORT: 'abc' }, { until: 'exit' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "abc")',
    ]);
  });
});
