import connectPgSimple from 'connect-pg-simple';
import type { Express, RequestHandler } from 'express';
import session, { type SessionData } from 'express-session';
import type { Knex } from 'knex';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { isDatabaseUnavailable } from '../database/availability';
import type { OutageLog } from '../database/outages';
import type { Logger } from '../logger';
import { errorForLog } from '../observability/scrub';
import { findSessionUser, type SessionUser } from '../users/queries';
import type { SignIn } from './sign-in';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

declare module 'express-session' {
  interface SessionData {
    /** When the user signed in (ms since epoch), for the absolute session lifetime. */
    signedInAt?: number;
    /** When the stored session's expiry was last moved on (ms since epoch): see createSessionStore. */
    lastSeenAt?: number;
  }
}

export interface SessionOptions {
  secrets: string[];
  secureCookies: boolean;
  idleMinutes: number;
  absoluteHours: number;
  /** Prune expired sessions on a timer. */
  prune: boolean;
  /** Whether Express trusts a proxy to say the request came over HTTPS (TRUST_PROXY). */
  proxyTrusted: boolean;
  logger: Logger;
  /** Where a session that could not be saved for want of the database is counted. */
  outages: OutageLog;
  /** Checks a sign-in (src/auth/sign-in.ts): the user on success, else the outcome for the form. */
  signIn: SignIn;
}

export const SESSION_COOKIE = 'omt.sid';
const ANONYMOUS_SESSION_MINUTES = 120;

/** A pg connection as Knex lends it; `__knex__disposed` makes the pool drop it when it comes back. */
interface PgConnection {
  query(text: string, params?: unknown[]): Promise<unknown>;
  __knex__disposed?: unknown;
}

/**
 * connect-pg-simple wants a pg Pool; this hands it connections from Knex's pool instead, so the
 * app keeps one pool per process.
 */
function knexQueryable(knex: Knex) {
  // Knex types its client as any: what this uses of it, and of the pg connection it lends.
  const client = knex.client as {
    acquireConnection(): Promise<PgConnection>;
    releaseConnection(connection: PgConnection): Promise<void>;
  };
  return {
    async query(text: string, params?: unknown[]): Promise<unknown> {
      const connection = await client.acquireConnection();
      try {
        return await connection.query(text, params);
      } catch (error) {
        // Knex learns that a connection died from its 'end' event, which can come after this
        // release: flagged now, the pool drops it instead of lending it to the next query.
        if (isDatabaseUnavailable(error)) connection.__knex__disposed = error;
        throw error;
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}

const SESSION_ID = /^[A-Za-z0-9_-]{32}$/;

/** How often a session in use has its stored expiry moved on. */
const SESSION_REFRESH_MS = 60_000;

/**
 * The session store in auth.sessions; unless `prune` is false, expired rows are pruned every 15
 * minutes (±50%).
 *
 * connect-pg-simple "touches" a session on every request that leaves it unchanged (an UPDATE
 * and a commit per page view). This store touches it only when its expiry was last moved on a
 * minute ago or more (`lastSeenAt`, stamped by every save and every touch), so the idle limit
 * holds to within a minute. A touch only updates: a session deleted meanwhile (signed out, or
 * ended by a password change) stays deleted.
 */
export function createSessionStore(knex: Knex, prune = true, logger?: Logger) {
  const PgStore = connectPgSimple(session);
  const pool = knexQueryable(knex);
  class SessionStore extends PgStore {
    // Only ids this app could have made (express-session's, 24 random bytes in base64url) are
    // looked up: anything else is no session, without a query that could fail on its bytes.
    override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
      if (!SESSION_ID.test(sid)) {
        callback(null, null);
        return;
      }
      super.get(sid, callback);
    }

    override set(sid: string, data: SessionData, callback?: (error?: unknown) => void): void {
      // A session left holding nothing (a visitor's flash, once read) is not kept as an empty row.
      if (holdsNothing(data)) {
        this.destroy(sid, callback);
        return;
      }
      // A copy: the session object itself is hashed by express-session to tell whether it changed.
      super.set(sid, { ...data, lastSeenAt: Date.now() }, callback);
    }

    override touch(sid: string, data: SessionData, callback?: () => void): void {
      const now = Date.now();
      if (now - (data.lastSeenAt ?? 0) < SESSION_REFRESH_MS) {
        callback?.();
        return;
      }
      const expires = data.cookie.expires ?? new Date(now + (data.cookie.maxAge ?? 0));
      const done: ((error?: unknown) => void) | undefined = callback;
      // Through the same connections as the store's own queries, so a dead one is dropped.
      void pool
        .query(
          `update auth.sessions
              set expire = $1, sess = jsonb_set(sess::jsonb, '{lastSeenAt}', to_jsonb($2::bigint))::json
            where sid = $3`,
          [expires, now, sid],
        )
        .then(() => done?.(), done);
    }
  }
  return new SessionStore({
    pool: pool as never,
    schemaName: 'auth',
    tableName: 'sessions',
    createTableIfMissing: false,
    pruneSessionInterval: prune ? 15 * 60 : false,
    // A failed prune is otherwise written to stderr as a bare line, outside the JSON log.
    ...(logger && { errorLog: (message: string, error?: unknown) => logger.error({ err: error }, message) }),
  });
}

/** The keys express-session and this store keep in every session: they alone are not content. */
const BOOKKEEPING = new Set(['cookie', 'lastSeenAt']);

function isNothing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value).every(isNothing);
  return false;
}

