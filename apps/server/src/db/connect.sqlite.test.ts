import {
  CompiledQuery,
  type KyselyPlugin,
  type RootOperationNode,
  sql,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { expandFocus } from '../sync/focus';
import { loadFocusData } from '../sync/space-data';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { type Db, openStorage } from './connect';

let test: TestDatabase | undefined;
afterEach(async () => {
  await test?.drop();
  test = undefined;
});

/** One space with `units` units of one door each. */
async function fill(db: Db, units: number) {
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
}

/** Members m0…m{n-1}, all in group g0, which opens the first n doors. */
async function addMembers(db: Db, n: number) {
  const at = new Date().toISOString();
  await db
    .insertInto('access_groups')
    .values({
      id: 'g0',
      space_id: 'sp1',
      name: 'G',
      geofence_meters: null,
      created_at: at,
    })
    .execute();
  for (let i = 0; i < n; i++) {
    await db
      .insertInto('users')
      .values({
        id: `us${i}`,
        phone: `+3460000${i}`,
        name: null,
        created_at: at,
      })
      .execute();
    await db
      .insertInto('members')
      .values({
        id: `m${i}`,
        space_id: 'sp1',
        user_id: `us${i}`,
        name: null,
        access: null,
        geofence_meters: null,
        created_at: at,
      })
      .execute();
    await db
      .insertInto('member_groups')
      .values({ member_id: `m${i}`, group_id: 'g0' })
      .execute();
    await db
      .insertInto('group_doors')
      .values({ group_id: 'g0', door_id: `dr${i}` })
      .execute();
  }
}

/** Records every query run through `db`, compiled as it was sent. */
function recording(db: Db) {
  const nodes: RootOperationNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      nodes.push(args.node);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const compiled = () =>
    nodes.map((n) => db.getExecutor().compileQuery(n, { queryId: 'plan' }));
  return { db: db.withPlugin(plugin), compiled };
}

describe('SQLite storage', () => {
  it('finds a focus’s rows by their own indexes, even in a space that grew after the last ANALYZE', async () => {
    test = await createTestDatabase();
    const { db, close } = await openStorage({ dataDir: test.dataDir });
    try {
      // Filled after open: the statistics (of empty tables) say nothing of these rows.
      await fill(db, 300);
      await addMembers(db, 60);
      const r = recording(db);
      const focus = await expandFocus(r.db, 'sp1', {
        members: new Set(Array.from({ length: 40 }, (_, i) => `m${i}`)),
        units: new Set(['un250']),
        doors: new Set(Array.from({ length: 30 }, (_, i) => `dr${i}`)),
        groups: new Set(),
      });
      const data = await loadFocusData(r.db, 'sp1', focus);
      expect(data?.members).toHaveLength(60);
      expect(data?.doors).toHaveLength(61);
      const plans: string[] = [];
      for (const q of r.compiled()) {
        const plan = await db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]),
        );
        plans.push(...plan.rows.map((row) => `${row.detail}  ← ${q.sql}`));
      }
      expect(plans.length).toBeGreaterThan(8);
      // Walking a space's index (or the table) reads every row of the space.
      expect(
        plans.filter((p) =>
          /\(space_id=\?\)|^SCAN (doors|units|members|access_groups)\b/.test(p),
        ),
      ).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is analyzed at open: a door lookup by unit uses the unit index, not the space one', async () => {
    test = await createTestDatabase();
    const filled = await openStorage({ dataDir: test.dataDir });
    await fill(filled.db, 200);
    await filled.close();
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
