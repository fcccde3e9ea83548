import { describe, expect, it } from 'vitest';
import { ExecutedCommands } from './dedupe';

describe('ExecutedCommands', () => {
  it('remembers an id until well past its expiry', () => {
    const executed = new ExecutedCommands({ retainMs: 60_000 });
    executed.add('a', 1_000, 0);
    executed.prune(60_999);
    expect(executed.has('a')).toBe(true);
    executed.prune(61_000);
    expect(executed.has('a')).toBe(false);
  });

  it('forgets the oldest id first when full', () => {
    const executed = new ExecutedCommands({ limit: 2 });
    executed.add('a', 10_000, 0);
    executed.add('b', 10_000, 0);
    executed.add('c', 10_000, 0);
    expect([executed.has('a'), executed.has('b'), executed.has('c')]).toEqual([
      false,
      true,
      true,
    ]);
    expect(executed.size).toBe(2);
  });
});
