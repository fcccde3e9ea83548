import { mkdirSync } from 'node:fs';

/**
 * Bench-only hooks loaded into the server process through NODE_OPTIONS (no server code
 * changes; plain JS in a data: URL because it loads before tsx):
 *  - SIGUSR2 forces two GCs (with --expose-gc) and writes process.memoryUsage() with them gone
 *    to `<memoryFile>` (JSON), so a memory reading is not garbage;
 *  - with a profile directory, a CPU profile runs from start and SIGHUP writes what it has so
 *    far to `<dir>/server-<n>.cpuprofile` and starts the next one (one file per bench phase);
 *  - every garbage-collection pause is appended to `<gcFile>` as it is reported: its start on
 *    the bench's clock (process.hrtime in ms, see worker.ts `now`), its length, its kind (see
 *    server-gc.ts). One short synchronous append per pause, about one a second when idle.
 */
const HOOK = `
const gcFile = process.env.BENCH_SERVER_GC_FILE;
if (gcFile) {
  const { PerformanceObserver, performance } = await import('node:perf_hooks');
  const { appendFileSync } = await import('node:fs');
  // performance.now() runs on the same monotonic clock as process.hrtime, from another origin.
  const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  new PerformanceObserver((list) => {
    let lines = '';
    for (const e of list.getEntries()) {
      const at = (e.startTime + offset).toFixed(3);
      lines += at + ' ' + e.duration.toFixed(3) + ' ' + e.detail.kind + String.fromCharCode(10);
    }
    appendFileSync(gcFile, lines);
  }).observe({ entryTypes: ['gc'] });
}
process.on('SIGUSR2', async () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const file = process.env.BENCH_SERVER_MEMORY_FILE;
  if (!file) return;
  const { writeFileSync, renameSync } = await import('node:fs');
  writeFileSync(file + '.tmp', JSON.stringify(process.memoryUsage()));
  renameSync(file + '.tmp', file);
});
const dir = process.env.BENCH_SERVER_PROFILE_DIR;
if (dir) {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  s.post('Profiler.enable');
  s.post('Profiler.setSamplingInterval', { interval: 500 });
  s.post('Profiler.start');
  let n = 0;
  process.on('SIGHUP', () => {
    s.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(dir + '/server-' + ++n + '.cpuprofile', JSON.stringify(res.profile));
      s.post('Profiler.start');
    });
  });
}
`;

/** The server's extra environment: NODE_OPTIONS with the hooks, where memory readings, GC pauses and profiles go. */
export function serverHooks(
  files: { memory: string; gc: string },
  profileDir?: string,
): Record<string, string> {
  const url = `data:text/javascript;base64,${Buffer.from(HOOK).toString('base64')}`;
  const env: Record<string, string> = {
    NODE_OPTIONS: `--expose-gc --import=${url}`,
    BENCH_SERVER_MEMORY_FILE: files.memory,
    BENCH_SERVER_GC_FILE: files.gc,
  };
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    env.BENCH_SERVER_PROFILE_DIR = profileDir;
  }
  return env;
}
