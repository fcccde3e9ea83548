import { describe, expect, it } from 'vitest';
import { suiteStorage } from '../test/suite-storage';
import { insertTargets } from './bulk';

/** The change log's bulk writes against the real database of this project (SQLite or PostgreSQL). */
const storage = suiteStorage();

const targets = async () =>
  (
    await storage.db
      .selectFrom('change_targets')
      .select(['audience', 'cursor'])
      .orderBy('cursor')
      .orderBy('audience')
      .execute()
  ).map((r) => [r.audience, Number(r.cursor), typeof r.cursor]);

describe('insertTargets', () => {
  it('writes one row per audience of each cursor, the cursor as a number', async () => {
    await insertTargets(storage.db, storage.dialect, [
      { cursor: 7, audiences: ['u:a'] },
      { cursor: 5, audiences: ['u:c', 'u:a', 'a:sp1'] },
      { cursor: 9, audiences: [] },
    ]);
    const numeric = storage.dialect === 'postgres' ? 'string' : 'number'; // bigint comes back as text from pg
    expect(await targets()).toEqual([
      ['a:sp1', 5, numeric],
      ['u:a', 5, numeric],
      ['u:c', 5, numeric],
      ['u:a', 7, numeric],
    ]);
  });

  it('takes thousands of audiences of one change in one statement', async () => {
    const audiences = Array.from({ length: 9000 }, (_, i) => `u:m${i}`);
    await insertTargets(storage.db, storage.dialect, [
      { cursor: 11, audiences },
    ]);
    const rows = await storage.db
      .selectFrom('change_targets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cursor', '=', 11)
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(9000);
  });

  it('writes nothing when no change has an audience', async () => {
    await insertTargets(storage.db, storage.dialect, []);
    await insertTargets(storage.db, storage.dialect, [
      { cursor: 12, audiences: [] },
    ]);
    expect((await targets()).filter((r) => r[1] === 12)).toEqual([]);
  });
});
