import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const opts = { minMs: 500, maxMs: 30_000 };

describe('backoffDelay', () => {
  it('draws below a ceiling that doubles from the minimum up to the cap', () => {
    const top = () => 0.999_999;
    expect(
      [0, 1, 2, 3, 6, 7, 100].map((n) => backoffDelay(n, opts, top)),
    ).toEqual([499, 999, 1999, 3999, 29_999, 29_999, 29_999]);
  });

  it('spreads over the whole window (full jitter), down to an immediate retry', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(0);
    expect(backoffDelay(10, opts, () => 0.5)).toBe(15_000);
  });

  it('spreads a fleet that dropped at once evenly over the first window', () => {
    // 2,000 units lose the server together: their first retries fill [0, 500) evenly, not
    // [400, 500) as a 20% jitter did (seeded generator: the test is deterministic).
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const buckets = [0, 0, 0, 0, 0];
    for (let i = 0; i < 2000; i++)
      buckets[Math.floor(backoffDelay(0, opts, random) / 100)]!++;
    for (const b of buckets) expect(b).toBeGreaterThan(300);
  });
});
