import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { projectRoot } from './paths';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], {
    error: 'must be one of true, false, 1, 0, yes, no',
  })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const postgresUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      return false;
    }
  },
  { error: 'must be a postgres:// or postgresql:// URL' },
);

const integerIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` }),
    );

/**
 * Every environment variable the app reads, with its default. README.md and .env.example list
 * the same variables; keep the three in step.
 */
const environmentSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'must be one of development, production, test',
    })
    .default('development'),
  PORT: integerIn(0, 65535).default(3000),
  WEB_CONCURRENCY: integerIn(1, 64).default(1),
  HOST: z.string().min(1, { error: 'must not be empty' }).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: integerIn(1, 1000).default(10),
  EMBEDDED_DATABASE: booleanFlag.optional(),
  DATA_DIR: z.string().min(1, { error: 'must not be empty' }).default('.data'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  MIGRATE_ON_START: booleanFlag.default(true),
  SEED_ON_START: booleanFlag.default(true),
  CATALOG_DATA_DIR: z.string().min(1, { error: 'must not be empty' }).default('seeds/data/raw'),
  IMPORT_MAX_MB: integerIn(1, 1000).default(50),
  DEMO_ACCOUNT: booleanFlag.optional(),
  SHUTDOWN_TIMEOUT_MS: integerIn(0, 600_000).default(10_000),
  DONATE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  SESSION_SECRET: z
    .string()
    .refine((value) => value.split(',').every((secret) => secret.trim().length >= 32), {
      error: 'must be at least 32 characters (several secrets, newest first, are separated by commas)',
    })
    .optional(),
  TRUST_PROXY: z
    .string()
    .refine(
      (value) =>
        /^(true|false|\d+)$/.test(value) ||
        value
          .split(',')
          .every((part) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(part.trim())),
      { error: 'must be true, false, a number of proxies, or a comma-separated list of proxy addresses' },
    )
    .optional(),
  SESSION_IDLE_MINUTES: integerIn(5, 525_600).default(7 * 24 * 60),
  SESSION_ABSOLUTE_HOURS: integerIn(1, 8_760).default(30 * 24),
  REGISTRATIONS_PER_HOUR: integerIn(0, 1_000_000).default(10),
  SENTRY_DSN: z
    .url({ protocol: /^https?$/, error: 'must be a Sentry DSN: https://KEY@HOST/PROJECT' })
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return url.username !== '' && /^\/(.+\/)?\d+$/.test(url.pathname);
        } catch {
          return false;
        }
      },
      { error: 'must be a Sentry DSN: https://KEY@HOST/PROJECT' },
    )
    .optional(),
  SENTRY_RELEASE: z.string().max(200, { error: 'must be at most 200 characters' }).optional(),
  SENTRY_ENVIRONMENT: z.string().max(64, { error: 'must be at most 64 characters' }).optional(),
  METRICS_TOKEN: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' })
    .optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string | undefined;
  /** How many processes serve requests (node:cluster); 1 serves from the main process itself. */
  webConcurrency: number;
  /** Set when an external server is used; unset means the embedded server under dataDir. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  /** Absolute path of the folder that holds the embedded database. */
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  migrateOnStart: boolean;
  seedOnStart: boolean;
  /** Absolute path of the folder of open datasets an empty catalog is loaded from (seeds/data/raw). */
  catalogDataDir: string;
  /** The largest file a list import takes, in bytes (IMPORT_MAX_MB). */
  importMaxBytes: number;
  /** A demo account is never created in production, whatever DEMO_ACCOUNT says. */
  demoAccount: boolean;
  shutdownTimeoutMs: number;
  /** Where the home page's donate block links; without it the block only explains. */
  donateUrl: string | undefined;
  /** Secrets that sign the session cookie, newest first; unset outside production means "make one". */
  sessionSecrets: string[] | undefined;
  /** Express's `trust proxy` setting: false, true, a hop count, or a list of proxy addresses. */
  trustProxy: boolean | number | string;
  /** A session unused this long ends. */
  sessionIdleMinutes: number;
  /** A session ends this long after sign-in, however active. */
  sessionAbsoluteHours: number;
  /** Accounts one address (an IPv6 /64) may create in an hour; 0: no limit. */
  registrationsPerHour: number;
  // Optional, so that an app built for a test leaves them out: error reports and metrics off.
  /** Where unexpected errors are reported; unset: Sentry is never loaded. */
  sentryDsn?: string | undefined;
  /** The release errors are filed under; unset: the platform's commit, else version and git commit. */
  sentryRelease?: string | undefined;
  /** The environment errors are filed under: SENTRY_ENVIRONMENT, else NODE_ENV. */
  sentryEnvironment?: string;
  /** The bearer token GET /metrics asks for; unset: there is no /metrics. */
  metricsToken?: string | undefined;
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Thrown for a bad environment value; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `PORT= npm start` means the default, as in most tools.
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const given = present[name];
    const secret = ['DATABASE_URL', 'SESSION_SECRET', 'SENTRY_DSN', 'METRICS_TOKEN'].includes(name);
    const shown = secret || given === undefined ? '' : ` (got "${given}")`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${shown}`);
  }
  const values = parsed.data;
  const isProduction = values.NODE_ENV === 'production';
  if (isProduction && !values.DATABASE_URL && !values.EMBEDDED_DATABASE) {
    // Hosted platforms wipe the disk on restart: an embedded database there loses everything.
    throw new ConfigError(
      'Invalid configuration: DATABASE_URL must be set in production (or EMBEDDED_DATABASE=true to keep data in DATA_DIR)',
    );
  }
  if (isProduction && !values.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration: SESSION_SECRET must be set in production (at least 32 characters)');
  }
  return {
    env: values.NODE_ENV,
    isProduction,
    port: values.PORT,
    host: values.HOST,
    webConcurrency: values.WEB_CONCURRENCY,
    databaseUrl: values.DATABASE_URL,
    databasePoolMax: values.DATABASE_POOL_MAX,
    dataDir: path.resolve(projectRoot, values.DATA_DIR),
    logLevel: values.LOG_LEVEL,
    migrateOnStart: values.MIGRATE_ON_START,
    seedOnStart: values.SEED_ON_START,
    catalogDataDir: path.resolve(projectRoot, values.CATALOG_DATA_DIR),
    importMaxBytes: values.IMPORT_MAX_MB * 1024 * 1024,
    demoAccount: !isProduction && (values.DEMO_ACCOUNT ?? true),
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    donateUrl: values.DONATE_URL,
    sessionSecrets: values.SESSION_SECRET?.split(',').map((secret) => secret.trim()),
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: values.SESSION_ABSOLUTE_HOURS,
    registrationsPerHour: values.REGISTRATIONS_PER_HOUR,
    sentryDsn: values.SENTRY_DSN,
    sentryRelease: values.SENTRY_RELEASE,
    sentryEnvironment: values.SENTRY_ENVIRONMENT ?? values.NODE_ENV,
    metricsToken: values.METRICS_TOKEN,
  };
}

/** Reads `.env` from the project folder into process.env, if there is one; real variables win. */
export function loadDotEnv(): void {
  const file = path.join(projectRoot, '.env');
  if (!fs.existsSync(file)) return;
  const values = parseEnv(fs.readFileSync(file, 'utf8'));
  for (const [name, value] of Object.entries(values)) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
}

/**
 * The session secrets: the configured ones, or outside production one made on first start and
 * kept in DATA_DIR, so sessions survive restarts and no secret lives only in process memory.
 */
export function resolveSessionSecrets(config: Pick<Config, 'sessionSecrets' | 'dataDir'>): string[] {
  if (config.sessionSecrets?.length) return config.sessionSecrets;
  const file = path.join(config.dataDir, 'session-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, `${crypto.randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return [fs.readFileSync(file, 'utf8').trim()];
}
