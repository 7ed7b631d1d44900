import type { Knex } from 'knex';

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
