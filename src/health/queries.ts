import type { Knex } from 'knex';

/** Resolves when the database answers a trivial query within the time limit, rejects otherwise. */
export async function pingDatabase(knex: Knex, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([knex.raw('select 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
