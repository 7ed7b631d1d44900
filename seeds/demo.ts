import type { Knex } from 'knex';
import { hashPassword } from '../src/users/passwords';

/** The demo account made outside production; its credentials are printed at start on purpose. */
export const DEMO_ACCOUNT = {
  username: 'demo',
  email: 'demo@omnimediatrak.invalid',
  password: 'omnimediatrak-demo',
} as const;

/** A few entries so a new visitor signed in as demo sees a list with something on it. */
const DEMO_ENTRIES = [
  { source: 'goodreads', key: '3', status: 'completed', progress: null, rating: 90 },
  { source: 'goodreads', key: '2767052', status: 'in_progress', progress: 120, rating: null },
  { source: 'mal', key: '967', status: 'planning', progress: null, rating: null },
  { source: 'enwiki', key: 'The_Hunger_Games_(film)', status: 'completed', progress: null, rating: 70 },
] as const;

/** Creates the demo account and its entries if missing; an existing demo account is left as it is. */
export async function ensureDemoAccount(knex: Knex): Promise<{ created: boolean }> {
  const existing = await knex('users.users')
    .select('id')
    .where({ username: DEMO_ACCOUNT.username })
    .first<{ id: string } | undefined>();
  if (existing) return { created: false };
  const passwordHash = await hashPassword(DEMO_ACCOUNT.password);
  return knex.transaction(async (trx) => {
    const [user] = await trx('users.users')
      .insert({ username: DEMO_ACCOUNT.username, email: DEMO_ACCOUNT.email, password_hash: passwordHash })
      .onConflict('username')
      .ignore()
      .returning<{ id: string }[]>('id');
    if (!user) return { created: false };
    await trx('users.preferences').insert({ user_id: user.id });
    await trx.raw(
      `insert into interaction.user_media (user_id, media_id, status, progress, rating, started_at, completed_at)
       select ?, l.media_id, e.status, e.progress, e.rating,
              case when e.status <> 'planning' then now() - interval '30 days' end,
              case when e.status = 'completed' then now() - interval '2 days' end
       from jsonb_to_recordset(?::jsonb) as e(source text, key text, status text, progress integer, rating smallint)
       join media.external_links l on l.source_name = e.source and l.external_key = e.key
       on conflict do nothing`,
      [user.id, JSON.stringify(DEMO_ENTRIES)],
    );
    return { created: true };
  });
}
