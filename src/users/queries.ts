import type { Knex } from 'knex';
import type { RatingScale } from '../entries/ratings';
import type { Theme } from '../themes/theme';

/** What every request knows about the signed-in user (loaded once per request from the session). */
export interface SessionUser {
  id: string;
  username: string;
  role: 'member' | 'admin';
  theme: Theme;
  profileVisibility: 'public' | 'private';
  /** How ratings are shown and typed: 'five_star', 'ten_point' or 'hundred_point'. */
  ratingScale: RatingScale;
  /** The list columns chosen last, or null for the defaults (so an edited row needs no query for them). */
  listColumns: string[] | null;
}

export interface SignInCandidate {
  id: string;
  username: string;
  passwordHash: string;
}

const sessionUserColumns = [
  'u.id',
  'u.username',
  'u.role',
  'p.theme',
  'p.profile_visibility as profileVisibility',
  'p.rating_scale as ratingScale',
  'p.list_columns as listColumns',
] as const;

/** The signed-in user with their display preferences; undefined when the account is gone. */
export function findSessionUser(knex: Knex, userId: string): Promise<SessionUser | undefined> {
  return knex('users.users as u')
    .join('users.preferences as p', 'p.user_id', 'u.id')
    .where('u.id', userId)
    .first<SessionUser | undefined>(sessionUserColumns);
}

/** The account a sign-in names, by username or email (both case-insensitive). */
export function findSignInCandidate(knex: Knex, identifier: string): Promise<SignInCandidate | undefined> {
  return knex('users.users')
    .where('username', identifier)
    .orWhere('email', identifier)
    .orderByRaw('username = ? desc', [identifier])
    .first<SignInCandidate | undefined>('id', 'username', 'password_hash as passwordHash');
}

/** Which of a username and an email are already taken (case-insensitive, as the columns are citext). */
export async function findTakenIdentity(
  knex: Knex,
  username: string,
  email: string,
): Promise<{ username: boolean; email: boolean }> {
  const rows = await knex('users.users')
    .where('username', username)
    .orWhere('email', email)
    .select<{ usernameTaken: boolean; emailTaken: boolean }[]>(
      knex.raw('username = ?::citext as "usernameTaken"', [username]),
      knex.raw('email = ?::citext as "emailTaken"', [email]),
    );
  return { username: rows.some((row) => row.usernameTaken), email: rows.some((row) => row.emailTaken) };
}

/** Creates a user and their preferences row in one transaction; returns the new id. */
export function insertUser(
  knex: Knex,
  user: { username: string; email: string; passwordHash: string },
  preferences: { theme: Theme },
): Promise<string> {
  return knex.transaction(async (trx) => {
    const [row] = await trx('users.users')
      .insert({ username: user.username, email: user.email, password_hash: user.passwordHash })
      .returning<{ id: string }[]>('id');
    await trx('users.preferences').insert({ user_id: row!.id, theme: preferences.theme });
    return row!.id;
  });
}

export async function recordSignIn(knex: Knex, userId: string): Promise<void> {
  await knex('users.users').where('id', userId).update({ last_sign_in_at: knex.fn.now() });
}

export async function updatePasswordHash(knex: Knex, userId: string, passwordHash: string): Promise<void> {
  await knex('users.users').where('id', userId).update({ password_hash: passwordHash });
}

export async function updateTheme(knex: Knex, userId: string, theme: Theme): Promise<void> {
  await knex('users.preferences').where('user_id', userId).update({ theme });
}

export async function updateRatingScale(knex: Knex, userId: string, scale: RatingScale): Promise<void> {
  await knex('users.preferences').where('user_id', userId).update({ rating_scale: scale });
}

export async function updateProfileVisibility(
  knex: Knex,
  userId: string,
  visibility: 'public' | 'private',
): Promise<void> {
  await knex('users.preferences').where('user_id', userId).update({ profile_visibility: visibility });
}

/**
 * Sets a new password hash and ends every session of the user, in one transaction: a new
 * password must never stand while the sessions it should have ended go on. Returns how many
 * sessions ended.
 */
export async function replacePasswordEndingSessions(knex: Knex, userId: string, passwordHash: string): Promise<number> {
  return knex.transaction(async (trx) => {
    await updatePasswordHash(trx, userId, passwordHash);
    return deleteSessionsOfUser(trx, userId);
  });
}

/**
 * Ends a user's sessions, all of them or all but one: after a password change, and when the
 * account is deleted. Uses the sessions_user_idx expression index.
 */
export async function deleteSessionsOfUser(knex: Knex, userId: string, exceptSessionId?: string): Promise<number> {
  const query = knex('auth.sessions').whereRaw("(sess -> 'passport' ->> 'user') = ?", [userId]);
  if (exceptSessionId) query.whereNot('sid', exceptSessionId);
  return query.delete();
}

/** Deletes the account; its preferences, list, reviews, tokens and sign-in events go with it. */
export async function deleteUser(knex: Knex, userId: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await deleteSessionsOfUser(trx, userId);
    await trx('users.users').where('id', userId).delete();
  });
}

/** Makes a user an administrator (or a member again); false when no such user exists. */
export async function setRole(knex: Knex, username: string, role: 'member' | 'admin'): Promise<boolean> {
  const updated = await knex('users.users').where('username', username).update({ role });
  return updated > 0;
}

export interface Profile {
  id: string;
  username: string;
  createdAt: Date;
  profileVisibility: 'public' | 'private';
  /** The owner's rating scale: their statistics are shown on it. */
  ratingScale: RatingScale;
}

export function findProfile(knex: Knex, username: string): Promise<Profile | undefined> {
  return knex('users.users as u')
    .join('users.preferences as p', 'p.user_id', 'u.id')
    .where('u.username', username)
    .first<Profile | undefined>(
      'u.id',
      'u.username',
      'u.created_at as createdAt',
      'p.profile_visibility as profileVisibility',
      'p.rating_scale as ratingScale',
    );
}

/** Which table's column choice: each has its own column in users.preferences. */
export type ColumnsPreference = 'catalog_columns' | 'list_columns';

/** The columns a user chose last time for a table, or null for its defaults. */
export async function findSavedColumns(
  knex: Knex,
  userId: string,
  preference: ColumnsPreference,
): Promise<string[] | null> {
  const row = await knex('users.preferences')
    .where('user_id', userId)
    .first<Record<string, string[] | null> | undefined>(preference);
  return row?.[preference] ?? null;
}

/** Remembers the columns a user chose for a table; writes only when they changed. */
export async function saveColumns(
  knex: Knex,
  userId: string,
  preference: ColumnsPreference,
  columns: readonly string[],
): Promise<void> {
  await knex('users.preferences')
    .insert({ user_id: userId, [preference]: columns })
    .onConflict('user_id')
    .merge([preference])
    .whereRaw(`users.preferences.${preference} is distinct from excluded.${preference}`);
}
