import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const opts = { minMs: 500, maxMs: 30_000 };

describe('backoffDelay', () => {
  it('doubles from the minimum up to the cap', () => {
    const noJitter = () => 0;
    expect(
      [0, 1, 2, 3, 6, 7, 100].map((n) => backoffDelay(n, opts, noJitter)),
    ).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
  });

  it('jitters downwards by at most 20%, never past the cap', () => {
    expect(backoffDelay(0, opts, () => 1)).toBe(400);
    expect(backoffDelay(10, opts, () => 0.5)).toBe(27_000);
  });
});
