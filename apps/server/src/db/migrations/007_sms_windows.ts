import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * `sms_windows`: SMS sent per hour by the whole install (every node counts into the same row),
 * for the KEYWAY_SMS_PER_HOUR ceiling (services/sms/ceiling.ts).
 */
export const smsWindows = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('sms_windows')
      .addColumn('window_start', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('sms_windows').ifExists().execute();
  },
});
