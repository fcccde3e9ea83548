import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '../apps/server/src/test/db';
import { ServerProcess } from '../apps/server/src/test/server-process';
import { UnitProcess, waitFor } from '../apps/server/src/test/unit-process';
import { commitBaseline } from './lib/commit-baseline';
import { cpuMeter } from './lib/cpu';
import { openOnce, setupSpace, unitLeg } from './lib/keyway';
import { mqttBaseline, wireSizes } from './lib/mqtt-baseline';
import { cleanup, freePort, onCleanup, track } from './lib/procs';
import { printTable, type Report, type Row, writeJson } from './lib/report';
import { closedLoop, type LoopResult, type Summary } from './lib/stats';

/**
 * `npm run bench:open [-- --quick]`: door-open round trip (HTTP → server → MQTT → unit ack →
 * response) at 1, 10 and 50 concurrent members, against a bare MQTT round trip and one durable
 * commit measured in the same run. Server, unit agent, broker, responder and this load
 * generator each run in their own process. KEYWAY_DATABASE_URL=postgres://… benches PostgreSQL
 * (in a fresh database created beside the one named, dropped at the end).
 */
const QUICK = process.argv.includes('--quick');
/** Turns Nagle's algorithm off in every process (see lib/tcp-nodelay.mjs): what-if, not the default. */
const NODELAY = process.argv.includes('--tcp-nodelay');
const LEVELS = [1, 10, 50];
const DOORS = 4;
const RECORD_MS = QUICK ? 2_000 : 10_000;
const WARMUP_MS = QUICK ? 300 : 1_000;
const COMMITS = 500;

async function storage() {
  const pgUrl = process.env.KEYWAY_DATABASE_URL;
  // The test helper makes the fresh database; it reads where from these two variables.
  process.env.KEYWAY_TEST_DB = pgUrl ? 'postgres' : 'sqlite';
  if (pgUrl) process.env.KEYWAY_TEST_PG_URL = pgUrl;
  const db = await createTestDatabase();
  onCleanup(db.drop);
  return db;
}

/** For the error report: the server's last log lines. */
let running: ServerProcess | undefined;

async function main() {
  if (NODELAY) {
    const preload = new URL('./lib/tcp-nodelay.mjs', import.meta.url).href;
    process.env.NODE_OPTIONS =
      `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim();
    await import(preload);
  }
  const db = await storage();
  const kind = db.databaseUrl ? 'postgres' : 'sqlite';
  const server = await ServerProcess.start({
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    outbox: `${db.dataDir}/sms.jsonl`,
    port: await freePort(),
    mqttPort: await freePort(),
    env: {
      KEYWAY_LOG_LEVEL: 'warn',
      KEYWAY_AUTH_PER_IP: '100000',
      KEYWAY_CODES_PER_PHONE: '1000',
    },
  });
  running = server;
  track(server.child);
  const members = Math.max(...LEVELS);
  const space = await setupSpace(server, members, DOORS);
  const unit = UnitProcess.spawn(space.credentials, [
    '--sim-close-ms',
    '50',
    '--log-level',
    'warn',
  ]);
  track(unit.child);
  await waitFor(
    async () =>
      (
        await server.request('GET', `/v1/units/${space.unitId}`, {
          token: space.owner,
        })
      ).body.unit.online,
    'unit online',
  );
  const layout = `1 unit × ${DOORS} doors (relays 1–${DOORS}, pulse 50 ms, sim close 50 ms); member i opens door i mod ${DOORS}`;
  log(
    `storage ${kind}; ${layout}; ${RECORD_MS / 1000} s per level after ${WARMUP_MS} ms warm-up`,
  );

  const opens = new Map<
    number,
    { result: LoopResult; leg: Summary; cpu: Record<string, number | null> }
  >();
  const pids = {
    server: server.child.pid,
    unit: unit.child.pid,
    loadgen: process.pid,
  };
  for (const level of LEVELS) {
    const from = new Date(Date.now() + WARMUP_MS);
    const meter = cpuMeter(pids);
    const result = await closedLoop(level, RECORD_MS, WARMUP_MS, (w) =>
      openOnce(server.url, space.tokens[w]!, space.doorIds[w % DOORS]!),
    );
    const cpu = meter(result.summary.n);
    opens.set(level, { result, leg: await unitLeg(server, space, from), cpu });
    log(
      `opens at ${level}: ${JSON.stringify(result.summary)} errors ${JSON.stringify(result.errors)}`,
    );
    log(`  CPU ms per open: ${JSON.stringify(cpu)}`);
  }
  await unit.kill();
  await server.kill();

  const mqtt = await mqttBaseline(LEVELS, RECORD_MS, WARMUP_MS);
  const t0 = performance.now();
  const commit = await commitBaseline(db, COMMITS);
  log(
    `commit baseline: ${JSON.stringify(commit)} in ${Math.round(performance.now() - t0)} ms`,
  );

  const rows: Row[] = LEVELS.map((level) => {
    const o = opens.get(level)!;
    const m = mqtt.get(level)!;
    const ratio = o.result.summary.p99 / (3 * m.summary.p99 + commit.p99);
    return {
      level,
      open: o.result,
      unitLeg: o.leg,
      cpuMsPerOpen: o.cpu,
      mqtt: m,
      ratio: Math.round(ratio * 100) / 100,
    };
  });
  const report: Report = {
    mode: QUICK ? 'quick' : 'full',
    tcpNoDelay: NODELAY,
    storage: kind,
    layout,
    recordMs: RECORD_MS,
    warmupMs: WARMUP_MS,
    wireBytes: wireSizes(),
    commit: { ...commit, count: COMMITS },
    levels: rows,
  };
  printTable(report);
  log(`written bench/results/${writeJson(report)}`);
}

function log(msg: string) {
  process.stderr.write(`[bench] ${msg}\n`);
}

try {
  await main();
} catch (err) {
  console.error(err);
  if (running)
    console.error(`server output (tail):\n${running.output.slice(-4000)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
