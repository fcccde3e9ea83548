import type { Db } from '../db/connect';
import { newSecret } from '../ids';

/**
 * The change log keeps a bounded window. Changes older than `retentionMs` are dropped and
 * `min_cursor` moves up: a client whose cursor is older gets a fresh snapshot instead of a replay.
 */
export async function compactChangeLog(
  db: Db,
  now: Date,
  retentionMs: number,
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionMs).toISOString();
  const last = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('cursor').as('c'))
    .where('at', '<', cutoff)
    .executeTakeFirst();
  const upTo = Number(last?.c ?? 0);
  if (!upTo) return 0;
  return db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('change_targets')
      .where('cursor', '<=', upTo)
      .execute();
    const res = await trx
      .deleteFrom('changes')
      .where('cursor', '<=', upTo)
      .executeTakeFirst();
    await trx
      .updateTable('sync_meta')
      .set({ min_cursor: upTo })
      .where('id', '=', 1)
      .where('min_cursor', '<', upTo)
      .execute();
    return Number(res.numDeletedRows);
  });
}

/**
 * Starts a new epoch (after restoring a backup, or to rebuild the log): every client's cursor
 * becomes unknown, so each gets a fresh snapshot on its next connect.
 */
export async function newEpoch(db: Db): Promise<string> {
  const epoch = newSecret(6);
  const max = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('cursor').as('c'))
    .executeTakeFirst();
  await db
    .updateTable('sync_meta')
    .set({ epoch, min_cursor: Number(max?.c ?? 0) })
    .where('id', '=', 1)
    .execute();
  return epoch;
}
