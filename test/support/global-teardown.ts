import knexFactory from 'knex';

/** Drops the template and every copy made from it, then stops the embedded server if one ran. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.OMT_TEST_ADMIN_URL;
  const template = process.env.OMT_TEST_TEMPLATE;
  if (adminUrl && template) {
    const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      const { rows } = await admin.raw<{ rows: { datname: string }[] }>(
        "select datname from pg_database where datname = ? or datname like ? escape '\\'",
        [template, `${template.replace(/_/g, '\\_')}\\_%`],
      );
      for (const { datname } of rows) await admin.raw('drop database if exists ?? with (force)', [datname]);
    } finally {
      await admin.destroy();
    }
  }
  await globalThis.omtEmbeddedPostgres?.stop();
}
