import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, type Dialect, openStorage } from '../db/connect';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { insertChanges, insertTargets } from './bulk';
import { readChangesSince } from './reader';

/** Resume reads against the real database of this project (SQLite or PostgreSQL). */
let test: TestDatabase;
let db: Db;
let dialect: Dialect;
let close: () => Promise<void>;

beforeAll(async () => {
  test = await createTestDatabase();
  ({ db, dialect, close } = await openStorage(test));
});
afterAll(async () => {
  await close();
  await test.drop();
});

/** Appends one change per payload, each for these audiences; their cursors. */
async function append(payloads: string[], audiences: string[]) {
  const cursors = await insertChanges(
    db,
    dialect,
    'sp1',
    new Date().toISOString(),
    payloads,
  );
  await insertTargets(
    db,
    dialect,
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
    const read = await readChangesSince(db, ['u:her', 'a:sp1'], 0, 3);
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
    const all = await readChangesSince(db, ['a:sp2', 'u:him'], a1! - 1);
    expect(all.map((c) => c.cursor)).toEqual([a1, u1, b1, a2]);
    expect(all.map((c) => c.cursor)).not.toContain(x);
    expect(all.find((c) => c.cursor === b1)?.audiences.sort()).toEqual([
      'a:sp2',
      'u:him',
    ]);
    const after = await readChangesSince(db, ['a:sp2', 'u:him'], u1!, 2);
    expect(after.map((c) => c.cursor)).toEqual([b1, a2]);
    expect(await readChangesSince(db, [], 0)).toEqual([]);
  });
});
