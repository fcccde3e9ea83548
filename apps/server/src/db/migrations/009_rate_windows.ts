import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * `rate_windows`: the login rate limits (requests per address, codes per number), one row per
 * key, counted in the database so every node of a cluster counts into the same window
 * (services/rate-limit.ts). `window_start` is milliseconds since the epoch.
 */
export const rateWindows = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('rate_windows')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rate_windows_start')
      .on('rate_windows')
      .column('window_start')
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('rate_windows').ifExists().execute();
  },
});
