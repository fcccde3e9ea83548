import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  type LogEvent,
  Migrator,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import { startCheckpointer } from './checkpointer';
import { migrations } from './migrations';
import type { Database } from './schema';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

/**
 * One transaction whose commit does not wait for the disk, for advisory rows only (delivery
 * receipts): SQLite commits it with `synchronous = NORMAL` (in WAL mode no fsync; the next
 * durable commit or checkpoint syncs it), PostgreSQL with `synchronous_commit = off`. A crashed
 * process loses nothing; a power cut may lose the last such commits — never a change-log row,
 * which always commits durably. SQLite's one connection is held throughout, so no other write
 * commits while its setting is relaxed.
 */
export function advisoryTransaction<T>(
  db: Db,
  dialect: Dialect,
  fn: (trx: Db) => Promise<T>,
): Promise<T> {
  if (dialect === 'postgres')
    return db.transaction().execute(async (trx) => {
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      return fn(trx);
    });
  return db.connection().execute(async (conn) => {
    await sql`PRAGMA synchronous = NORMAL`.execute(conn);
    try {
      return await conn.transaction().execute(fn);
    } finally {
      await sql`PRAGMA synchronous = FULL`.execute(conn);
    }
  });
}
export interface Storage {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL's connection pool right now (SQLite has one connection and no pool). */
  pool?: () => { total: number; idle: number; waiting: number };
  /**
   * Cuts every pooled connection (PostgreSQL): queries stuck on a link that went silent fail at
   * once instead of when TCP gives up, and the next ones connect afresh (sync/fence.ts).
   */
  resetConnections?: () => void;
  close(): Promise<void>;
}

/** Told of every query with its duration (metrics: keyway_db_query_duration_seconds). */
export type QueryObserver = (ms: number, failed: boolean) => void;

const queryLog = (observe?: QueryObserver) =>
  observe
    ? (event: LogEvent) =>
        observe(event.queryDurationMillis, event.level === 'error')
    : undefined;

/** SQLite under dataDir by default, PostgreSQL when a URL is given; migrated to the latest schema. */
export async function openStorage(opts: {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Told when something degrades without failing (the SQLite checkpoint worker). */
  warn?: (message: string) => void;
  onQuery?: QueryObserver;
}): Promise<Storage> {
  if (opts.databaseUrl) {
    const storage = openPostgres(opts.databaseUrl, opts.onQuery);
    await migrate(storage);
    return storage;
  }
  const { storage, analyze } = openSqlite(
    opts.dataDir,
    opts.warn,
    opts.onQuery,
  );
  await migrate(storage);
  analyze();
  return storage;
}

/** The SQLite database file under KEYWAY_DATA_DIR. */
export const sqliteFile = (dataDir: string) => join(dataDir, 'keyway.db');

/**
 * The name Keyway's connections give PostgreSQL (`pg_stat_activity.application_name`), so an
 * operator sees the nodes, and a restore refuses while a node is connected (src/ops/).
 */
export const PG_APPLICATION_NAME = 'keyway';

/**
 * SQLite plans queries from table statistics it only has once analyzed: without them a door
 * lookup by unit in a space of 1,000 doors walked the space's index (0.13 ms instead of
 * 0.01). As SQLite advises for long-lived connections: `optimize=0x10002` at open, then
 * `optimize` every hour (both analyze only tables whose size changed, with a row limit).
 */
const ANALYZE_EVERY_MS = 60 * 60_000;

function openSqlite(
  dataDir: string,
  warn: (message: string) => void = () => {},
  onQuery?: QueryObserver,
): { storage: Storage; analyze(): void } {
  mkdirSync(dataDir, { recursive: true });
  const path = sqliteFile(dataDir);
  const file = new SQLite(path);
  // WAL with synchronous=FULL: a commit is on disk before it is acknowledged.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = FULL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  // Checkpoints run in a worker thread (see checkpointer.ts); back to SQLite's own if it fails.
  file.pragma('wal_autocheckpoint = 0');
  const checkpointer = startCheckpointer({
    file: path,
    onFailure: (message) => {
      if (file.open) file.pragma('wal_autocheckpoint = 1000');
      warn(`SQLite checkpoints are back on the main thread: ${message}`);
    },
  });
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachedStatements(file) }),
    log: queryLog(onQuery),
  });
  let timer: NodeJS.Timeout | undefined;
  const optimize = (pragma: string) => {
    try {
      if (file.open) file.pragma(pragma);
    } catch (err) {
      warn(`SQLite ${pragma} failed: ${(err as Error).message}`);
    }
  };
  return {
    storage: {
      db,
      dialect: 'sqlite',
      close: async () => {
        clearInterval(timer);
        await db.destroy();
        await checkpointer.stop();
      },
    },
    analyze() {
      optimize('optimize = 0x10002');
      timer = setInterval(() => optimize('optimize'), ANALYZE_EVERY_MS);
      timer.unref();
    },
  };
}

/**
 * better-sqlite3 with its prepared statements kept by SQL text: Kysely prepares every query
 * it runs, and compiling the same statement again and again was a good part of a write's cost.
 * One connection runs one statement at a time, so a cached statement is never in use twice.
 */
function cachedStatements(file: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => file.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        // Most recently used last: the oldest goes first when the cache is full.
        cache.delete(sql);
      } else {
        stmt = file.prepare(sql);
        if (cache.size >= STATEMENT_CACHE)
          cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
const STATEMENT_CACHE = 500;

function openPostgres(url: string, onQuery?: QueryObserver): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    application_name: PG_APPLICATION_NAME,
    // A database that does not answer: a new connection fails in 3 s rather than hanging.
    connectionTimeoutMillis: 3000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5000,
    // The server gives up on a connection whose replies go unacknowledged for 10 s (a node cut
    // off by the network), so its transaction is rolled back and its locks are freed.
    options:
      '-c tcp_user_timeout=10000 -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
  });
  // A failed idle client must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const clients = new Set<pg.PoolClient>();
  pool.on('connect', (c) => {
    clients.add(c);
    // A cut connection errors on the client too; the pool drops it.
    c.on('error', () => {});
  });
  pool.on('remove', (c) => clients.delete(c as pg.PoolClient));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: queryLog(onQuery),
  });
  return {
    db,
    dialect: 'postgres',
    pool: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    resetConnections: () => {
      for (const c of clients)
        (
          c as unknown as { connection?: { stream?: { destroy(): void } } }
        ).connection?.stream?.destroy();
    },
    close: () => db.destroy(),
  };
}

async function migrate(storage: Storage): Promise<void> {
  const migrator = new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => migrations(storage.dialect) },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
