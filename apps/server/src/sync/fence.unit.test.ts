import { describe, expect, it } from 'vitest';
import { LogFence } from './fence';

describe('LogFence', () => {
  it('isolates once past the limit, and restores once the log answers again', () => {
    let silent = 0;
    const seen: string[] = [];
    const fence = new LogFence({
      silentMs: () => silent,
      limitMs: 3000,
      onIsolated: (ms) => seen.push(`isolated ${ms}`),
      onRestored: (ms) => seen.push(`restored ${ms}`),
    });
    fence.check();
    silent = 3000;
    fence.check();
    expect(fence.isolated).toBe(false);
    silent = 3001;
    fence.check();
    silent = 9000;
    fence.check(); // still isolated: told once
    expect(fence.isolated).toBe(true);
    silent = 10;
    fence.check();
    fence.check();
    expect(seen).toEqual(['isolated 3001', 'restored 10']);
    expect(fence.isolated).toBe(false);
  });
});
