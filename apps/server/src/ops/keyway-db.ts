import type { Dialect } from '../db/connect';
import { migrations } from '../db/migrations';
import { newSecret } from '../ids';
import { OpsError } from './files';

/** Tables every Keyway database has, whatever its version: how a backup is told from another database. */
export const KEYWAY_TABLES = ['kysely_migration', 'sync_meta', 'changes'];

export function checkKeywayTables(
  file: string,
  tables: Iterable<string>,
  what: string,
): void {
  const have = new Set(tables);
  const missing = KEYWAY_TABLES.filter((t) => !have.has(t));
  if (missing.length)
    throw new OpsError(
      `${file} is ${what} but not a Keyway database (no ${missing.join(', ')} table). Nothing was changed.`,
    );
}

/**
 * A backup from a newer Keyway has migrations this one does not know: its server would refuse
 * the database. An older backup is fine (the server migrates it forward when it starts).
 */
export function checkMigrations(
  file: string,
  dialect: Dialect,
  applied: string[],
): void {
  const known = new Set(Object.keys(migrations(dialect)));
  const unknown = applied.filter((m) => !known.has(m));
  if (unknown.length)
    throw new OpsError(
      `${file} comes from a newer Keyway (schema migrations ${unknown.join(', ')} are unknown to this one): upgrade Keyway, then restore. Nothing was changed.`,
    );
}

/**
 * The statement that starts a new sync epoch in a restored database (as sync/retention.ts
 * `newEpoch` does), in SQL both SQLite and PostgreSQL run: every cursor a phone, dashboard or unit
 * holds — from before the backup or from the future the restore threw away — is then unknown to
 * the server, which answers its next connect with a snapshot of the restored state.
 */
export function newEpochStatement(): { epoch: string; sql: string } {
  const epoch = newSecret(6);
  if (!/^[A-Za-z0-9_-]+$/.test(epoch)) throw new Error('bad epoch');
  return {
    epoch,
    sql: `INSERT INTO sync_meta (id, epoch, min_cursor) VALUES (1, '${epoch}', (SELECT coalesce(max(cursor), 0) FROM changes)) ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, min_cursor = excluded.min_cursor`,
  };
}
