import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { suiteStorage } from '../test/suite-storage';
import { advisoryTransaction, type Db } from './connect';

/** Advisory commits (receipts) against the real database of this project (SQLite or PostgreSQL). */
const storage = suiteStorage();

/** How the next commit on this connection waits for the disk: SQLite 2 = FULL, PG 'on'. */
async function durability(trx: Db): Promise<string> {
  if (storage.dialect === 'postgres') {
    const r = await sql<{
      synchronous_commit: string;
    }>`SHOW synchronous_commit`.execute(trx);
    return r.rows[0]!.synchronous_commit;
  }
  const r = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx);
  return String(r.rows[0]!.synchronous);
}
const DURABLE = () => (storage.dialect === 'postgres' ? 'on' : '2');
const RELAXED = () => (storage.dialect === 'postgres' ? 'off' : '1');

const row = (id: string) => ({
  client_id: id,
  kind: 'phone' as const,
  user_id: null,
  unit_id: null,
  cursor: 1,
  updated_at: new Date().toISOString(),
});
const clients = async () =>
  (
    await storage.db.selectFrom('sync_clients').select('client_id').execute()
  ).map((r) => r.client_id);

describe('advisoryTransaction', () => {
  it('commits without waiting for the disk, while a write started meanwhile still commits durably', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const advisory = advisoryTransaction(
      storage.db,
      storage.dialect,
      async (trx) => {
        await trx.insertInto('sync_clients').values(row('c1')).execute();
        const inside = await durability(trx);
        await held;
        return inside;
      },
    );
    // Queued behind the advisory one (SQLite: one connection) or beside it (PostgreSQL).
    const durable = storage.db.transaction().execute(async (trx) => {
      await trx.insertInto('sync_clients').values(row('c2')).execute();
      return durability(trx);
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await advisory).toBe(RELAXED());
    expect(await durable).toBe(DURABLE());
    expect(await storage.db.transaction().execute(durability)).toBe(DURABLE());
    expect((await clients()).sort()).toEqual(['c1', 'c2']);
  });

  it('rolls back on failure and leaves the connection durable', async () => {
    await expect(
      advisoryTransaction(storage.db, storage.dialect, async (trx) => {
        await trx.insertInto('sync_clients').values(row('c3')).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await clients()).not.toContain('c3');
    expect(await storage.db.transaction().execute(durability)).toBe(DURABLE());
  });
});
