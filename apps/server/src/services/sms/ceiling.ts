import { sql } from 'kysely';
import type { Db } from '../../db/connect';

const HOUR = 3_600_000;

/**
 * Takes one SMS from this hour's allowance of the whole install (one row per hour, shared by
 * every node). Answers how many were taken, this one included, and when the hour ends; the
 * caller refuses above its ceiling. Rows older than a day are swept when an hour begins.
 */
export async function takeSmsSlot(
  db: Db,
  now: Date,
): Promise<{ count: number; retryAfterSeconds: number }> {
  const start = Math.floor(now.getTime() / HOUR) * HOUR;
  const row = await db
    .insertInto('sms_windows')
    .values({ window_start: new Date(start).toISOString(), count: 1 })
    .onConflict((oc) =>
      oc.column('window_start').doUpdateSet({
        count: sql<number>`sms_windows.count + 1`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  const count = Number(row.count);
  if (count === 1)
    await db
      .deleteFrom('sms_windows')
      .where('window_start', '<', new Date(start - 24 * HOUR).toISOString())
      .execute();
  return {
    count,
    retryAfterSeconds: Math.max(
      1,
      Math.ceil((start + HOUR - now.getTime()) / 1000),
    ),
  };
}
