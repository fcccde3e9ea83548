import type { Clock } from '../clock';
import { AppError } from '../errors';

/**
 * Fixed-window counters per key, in memory, on the injectable clock. Windows are short, so
 * a restart forgetting them is acceptable; they bound SMS cost and code guessing.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(private clock: Clock) {}

  /** Counts one hit on `key`; throws 429 rate_limited with Retry-After when over `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): void {
    const now = this.clock.now().getTime();
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) {
      const retryAfter = Math.max(
        1,
        Math.ceil((w.start + windowMs - now) / 1000),
      );
      throw new AppError(
        'rate_limited',
        `Too many requests; try again in ${retryAfter} s.`,
        { retryAfterSeconds: retryAfter },
        {
          'retry-after': String(retryAfter),
        },
      );
    }
    w.count++;
    if (this.windows.size > 100_000) this.sweep(now, windowMs);
  }

  /** Gives back one hit on `key` (the action it counted did not happen, e.g. an SMS not sent). */
  refund(key: string): void {
    const w = this.windows.get(key);
    if (w && w.count > 0) w.count--;
  }

  private sweep(now: number, windowMs: number) {
    for (const [k, w] of this.windows)
      if (now - w.start >= windowMs) this.windows.delete(k);
  }
}
