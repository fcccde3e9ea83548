import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A failure the operator can act on: printed as is (no stack), exit code 1. */
export class OpsError extends Error {}

export type BackupKind = 'sqlite' | 'postgres';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** `pg_dump -Fc` archives start with these bytes (a plain SQL dump does not). */
const PGDUMP_MAGIC = Buffer.from('PGDMP', 'latin1');

/** What a backup file is, from its first bytes: a SQLite database, a pg_dump custom archive, or neither. */
export function backupKind(file: string): BackupKind {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch {
    throw new OpsError(`${file}: no such file.`);
  }
  if (!stat.isFile()) throw new OpsError(`${file} is not a file.`);
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 16 && head.equals(SQLITE_MAGIC)) return 'sqlite';
  if (n >= 5 && head.subarray(0, 5).equals(PGDUMP_MAGIC)) return 'postgres';
  throw new OpsError(
    `${file} is not a Keyway backup: neither a SQLite database nor a pg_dump custom-format archive (${n === 0 ? 'it is empty' : 'unknown content'}). Nothing was changed.`,
  );
}

/** A name beside `file` for writing it in full before it takes `file`'s place. */
export const tempBeside = (file: string) =>
  join(
    dirname(file),
    `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );

export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename in `dir` durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Flushes `tmp` and renames it to `file` atomically: `file` is the old one or the whole new one. */
export function putInPlace(tmp: string, file: string): void {
  fsyncFile(tmp);
  renameSync(tmp, file);
  fsyncDir(dirname(file));
}

export const removeQuietly = (file: string) => rmSync(file, { force: true });

/** Writable for the directory check before a long backup. */
export function checkDirectory(file: string): void {
  const dir = dirname(file);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir);
  } catch {
    throw new OpsError(`--out ${file}: the folder ${dir} does not exist.`);
  }
  if (!stat.isDirectory())
    throw new OpsError(`--out ${file}: ${dir} is not a folder.`);
}
