import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/db';
import {
  advisoryTransaction,
  type Db,
  type Dialect,
  openStorage,
} from './connect';

/** Advisory commits (receipts) against the real database of this project (SQLite or PostgreSQL). */
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

/** How the next commit on this connection waits for the disk: SQLite 2 = FULL, PG 'on'. */
async function durability(trx: Db): Promise<string> {
  if (dialect === 'postgres') {
    const r = await sql<{
      synchronous_commit: string;
    }>`SHOW synchronous_commit`.execute(trx);
    return r.rows[0]!.synchronous_commit;
  }
  const r = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx);
  return String(r.rows[0]!.synchronous);
}
const DURABLE = () => (dialect === 'postgres' ? 'on' : '2');
const RELAXED = () => (dialect === 'postgres' ? 'off' : '1');

const row = (id: string) => ({
  client_id: id,
  kind: 'phone' as const,
  user_id: null,
  unit_id: null,
  cursor: 1,
  updated_at: new Date().toISOString(),
});
const clients = async () =>
  (await db.selectFrom('sync_clients').select('client_id').execute()).map(
    (r) => r.client_id,
  );

describe('advisoryTransaction', () => {
  it('commits without waiting for the disk, while a write started meanwhile still commits durably', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const advisory = advisoryTransaction(db, dialect, async (trx) => {
      await trx.insertInto('sync_clients').values(row('c1')).execute();
      const inside = await durability(trx);
      await held;
      return inside;
    });
    // Queued behind the advisory one (SQLite: one connection) or beside it (PostgreSQL).
    const durable = db.transaction().execute(async (trx) => {
      await trx.insertInto('sync_clients').values(row('c2')).execute();
      return durability(trx);
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await advisory).toBe(RELAXED());
    expect(await durable).toBe(DURABLE());
    expect(await db.transaction().execute(durability)).toBe(DURABLE());
    expect((await clients()).sort()).toEqual(['c1', 'c2']);
  });

  it('rolls back on failure and leaves the connection durable', async () => {
    await expect(
      advisoryTransaction(db, dialect, async (trx) => {
        await trx.insertInto('sync_clients').values(row('c3')).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await clients()).not.toContain('c3');
    expect(await db.transaction().execute(durability)).toBe(DURABLE());
  });
});
