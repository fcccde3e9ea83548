import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { openStorage } from './connect';

let test: TestDatabase | undefined;
afterEach(async () => {
  await test?.drop();
  test = undefined;
});

/** One space with `units` units of one door each. */
async function fill(dataDir: string, units: number) {
  const { db, close } = await openStorage({ dataDir });
  const at = new Date().toISOString();
  await db
    .insertInto('spaces')
    .values({
      id: 'sp1',
      name: 'S',
      timezone: 'Europe/Madrid',
      lat: null,
      lon: null,
      geofence_meters: null,
      lockdown: 0,
      created_at: at,
    })
    .execute();
  for (let i = 0; i < units; i++) {
    await db
      .insertInto('units')
      .values({
        id: `un${i}`,
        space_id: 'sp1',
        name: `U${i}`,
        password_hash: 'x',
        online: 0,
        last_seen_at: null,
        lat: null,
        lon: null,
        agent: null,
        created_at: at,
      })
      .execute();
    await db
      .insertInto('doors')
      .values({
        id: `dr${i}`,
        space_id: 'sp1',
        unit_id: `un${i}`,
        name: `D${i}`,
        relay: 1,
        pulse_ms: 50,
        sensor: 0,
        state: 'unknown',
        state_since: null,
        created_at: at,
      })
      .execute();
  }
  await close();
}

describe('SQLite storage', () => {
  it('is analyzed at open: a door lookup by unit uses the unit index, not the space one', async () => {
    test = await createTestDatabase();
    await fill(test.dataDir, 200);
    const { db, close } = await openStorage({ dataDir: test.dataDir });
    try {
      const stats = await sql<{
        tbl: string;
      }>`SELECT tbl FROM sqlite_stat1 WHERE tbl = 'doors'`.execute(db);
      expect(stats.rows.length).toBeGreaterThan(0);
      const plan = await sql<{
        detail: string;
      }>`EXPLAIN QUERY PLAN SELECT * FROM doors WHERE space_id = ${'sp1'} AND unit_id IN (${'un7'})`.execute(
        db,
      );
      expect(plan.rows.map((r) => r.detail).join('\n')).toMatch(
        /USING INDEX \S*doors_2 \(unit_id=\?\)/,
      );
    } finally {
      await close();
    }
  });
});
