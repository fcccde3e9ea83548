import { type Kysely, type Migration, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * Entries every audience of a space shows alike (a member's `space` and `group` entries, a
 * unit's `unit.space`) are stored once in `shared_values`; their `view_state` rows keep only
 * the presence, with an empty value. Renaming a group seen by 9,000 phones then writes one row,
 * not 9,000.
 */
export const sharedValues = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('shared_values')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('space_id', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('shared_values_space')
      .on('shared_values')
      .column('space_id')
      .execute();
    const shared = sql`(key LIKE '%/space/%' OR key LIKE '%/group/%' OR key LIKE '%/unit.space/%')`;
    await sql`INSERT INTO shared_values (key, space_id, value)
      SELECT key, MAX(space_id), MAX(value) FROM view_state WHERE ${shared} GROUP BY key`.execute(
      db,
    );
    await sql`UPDATE view_state SET value = '' WHERE ${shared}`.execute(db);
  },
  async down(db: Db) {
    await sql`UPDATE view_state SET value = (SELECT s.value FROM shared_values s WHERE s.key = view_state.key)
      WHERE value = ''`.execute(db);
    await db.schema.dropTable('shared_values').ifExists().execute();
  },
});
