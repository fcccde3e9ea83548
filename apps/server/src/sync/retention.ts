import type { Db } from '../db/connect';
import { newSecret } from '../ids';

/**
 * The change log keeps a bounded window. Changes older than `retentionMs` are dropped and
 * `min_cursor` moves up: a client whose cursor is older gets a fresh snapshot instead of a replay.
 * The newest change always stays: SQLite numbers a new row from the largest key left, so an
 * emptied log would hand out cursors clients have already seen.
 */
export async function compactChangeLog(
  db: Db,
  now: Date,
  retentionMs: number,
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionMs).toISOString();
  // The log's oldest run of changes older than the cutoff, found from its start in cursor
  // order: reads only the rows about to go (and the first one kept), where
  // `max(cursor) WHERE at < cutoff` read the whole window (a month of changes, every hour).
  const kept = await db
    .selectFrom('changes')
    .select('cursor')
    .where('at', '>=', cutoff)
    .orderBy('cursor')
    .limit(1)
    .executeTakeFirst();
  // Everything before the first kept change goes; with none in the window, all but the newest.
  const last = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('cursor').as('c'))
    .where((eb) =>
      eb(
        'cursor',
        '<',
        kept
          ? eb.val(kept.cursor)
          : eb
              .selectFrom('changes')
              .select((sub) => sub.fn.max('cursor').as('newest')),
      ),
    )
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
