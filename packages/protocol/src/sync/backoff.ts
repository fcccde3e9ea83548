export interface BackoffOptions {
  /** First ceiling; doubles on every failed attempt. Default 250 ms. */
  minMs?: number;
  /** Largest ceiling. Default 30 s. */
  maxMs?: number;
  /** Source of jitter in [0, 1); injectable so tests can make delays deterministic. */
  random?: () => number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential with "full jitter", i.e. uniform
 * in [0, min(maxMs, minMs·2^attempt)). Full jitter spreads out the reconnects of every phone and
 * dashboard after a server restart instead of having them arrive in waves
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function backoffDelay(
  attempt: number,
  { minMs = 250, maxMs = 30_000, random = Math.random }: BackoffOptions = {},
) {
  // Cap the exponent so 2 ** attempt never overflows to Infinity after a very long outage.
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
