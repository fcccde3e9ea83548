import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { insertChanges, insertTargets } from '../../sync/bulk';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import { type Dialect, openStorage } from '../connect';
import { migrations } from '.';

let test: TestDatabase | undefined;
afterEach(async () => {
  await test?.drop();
  test = undefined;
});

/** The test database on the untyped schema, with a migrator of this project's migrations. */
function rawDb(t: TestDatabase) {
  const dialect: Dialect = t.databaseUrl ? 'postgres' : 'sqlite';
  const db = new Kysely<any>({
    dialect: t.databaseUrl
      ? new PostgresDialect({
          pool: new pg.Pool({ connectionString: t.databaseUrl }),
        })
      : new SqliteDialect({
          database: new SQLite(join(t.dataDir, 'keyway.db')),
        }),
  });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
  });
  return { db, dialect, migrator };
}

const event = (seq: number, extra: Record<string, string>) => ({
  seq,
  id: `ev${seq}`,
  space_id: 'sp1',
  at: `2026-12-01T00:00:0${seq}Z`,
  type: 'admin.change',
  ...extra,
});

/** The definition of `name` as the database reports it (PostgreSQL: indexes only). */
async function definition(
  db: Kysely<any>,
  dialect: Dialect,
  name: string,
): Promise<string> {
  const q =
    dialect === 'postgres'
      ? sql<{
          def: string;
        }>`SELECT indexdef AS def FROM pg_indexes WHERE indexname = ${name}`
      : sql<{
          def: string;
        }>`SELECT sql AS def FROM sqlite_schema WHERE name = ${name}`;
  return (await q.execute(db)).rows[0]?.def ?? '';
}

describe('migration 005 (fewer pages per edit)', () => {
  it('goes down to whole event indexes and up again to partial ones', async () => {
    test = await createTestDatabase();
    const { db, dialect, migrator } = rawDb(test);
    try {
      expect((await migrator.migrateToLatest()).error).toBe(undefined);
      for (const i of ['events_door_at', 'events_unit_at'])
        expect(await definition(db, dialect, i)).toMatch(/where/i);
      expect((await migrator.migrateTo('004_changes_space')).error).toBe(
        undefined,
      );
      for (const i of ['events_door_at', 'events_unit_at']) {
        expect(await definition(db, dialect, i)).toMatch(/events/i);
        expect(await definition(db, dialect, i)).not.toMatch(/where/i);
      }
      expect((await migrator.migrateToLatest()).error).toBe(undefined);
      expect(await definition(db, dialect, 'events_unit_at')).toMatch(/where/i);
    } finally {
      await db.destroy();
    }
  });

  it('keeps every change, target and event, and the next cursor follows the last one', async () => {
    test = await createTestDatabase();
    const { db, migrator } = rawDb(test);
    expect((await migrator.migrateTo('004_changes_space')).error).toBe(
      undefined,
    );
    const at = '2026-12-01T00:00:00Z';
    await db
      .insertInto('changes')
      .values([1, 2, 3].map((n) => ({ space_id: 'sp1', at, payload: `p${n}` })))
      .execute();
    await db
      .insertInto('change_targets')
      .values([
        { audience: 'u:a', cursor: 1 },
        { audience: 'u:b', cursor: 1 },
        { audience: 'u:a', cursor: 3 },
      ])
      .execute();
    await db
      .insertInto('events')
      .values([
        event(1, { door_id: 'dr1' }),
        event(2, { unit_id: 'un1' }),
        event(3, { member_id: 'm1' }),
      ])
      .execute();
    expect(
      (await migrator.migrateTo('005_fewer_pages')).results?.map(
        (r) => r.status,
      ),
    ).toEqual(['Success']);
    await db.destroy();

    const storage = await openStorage(test);
    try {
      const rows = await storage.db
        .selectFrom('changes')
        .select(['cursor', 'payload'])
        .orderBy('cursor')
        .execute();
      expect(rows.map((r) => [Number(r.cursor), r.payload])).toEqual([
        [1, 'p1'],
        [2, 'p2'],
        [3, 'p3'],
      ]);
      const targets = await storage.db
        .selectFrom('change_targets')
        .select(['audience', 'cursor'])
        .orderBy('cursor')
        .orderBy('audience')
        .execute();
      expect(targets.map((r) => [r.audience, Number(r.cursor)])).toEqual([
        ['u:a', 1],
        ['u:b', 1],
        ['u:a', 3],
      ]);
      const next = await insertChanges(storage.db, storage.dialect, 'sp1', at, [
        'p4',
      ]);
      expect(next.get('p4')).toBe(4);
      await insertTargets(storage.db, storage.dialect, [
        { cursor: 4, audiences: ['u:a'] },
      ]);
      await expect(
        insertTargets(storage.db, storage.dialect, [
          { cursor: 4, audiences: ['u:a'] },
        ]),
      ).rejects.toThrow();
      const events = await storage.db
        .selectFrom('events')
        .select(['seq', 'id', 'door_id', 'unit_id', 'member_id'])
        .orderBy('seq')
        .execute();
      expect(events.map((e) => [Number(e.seq), e.id])).toEqual([
        [1, 'ev1'],
        [2, 'ev2'],
        [3, 'ev3'],
      ]);
      await expect(
        storage.db
          .insertInto('events')
          .values({ ...event(9, {}), id: 'ev1' } as never)
          .execute(),
      ).rejects.toThrow();
      // The partial indexes answer the queries that name a door or a unit.
      const byDoor = await storage.db
        .selectFrom('events')
        .select('id')
        .where('door_id', '=', 'dr1')
        .orderBy('at', 'desc')
        .execute();
      expect(byDoor.map((e) => e.id)).toEqual(['ev1']);
      if (storage.dialect === 'sqlite') {
        const def = (name: string) => definition(storage.db, 'sqlite', name);
        expect(await def('change_targets')).toMatch(/WITHOUT ROWID\s*$/);
        expect(await def('changes')).not.toMatch(/AUTOINCREMENT/i);
        expect(await def('events')).not.toMatch(/AUTOINCREMENT/i);
        expect(await def('events_door_at')).toMatch(
          /where.*door_id.*is not null/i,
        );
        expect(await def('events_unit_at')).toMatch(
          /where.*unit_id.*is not null/i,
        );
        for (const index of ['changes_space_cursor', 'change_targets_cursor'])
          expect(await def(index)).toMatch(/^CREATE INDEX/);
        const plan = await sql<{
          detail: string;
        }>`EXPLAIN QUERY PLAN SELECT id FROM events WHERE unit_id = 'un1' ORDER BY at DESC`.execute(
          storage.db,
        );
        expect(plan.rows.map((r) => r.detail).join(' ')).toMatch(
          /events_unit_at/,
        );
      }
    } finally {
      await storage.close();
    }
  });
});
