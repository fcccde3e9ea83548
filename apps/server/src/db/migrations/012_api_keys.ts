import type { Kysely, Migration } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * `api_keys` (issue 18 item 1; services/api-keys.ts): one row per key of a space. Only the
 * secret's SHA-256 is kept (`token_hash`), as for sessions. Each key acts as a user of its own
 * (`user_id`, a `users` row named after the key, never a member or an admin of any space): the
 * access log and the audit trail name it like anyone else, and policy/space.ts gives it the
 * admin role in its one space, narrowed per route by its scopes. A revoked key keeps its row
 * (the trail names it) with `revoked_at` set.
 */
export const apiKeys = (): Migration => ({
  async up(db: Db) {
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('space_id', 'text', (c) =>
        c.notNull().references('spaces.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'text', (c) =>
        c.notNull().unique().references('users.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('last_used_ip', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('api_keys_space')
      .on('api_keys')
      .columns(['space_id', 'created_at'])
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('api_keys').execute();
  },
});
