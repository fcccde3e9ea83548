import { describe, expect, it } from 'vitest';
import { suiteStorage } from '../test/suite-storage';
import { insertChanges, insertTargets } from './bulk';
import { readChangesSince } from './reader';

/** Resume reads against the real database of this project (SQLite or PostgreSQL). */
const storage = suiteStorage();

/** Appends one change per payload, each for these audiences; their cursors. */
async function append(payloads: string[], audiences: string[]) {
  const cursors = await insertChanges(
    storage.db,
    storage.dialect,
    'sp1',
    new Date().toISOString(),
    payloads,
  );
  await insertTargets(
    storage.db,
    storage.dialect,
    [...cursors.values()].map((cursor) => ({ cursor, audiences })),
  );
  return payloads.map((p) => cursors.get(p)!);
}

describe('readChangesSince', () => {
  it('limits by changes, not rows: a change for two of the client’s audiences counts once and keeps both', async () => {
    const both = await append(
      Array.from({ length: 5 }, (_, i) => `{"ops":[],"n":"both${i}"}`),
      ['a:sp1', 'u:her'],
    );
    const read = await readChangesSince(storage.db, ['u:her', 'a:sp1'], 0, 3);
    expect(read.map((c) => c.cursor)).toEqual(both.slice(0, 3));
    for (const c of read)
      expect(c.audiences.sort()).toEqual(['a:sp1', 'u:her']);
  });

  it('merges the audiences’ changes in commit order, each once, after the cursor', async () => {
    const [a1] = await append(['{"ops":[],"n":"a1"}'], ['a:sp2']);
    const [u1] = await append(['{"ops":[],"n":"u1"}'], ['u:him']);
    const [x] = await append(['{"ops":[],"n":"x"}'], ['u:other']);
    const [b1] = await append(['{"ops":[],"n":"b1"}'], ['u:him', 'a:sp2']);
    const [a2] = await append(['{"ops":[],"n":"a2"}'], ['a:sp2']);
    const all = await readChangesSince(storage.db, ['a:sp2', 'u:him'], a1! - 1);
    expect(all.map((c) => c.cursor)).toEqual([a1, u1, b1, a2]);
    expect(all.map((c) => c.cursor)).not.toContain(x);
    expect(all.find((c) => c.cursor === b1)?.audiences.sort()).toEqual([
      'a:sp2',
      'u:him',
    ]);
    const after = await readChangesSince(
      storage.db,
      ['a:sp2', 'u:him'],
      u1!,
      2,
    );
    expect(after.map((c) => c.cursor)).toEqual([b1, a2]);
    expect(await readChangesSince(storage.db, [], 0)).toEqual([]);
  });
});
