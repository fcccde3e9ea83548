import { afterAll, beforeAll } from 'vitest';
import { type Db, type Dialect, openStorage } from '../db/connect';
import { createTestDatabase, type TestDatabase } from './db';

/**
 * The real database of this test project (SQLite or PostgreSQL), migrated, opened before the
 * file's tests and dropped after them. Read `db` and `dialect` inside tests, not at load time.
 */
export function suiteStorage(): { db: Db; dialect: Dialect } {
  const s = {} as { db: Db; dialect: Dialect };
  let test: TestDatabase | undefined;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    test = await createTestDatabase();
    const storage = await openStorage(test);
    s.db = storage.db;
    s.dialect = storage.dialect;
    close = storage.close;
  });
  afterAll(async () => {
    await close?.();
    await test?.drop();
  });
  return s;
}
