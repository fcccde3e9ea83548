export interface BackoffOptions {
  /** Delay before the first retry. */
  minMs: number;
  /** Cap the doubling never goes past. */
  maxMs: number;
}

/**
 * Delay before retry number `failures` (0 for the first): `minMs` doubled per failure, capped at
 * `maxMs`, minus up to 20% jitter so a building full of units does not reconnect in lockstep.
 */
export function backoffDelay(
  failures: number,
  { minMs, maxMs }: BackoffOptions,
  random = Math.random,
): number {
  const capped = Math.min(maxMs, minMs * 2 ** Math.min(failures, 30));
  return Math.round(capped * (1 - 0.2 * random()));
}
