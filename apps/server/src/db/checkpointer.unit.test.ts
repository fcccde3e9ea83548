import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A WAL database whose own connection never checkpoints, as the server's. */
function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-ckpt-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const fill = db.transaction((rows: number) => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(1000));
  });
  return { file, db, fill };
}

async function until(ok: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

describe('the checkpoint worker', () => {
  it('copies committed pages into the database file while the writer never checkpoints', async () => {
    const { file, db, fill } = walDatabase();
    fill(2000); // ~2 MB, all of it in the WAL
    const before = statSync(file).size;
    expect(before).toBeLessThan(100_000);
    const failures: string[] = [];
    const ckpt = startCheckpointer({
      file,
      intervalMs: 20,
      onFailure: (m) => failures.push(m),
    });
    expect(await until(() => statSync(file).size > 2_000_000)).toBe(true);
    await ckpt.stop();
    expect(failures).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({
      n: 2000,
    });
    db.close();
  });

  it('runs a last checkpoint when stopped', async () => {
    const { file, db, fill } = walDatabase();
    const ckpt = startCheckpointer({
      file,
      intervalMs: 60_000,
      onFailure: () => {},
    });
    fill(1000);
    expect(statSync(file).size).toBeLessThan(100_000);
    await ckpt.stop();
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
    await ckpt.stop(); // twice is harmless
    db.close();
  });

  it('reports a worker that cannot work, so the writer goes back to its own checkpoints', async () => {
    const failures: string[] = [];
    const ckpt = startCheckpointer({
      file: join(tmpdir(), 'keyway-no-such-dir', 'nested', 'db.sqlite'),
      onFailure: (m) => failures.push(m),
    });
    expect(await until(() => failures.length > 0)).toBe(true);
    expect(failures[0]).toMatch(/directory|open/i);
    await ckpt.stop();
    expect(failures).toHaveLength(1);
  });
});
