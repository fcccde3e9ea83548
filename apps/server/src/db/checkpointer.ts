import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the writer's path. With SQLite's default auto-checkpoint, the commit that
 * fills the WAL past 1,000 pages copies them back into the database file and fsyncs it, on the
 * main thread: a door edit wrote ~17 pages (13 since migration 005), so about one write in 60
 * carried a checkpoint (commit p99 2.1–2.3 ms; 1.2–1.6 ms with this worker). Here the server's
 * connection has `wal_autocheckpoint = 0` and a worker thread with its own connection runs a
 * PASSIVE checkpoint every `intervalMs` (it never blocks a writer; a writer never waits for
 * it). The WAL file is truncated back to `walLimitBytes` after a checkpoint that emptied it.
 */
export interface Checkpointer {
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>;
}

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('journal_size_limit = ' + workerData.walLimitBytes);
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export function startCheckpointer(opts: {
  file: string;
  intervalMs?: number;
  walLimitBytes?: number;
  /** The worker failed or ended on its own: the caller goes back to auto-checkpoints. */
  onFailure: (message: string) => void;
}): Checkpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: {
      file: opts.file,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: opts.intervalMs ?? 200,
      walLimitBytes: opts.walLimitBytes ?? 64 * 1024 * 1024,
    },
  });
  worker.unref();
  let stopping = false;
  let failed = false;
  const fail = (message: string) => {
    if (failed || stopping) return;
    failed = true;
    opts.onFailure(message);
    void worker.terminate();
  };
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      fail('the checkpoint worker exited');
      resolve();
    }),
  );
  worker.on('message', (m: { error?: string; stopped?: boolean }) => {
    if (m.error) fail(m.error);
    if (m.stopped) void worker.terminate();
  });
  worker.on('error', (err) => fail(err.message));
  return {
    stop() {
      if (!stopping && !failed) worker.postMessage('stop');
      stopping = true;
      return exited;
    },
  };
}
