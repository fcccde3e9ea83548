import { backoffDelay as fullJitter } from '@keyway/protocol';

export interface BackoffOptions {
  /** First ceiling: the first retry comes within this long. */
  minMs: number;
  /** Largest ceiling the doubling never goes past. */
  maxMs: number;
}

/**
 * Delay before retry number `failures` (0 for the first): uniform in [0, ceiling), the ceiling
 * `minMs` doubled per failure and capped at `maxMs` — "full jitter", as the phones' SyncClient
 * does. After a server restart every unit of a deployment drops at the same instant; with the
 * earlier "ceiling minus up to 20%" the 2,000 units of a storm came back in waves 20% wide, each
 * one a burst of logins (issue 22 item 4). Full jitter spreads every wave over its whole window.
 */
export function backoffDelay(
  failures: number,
  { minMs, maxMs }: BackoffOptions,
  random = Math.random,
): number {
  return fullJitter(failures, { minMs, maxMs, random });
}
