import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * Issue 25 items 3 and 7:
 * - `events_space_at_seq`: the access log is listed by `at` (a door event at the unit's clock,
 *   a replay at its own time), then seq (routes/events.ts).
 * - `units.relays`: how many relays the unit announced in its status; null until it has.
 */
export const unitClock = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createIndex('events_space_at_seq')
      .on('events')
      .columns(['space_id', 'at', 'seq'])
      .execute();
    await db.schema
      .alterTable('units')
      .addColumn('relays', 'integer')
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropIndex('events_space_at_seq').ifExists().execute();
    await db.schema.alterTable('units').dropColumn('relays').execute();
  },
});
