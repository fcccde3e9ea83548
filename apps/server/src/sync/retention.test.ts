import { beforeAll, describe, expect, it } from 'vitest';
import { suiteStorage } from '../test/suite-storage';
import { insertChanges, insertTargets } from './bulk';
import { loadEpoch } from './changelog';
import { compactChangeLog } from './retention';

/** The change log's retention against the real database of this project (SQLite or PostgreSQL). */
const storage = suiteStorage();
beforeAll(async () => {
  await loadEpoch(storage.db);
});

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const iso = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** One change committed at T0 + `hours`, for u:a; its cursor. */
async function change(hours: number): Promise<number> {
  const payload = `{"ops":[],"n":${Math.random()}}`;
  const cursors = await insertChanges(
    storage.db,
    storage.dialect,
    'sp1',
    iso(hours),
    [payload],
  );
  const cursor = cursors.get(payload)!;
  await insertTargets(storage.db, storage.dialect, [
    { cursor, audiences: ['u:a'] },
  ]);
  return cursor;
}
const cursors = async () =>
  (
    await storage.db
      .selectFrom('changes')
      .select('cursor')
      .orderBy('cursor')
      .execute()
  ).map((r) => Number(r.cursor));
const targets = async () =>
  (
    await storage.db
      .selectFrom('change_targets')
      .select('cursor')
      .orderBy('cursor')
      .execute()
  ).map((r) => Number(r.cursor));

describe('compactChangeLog', () => {
  it('drops the changes older than the window with their targets, and moves min_cursor past them', async () => {
    const c1 = await change(0);
    const c2 = await change(1);
    const c3 = await change(5);
    // Committed by a clock that stepped back: older than the window, after a newer change.
    const c4 = await change(2);
    const c5 = await change(6);
    const now = new Date(T0 + 7 * HOUR);

    expect(await compactChangeLog(storage.db, now, 7 * HOUR)).toBe(0);
    expect(await cursors()).toEqual([c1, c2, c3, c4, c5]);

    expect(await compactChangeLog(storage.db, now, 4 * HOUR)).toBe(2);
    // c4 stays until the log's run of old changes reaches it: a window is a minimum.
    expect(await cursors()).toEqual([c3, c4, c5]);
    expect(await targets()).toEqual([c3, c4, c5]);
    expect((await loadEpoch(storage.db)).minCursor).toBe(c3 - 1);

    expect(await compactChangeLog(storage.db, now, 4 * HOUR)).toBe(0);
    // All of them are old: the newest stays, so the next cursor is still past every one seen.
    expect(
      await compactChangeLog(storage.db, new Date(T0 + 20 * HOUR), HOUR),
    ).toBe(2);
    expect(await cursors()).toEqual([c5]);
    expect(await targets()).toEqual([c5]);
    expect((await loadEpoch(storage.db)).minCursor).toBe(c4);
    expect(
      await compactChangeLog(storage.db, new Date(T0 + 30 * HOUR), HOUR),
    ).toBe(0);
    expect(await change(31)).toBeGreaterThan(c5);
  });
});
