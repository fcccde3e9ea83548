import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../connect';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/** The change log (transactional outbox), the last published views, and delivery receipts (issue #3). */
export const sync = (dialect: Dialect): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('sync_meta')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('epoch', 'text', (c) => c.notNull())
      // Changes with a cursor below this were truncated: older cursors get a snapshot.
      .addColumn('min_cursor', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('changes')
      .addColumn(
        'cursor',
        dialect === 'postgres' ? 'bigserial' : 'integer',
        (c) =>
          dialect === 'postgres'
            ? c.primaryKey()
            : c.primaryKey().autoIncrement(),
      )
      .addColumn('space_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('change_targets')
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('cursor', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('change_targets_pk', ['audience', 'cursor'])
      .execute();
    await db.schema
      .createIndex('change_targets_cursor')
      .on('change_targets')
      .column('cursor')
      .execute();
    await db.schema
      .createTable('view_state')
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('space_id', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('view_state_pk', ['audience', 'key'])
      .execute();
    await db.schema
      .createIndex('view_state_space')
      .on('view_state')
      .column('space_id')
      .execute();
    await db.schema
      .createTable('sync_clients')
      .addColumn('client_id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('unit_id', 'text')
      .addColumn('cursor', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sync_client_audiences')
      .addColumn('client_id', 'text', (c) =>
        c.notNull().references('sync_clients.client_id').onDelete('cascade'),
      )
      .addColumn('audience', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_client_audiences_pk', [
        'client_id',
        'audience',
      ])
      .execute();
    await db.schema
      .createIndex('sync_client_audiences_aud')
      .on('sync_client_audiences')
      .column('audience')
      .execute();
  },
  async down(db: Db) {
    for (const t of [
      'sync_client_audiences',
      'sync_clients',
      'view_state',
      'change_targets',
      'changes',
      'sync_meta',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
});
