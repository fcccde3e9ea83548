import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * A space's recent changes (delivery receipts) read from an index: without it, listing a quiet
 * space's last changes walked the whole change log backwards — a month of every tenant's
 * changes, on the event loop.
 */
export const changesSpace = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createIndex('changes_space_cursor')
      .on('changes')
      .columns(['space_id', 'cursor'])
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropIndex('changes_space_cursor').ifExists().execute();
  },
});
