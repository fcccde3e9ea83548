import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * What several server nodes need to share through the database (docs/cluster.md):
 * - `view_versions`: a token per space, replaced by every write that changes the space's
 *   published views. A node's in-memory copy of those views is used only while its token is the
 *   one stored; otherwise the views are read again from `view_state`.
 * - `space_timers`: the next instant each space's views change by time alone, so the node that
 *   holds the scheduling lease (and the one that takes it over) knows every timer.
 */
export const cluster = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('view_versions')
      .addColumn('space_id', 'text', (c) => c.primaryKey())
      .addColumn('version', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('space_timers')
      .addColumn('space_id', 'text', (c) => c.primaryKey())
      .addColumn('next_change_at', 'text')
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('view_versions').ifExists().execute();
    await db.schema.dropTable('space_timers').ifExists().execute();
  },
});
