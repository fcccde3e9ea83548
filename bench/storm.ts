import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cleanup } from './lib/procs';
import { runStorm } from './storm/run';

/**
 * `npm run bench:storm [-- --quick] [--graceful] [--profile <dir>]` (issue 22 item 4): 2,000 units and 5,000
 * phones (`--quick`: 400 and 1,000) lose their server at once and come back; see storm/run.ts.
 * `--graceful` stops the server with SIGTERM (a deploy) instead of SIGKILL (a crash). Writes
 * bench/results/storm.json. `--profile`: a CPU profile of the restarted server in <dir>.
 */
const QUICK = process.argv.includes('--quick');
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main() {
  const load = loadavg()[0];
  const result = await runStorm({
    phones: QUICK ? 1000 : 5000,
    units: QUICK ? 400 : 2000,
    phoneGens: 3,
    unitGens: 2,
    signal: process.argv.includes('--graceful') ? 'SIGTERM' : 'SIGKILL',
    idleMs: QUICK ? 5000 : 15_000,
    log,
    profileDir: process.argv.includes('--profile')
      ? process.argv[process.argv.indexOf('--profile') + 1]
      : undefined,
  });
  const out = {
    date: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    loadavg: { before: load, after: loadavg()[0] },
    method:
      'server (SQLite, own process) killed right after a commit, restarted on the same ports and database; clients are real SyncClients and unit agents (full-jitter backoff) in 5 generator processes. resumed = connected and holding both the change committed before the kill and one committed after the restart. GET /v1/me: one request in flight every 20 ms, idle (all clients connected) vs from the new server up until the last client resumed; p99Ratio = storm p99 / idle p99.',
    ...result,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/storm.json',
    `${JSON.stringify(out, null, 2)}\n`,
  );
  const { perSecond, ...attempts } = result.attempts;
  console.log(JSON.stringify({ ...out, attempts }, null, 2));
}

main()
  .catch((err) => {
    log(String(err?.stack ?? err));
    process.exitCode = 1;
  })
  .finally(() => cleanup());
