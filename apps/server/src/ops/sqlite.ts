import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  renameSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { sqliteFile } from '../db/connect';
import {
  checkDirectory,
  fsyncDir,
  OpsError,
  putInPlace,
  removeQuietly,
  tempBeside,
} from './files';
import {
  checkKeywayTables,
  checkMigrations,
  newEpochStatement,
} from './keyway-db';

/** Pages per backup step: all of them, so the copy is one read transaction (see backupSqlite). */
const ALL_PAGES = 0x7fffffff;

/**
 * `npm run backup` on SQLite: SQLite's online backup API (better-sqlite3 `db.backup`) on a
 * connection of its own, safe while the server serves and writes. The copy is taken in one
 * step, one read transaction: in WAL mode readers and writers do not block each other, so the
 * server goes on committing meanwhile, and the copy is the database as of one commit (a
 * step-by-step copy would restart each time the server wrote). It is written beside `out`,
 * checked, switched to a single file (journal_mode DELETE), flushed and renamed over `out`:
 * a failed backup never leaves a partial file where the last good one was.
 */
export async function backupSqlite(
  dataDir: string,
  out: string,
  say: (line: string) => void,
): Promise<void> {
  const src = sqliteFile(dataDir);
  if (!existsSync(src))
    throw new OpsError(
      `No SQLite database at ${src} (KEYWAY_DATA_DIR=${dataDir}): nothing to back up. Is KEYWAY_DATA_DIR (or KEYWAY_DATABASE_URL) the server's?`,
    );
  checkDirectory(out);
  const tmp = tempBeside(out);
  const started = performance.now();
  try {
    let db: SQLite.Database | undefined;
    try {
      db = new SQLite(src, { fileMustExist: true, timeout: 5000 });
      await db.backup(tmp, { progress: () => ALL_PAGES });
    } catch (err) {
      throw new OpsError(`Could not read ${src}: ${(err as Error).message}`);
    } finally {
      db?.close();
    }
    const info = inspect(tmp, src);
    const copy = new SQLite(tmp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    chmodSync(tmp, 0o600);
    putInPlace(tmp, out);
    say(
      `Backed up ${src} to ${out} (SQLite, ${statSync(out).size} bytes, ${info.migrations.length} migrations, ${Math.round(performance.now() - started)} ms).`,
    );
  } finally {
    for (const f of [tmp, `${tmp}-journal`, `${tmp}-wal`, `${tmp}-shm`])
      removeQuietly(f);
  }
}

/**
 * `npm run restore` on SQLite, with the server stopped. The backup is copied beside the
 * database, checked (a Keyway database, not damaged, not from a newer Keyway) and given a new
 * sync epoch there; only then is the live database checked to be in use by nobody (its switch
 * out of WAL mode needs every other connection gone, so a running server or backup refuses it),
 * kept as `keyway.db.pre-restore-<time>`, and the restored copy renamed over it. Any failure
 * before the rename leaves the database as it was.
 */
export function restoreSqlite(
  dataDir: string,
  file: string,
  say: (line: string) => void,
): { epoch: string; kept: string | null } {
  mkdirSync(dataDir, { recursive: true });
  const target = sqliteFile(dataDir);
  const tmp = tempBeside(target);
  try {
    try {
      copyFileSync(file, tmp);
    } catch (err) {
      throw new OpsError(`Could not copy ${file}: ${(err as Error).message}`);
    }
    const info = inspect(tmp, file);
    const { epoch, sql } = newEpochStatement();
    const copy = new SQLite(tmp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      copy.exec(sql);
    } finally {
      copy.close();
    }
    sameOwnerAndMode(tmp, target);
    const kept = setAside(target);
    putInPlace(tmp, target);
    say(
      `Restored ${file} into ${target} (SQLite, ${info.migrations.length} migrations). New sync epoch ${epoch}: every phone, dashboard and unit will get a snapshot of the restored state.`,
    );
    if (kept)
      say(
        `The database it replaced is kept as ${kept} (delete it when you no longer need it).`,
      );
    return { epoch, kept };
  } finally {
    for (const f of [tmp, `${tmp}-journal`, `${tmp}-wal`, `${tmp}-shm`])
      removeQuietly(f);
  }
}

/**
 * The restored file gets the replaced one's mode and, when run as root, its owner: a restore
 * run with sudo must not leave a database the server's user cannot open.
 */
function sameOwnerAndMode(file: string, like: string): void {
  if (!existsSync(like)) return;
  const st = statSync(like);
  chmodSync(file, st.mode & 0o777);
  if (process.getuid?.() === 0) chownSync(file, st.uid, st.gid);
}

/** Opens a copy and checks it is a whole Keyway database this version can serve. */
function inspect(file: string, shownAs: string): { migrations: string[] } {
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(file, { fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(String(check));
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    checkKeywayTables(shownAs, tables, 'a SQLite database');
    const migrations = db
      .prepare('SELECT name FROM kysely_migration ORDER BY name')
      .pluck()
      .all() as string[];
    checkMigrations(shownAs, 'sqlite', migrations);
    return { migrations };
  } catch (err) {
    if (err instanceof OpsError) throw err;
    throw new OpsError(
      `${shownAs} is damaged or not a whole database (${(err as Error).message}). Nothing was changed.`,
    );
  } finally {
    db?.close();
  }
}

/**
 * Makes sure nobody has the live database open, folds its WAL into it, and keeps it under a
 * new name (a hard link: the database file itself stays in place until the rename replaces it).
 * Returns that name, or null when there was no database yet.
 */
function setAside(target: string): string | null {
  const wal = `${target}-wal`;
  const shm = `${target}-shm`;
  if (!existsSync(target)) {
    removeQuietly(wal);
    removeQuietly(shm);
    return null;
  }
  let db: SQLite.Database | undefined;
  let readable = true;
  try {
    db = new SQLite(target, { fileMustExist: true, timeout: 1000 });
    // Leaving WAL mode takes an exclusive lock: it fails while the server (its connection or
    // its checkpoint worker), a backup, or any other process has the database open.
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
      throw new OpsError(
        `${target} is in use (${(err as Error).message}): a Keyway server, or a backup, has it open. Stop the server, then restore. Nothing was changed.`,
      );
    // A damaged database (the reason for many restores) is replaced as it is.
    readable = false;
  } finally {
    db?.close();
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const kept = `${target}.pre-restore-${stamp}`;
  try {
    linkSync(target, kept);
  } catch {
    copyFileSync(target, kept);
  }
  // What a damaged database left beside it would be read as the restored one's log: keep it
  // with the old one. A readable one has none left (leaving WAL mode folded it in).
  if (!readable && existsSync(wal)) renameSync(wal, `${kept}-wal`);
  removeQuietly(wal);
  removeQuietly(shm);
  fsyncDir(dirname(kept));
  return kept;
}