/** True when a session holds no user, message, token or anything else worth a row. */
export function holdsNothing(data: SessionData): boolean {
  return Object.entries(data).every(([key, value]) => BOOKKEEPING.has(key) || isNothing(value));
}

export type PassportInstance = InstanceType<typeof Passport>;

/**
 * Sessions in Postgres, passport on top. The cookie is HttpOnly, SameSite=Lax and Secure in
 * production; a session ends after `idleMinutes` unused (the expiry rolls with each request) or
 * `absoluteHours` after sign-in, whichever comes first.
 */
export function setUpSessions(app: Express, knex: Knex, options: SessionOptions): PassportInstance {
  warnIfCookiesNeedHttps(options);
  const passport = new Passport();
  passport.use(
    new LocalStrategy(
      { usernameField: 'username', passwordField: 'password', passReqToCallback: true },
      (req, identifier, password, done) => {
        options
          .signIn({ identifier, password, ip: req.ip, userAgent: req.get('User-Agent') })
          .then((result) =>
            'user' in result
              ? done(null, result.user)
              : done(null, false, { message: result.outcome, result } as never),
          )
          .catch(done);
      },
    ),
  );
  passport.serializeUser<string>((user, done) => done(null, user.id));
  passport.deserializeUser<string>((id, done) => {
    findSessionUser(knex, id)
      .then((user) => done(null, user ?? false))
      .catch(done);
  });

  const sessions = session({
    store: createSessionStore(knex, options.prune, options.logger),
    name: SESSION_COOKIE,
    secret: options.secrets,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // Not 'destroy': express-session also finds no session when reading it failed (the database
    // restarting, a dead pooled connection), and would then delete the row, signing the visitor
    // out over a blip. Sessions end only by sign-out (regenerate), expiry, a password change or
    // the account's deletion, each of which deletes the row itself.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
      // Visitors with something in their session (a flash) get a short-lived one; signing in extends it.
      maxAge: Math.min(ANONYMOUS_SESSION_MINUTES, options.idleMinutes) * 60_000,
    },
  });
  app.use(keepingLateErrorsFromTheSocket(sessions, options.outages));
  app.use(passport.session());
  app.use((req, _res, next) => {
    if (req.user) req.session.cookie.maxAge = options.idleMinutes * 60_000;
    next();
  });
  app.use(endExpiredSignIns(options.absoluteHours));
  return passport;
}

/**
 * express-session stores a changed session, or moves an unchanged one's expiry on (touch), as the
 * response ends, and hands a failure to `next` after the page went out. Express would answer that
 * by destroying the socket: a keep-alive client sees its connection reset, for a write whose only
 * loss is an expiry moved on a little later (the next request touches again) or a change the page
 * already showed. A failed read, the first call to `next`, still goes to the error handler, which
 * answers 503 while the database is unavailable.
 */
function keepingLateErrorsFromTheSocket(sessions: RequestHandler, outages: OutageLog): RequestHandler {
  return (req, res, next) => {
    let continued = false;
    sessions(req, res, (error?: unknown) => {
      if (!continued) {
        continued = true;
        next(error);
      } else if (error && isDatabaseUnavailable(error)) {
        outages.note(error, 'session save after the response');
      } else if (error) {
        req.log.warn({ err: errorForLog(error, req) }, 'the session could not be stored after the response');
      }
    });
  };
}

/** At start: Secure cookies that no request can carry (plain HTTP, no trusted TLS proxy) make every form fail. */
function warnIfCookiesNeedHttps(options: SessionOptions): void {
  if (!options.secureCookies || options.proxyTrusted) return;
  options.logger.warn(
    'Cookies are Secure (NODE_ENV=production) and TRUST_PROXY is not set: over plain HTTP, or behind a TLS proxy that is not trusted, no session or form cookie is kept and every form answers 403. Serve the site over HTTPS, or set TRUST_PROXY behind a TLS proxy.',
  );
}

function endExpiredSignIns(absoluteHours: number): RequestHandler {
  const limitMs = absoluteHours * 3_600_000;
  return (req, _res, next) => {
    const signedInAt = req.session?.signedInAt;
    if (!req.user || (signedInAt !== undefined && Date.now() - signedInAt <= limitMs)) return next();
    req.logout({ keepSessionInfo: false }, (error) => {
      if (error) return next(error);
      req.session.flash = { type: 'status', text: 'Your session has ended. Sign in again to carry on.' };
      next();
    });
  };
}
