import { sql } from 'kysely';
import type { Clock } from '../clock';
import type { Db } from '../db/connect';
import { AppError } from '../errors';

const DAY = 86_400_000;
const SWEEP_EVERY = 1_000;

/**
 * Windowed counters per key, kept in the database: every node of a cluster counts into the same
 * row, so a client spreading requests over nodes gets no more than one node would allow. A window
 * starts at a key's first hit and lasts `windowMs`; it bounds SMS cost and code guessing.
 */
export class RateLimiter {
  private hits = 0;
  constructor(
    private db: Db,
    private clock: Clock,
  ) {}

  /** Counts one hit on `key`; throws 429 rate_limited with Retry-After when over `limit` per `windowMs`. */
  async hit(
    key: string,
    limit: number,
    windowMs: number,
    db: Db = this.db,
  ): Promise<void> {
    const now = this.clock.now().getTime();
    const expired = sql<boolean>`rate_windows.window_start <= ${now - windowMs}`;
    // One statement: a new or expired window starts over at 1; a live one counts up while under
    // the limit. No row back = the live window is full.
    const row = await db
      .insertInto('rate_windows')
      .values({ key, window_start: now, count: 1 })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            count: sql<number>`case when ${expired} then 1 else rate_windows.count + 1 end`,
            window_start: sql<number>`case when ${expired} then ${now} else rate_windows.window_start end`,
          })
          .where(sql<boolean>`${expired} or rate_windows.count < ${limit}`),
      )
      .returning('count')
      .executeTakeFirst();
    if (++this.hits % SWEEP_EVERY === 0) await this.sweep(now);
    if (row) return;
    const live = await db
      .selectFrom('rate_windows')
      .select('window_start')
      .where('key', '=', key)
      .executeTakeFirst();
    const start = live ? Number(live.window_start) : now;
    const retryAfter = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    throw new AppError(
      'rate_limited',
      `Too many requests; try again in ${retryAfter} s.`,
      { retryAfterSeconds: retryAfter },
      { 'retry-after': String(retryAfter) },
    );
  }

  /** Gives back one hit on `key` (the action it counted did not happen, e.g. an SMS not sent). */
  async refund(key: string): Promise<void> {
    await this.db
      .updateTable('rate_windows')
      .set({ count: sql<number>`count - 1` })
      .where('key', '=', key)
      .where('count', '>', 0)
      .execute();
  }

  /** Windows are at most an hour long: rows a day old are gone. */
  private async sweep(now: number) {
    await this.db
      .deleteFrom('rate_windows')
      .where('window_start', '<', now - DAY)
      .execute();
  }
}
