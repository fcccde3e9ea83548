import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { type Summary, summarize } from './stats';

const ROW = 'x'.repeat(200);

/**
 * The cost of one durable commit: a single-row INSERT in its own transaction, in SQLite with the
 * server's settings (WAL, synchronous=FULL) in the same data directory, or in the benched
 * PostgreSQL database; one after another, or `gapMs` apart (paced like the samples it is the
 * baseline of).
 */
export async function commitBaseline(
  opts: {
    dataDir: string;
    databaseUrl?: string | undefined;
    gapMs?: number;
  },
  count = 500,
) {
  const gap = () =>
    opts.gapMs ? new Promise((r) => setTimeout(r, opts.gapMs)) : undefined;
  const samples: number[] = [];
  const started = performance.now();
  if (opts.databaseUrl) {
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    await client.connect();
    try {
      await client.query(
        'CREATE TABLE bench_commit (id serial PRIMARY KEY, at text, payload text)',
      );
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await client.query(
          'INSERT INTO bench_commit (at, payload) VALUES ($1, $2)',
          [new Date().toISOString(), ROW],
        );
        samples.push(performance.now() - t0);
        await gap();
      }
      await client.query('DROP TABLE bench_commit');
    } finally {
      await client.end();
    }
  } else {
    const probe = new CommitProbe(opts.dataDir);
    try {
      for (let i = 0; i < count; i++) {
        probe.sample();
        await gap();
      }
    } finally {
      probe.close();
    }
    samples.push(...probe.samples);
  }
  const summary: Summary = summarize(
    samples,
    (performance.now() - started) / 1000,
  );
  return summary;
}

/**
 * The same single-row SQLite commit, one at a time on demand (`sample`), so that a baseline can
 * be taken between the samples it is the baseline of, under the same conditions (the disk and
 * the CPUs of a shared host change from one minute to the next).
 */
export class CommitProbe {
  readonly samples: number[] = [];
  private db: SQLite.Database;
  private insert: SQLite.Statement;

  constructor(dataDir: string) {
    this.db = new SQLite(join(dataDir, 'bench-commit.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, at TEXT, payload TEXT)',
    );
    this.insert = this.db.prepare(
      'INSERT INTO bench_commit (at, payload) VALUES (?, ?)',
    );
  }

  sample(): number {
    const t0 = performance.now();
    this.insert.run(new Date().toISOString(), ROW);
    const ms = performance.now() - t0;
    this.samples.push(ms);
    return ms;
  }

  close(): void {
    this.db.close();
  }
}
