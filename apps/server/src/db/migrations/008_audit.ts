import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../connect';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * `audit_log`: every admin action of the API (issue 26 item 6; services/audit-log.ts), one row
 * each, written in the transaction of the change. No foreign keys: the trail outlives the
 * objects, admins and spaces it names (a deleted space's trail stays until retention prunes
 * it). Append-only: a trigger refuses any UPDATE; rows leave only by the retention prune.
 */
export const audit = (dialect: Dialect): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('audit_log')
      .addColumn(
        'seq',
        dialect === 'postgres' ? 'bigserial' : 'integer',
        (c) =>
          dialect === 'postgres'
            ? c.primaryKey()
            : c.primaryKey().autoIncrement(),
      )
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('space_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('actor_name', 'text')
      .addColumn('actor_phone', 'text')
      .addColumn('session_id', 'text')
      .addColumn('api_key_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('object_name', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .execute();
    // The filters of GET /v1/spaces/{id}/audit, each newest first by seq; `at` for from/until
    // within a space and, alone, for the retention prune.
    await db.schema
      .createIndex('audit_log_space_seq')
      .on('audit_log')
      .columns(['space_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_log_space_actor_seq')
      .on('audit_log')
      .columns(['space_id', 'actor_user_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_log_space_type_seq')
      .on('audit_log')
      .columns(['space_id', 'object_type', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_log_space_at')
      .on('audit_log')
      .columns(['space_id', 'at'])
      .execute();
    await db.schema
      .createIndex('audit_log_at')
      .on('audit_log')
      .column('at')
      .execute();
    if (dialect === 'postgres') {
      await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
      await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
    } else {
      await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    }
  },
  async down(db: Db) {
    await db.schema.dropTable('audit_log').ifExists().execute();
    if (dialect === 'postgres')
      await sql`DROP FUNCTION IF EXISTS audit_log_append_only()`.execute(db);
  },
});
