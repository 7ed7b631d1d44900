import connectPgSimple from 'connect-pg-simple';
import type { Express, RequestHandler } from 'express';
import session, { type SessionData } from 'express-session';
import type { Knex } from 'knex';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { attemptSignIn } from '../accounts/service';
import { findSessionUser, type SessionUser } from '../users/queries';

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
}

export const SESSION_COOKIE = 'omt.sid';
const ANONYMOUS_SESSION_MINUTES = 120;

/**
 * connect-pg-simple wants a pg Pool; this hands it connections from Knex's pool instead, so the
 * app keeps one pool per process.
 */
function knexQueryable(knex: Knex) {
  return {
    async query(text: string, params?: unknown[]) {
      const connection = await knex.client.acquireConnection();
      try {
        return await connection.query(text, params);
      } finally {
        await knex.client.releaseConnection(connection);
      }
    },
  };
}

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
export function createSessionStore(knex: Knex, prune = true) {
  const PgStore = connectPgSimple(session);
  class SessionStore extends PgStore {
    override set(sid: string, data: SessionData, callback?: (error?: unknown) => void): void {
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
      const done = callback as ((error?: unknown) => void) | undefined;
      knex
        .raw(
          `update auth.sessions
              set expire = ?, sess = jsonb_set(sess::jsonb, '{lastSeenAt}', to_jsonb(?::bigint))::json
            where sid = ?`,
          [expires, now, sid],
        )
        .then(() => done?.(), done);
    }
  }
  return new SessionStore({
    pool: knexQueryable(knex) as never,
    schemaName: 'auth',
    tableName: 'sessions',
    createTableIfMissing: false,
    pruneSessionInterval: prune ? 15 * 60 : false,
  });
}

export type PassportInstance = InstanceType<typeof Passport>;

/**
 * Sessions in Postgres, passport on top. The cookie is HttpOnly, SameSite=Lax and Secure in
 * production; a session ends after `idleMinutes` unused (the expiry rolls with each request) or
 * `absoluteHours` after sign-in, whichever comes first.
 */
export function setUpSessions(app: Express, knex: Knex, options: SessionOptions): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy(
      { usernameField: 'username', passwordField: 'password', passReqToCallback: true },
      (req, identifier, password, done) => {
        attemptSignIn(knex, { identifier, password, ip: req.ip, userAgent: req.get('User-Agent') })
          .then((result) =>
            result.outcome === 'success'
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

  app.use(
    session({
      store: createSessionStore(knex, options.prune),
      name: SESSION_COOKIE,
      secret: options.secrets,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        // Visitors who only fetched a form get a short-lived session; signing in extends it.
        maxAge: Math.min(ANONYMOUS_SESSION_MINUTES, options.idleMinutes) * 60_000,
      },
    }),
  );
  app.use(passport.session());
  app.use((req, _res, next) => {
    if (req.user) req.session.cookie.maxAge = options.idleMinutes * 60_000;
    next();
  });
  app.use(endExpiredSignIns(options.absoluteHours));
  return passport;
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
