import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { type Seeded, seed } from '../apps/server/src/test/bulk-seed';
import { failoverPhase } from './cluster/failover';
import { Cluster } from './cluster/nodes';
import { opensPhase } from './cluster/opens';
import { pushPhases } from './cluster/push';
import { printReport, ratios } from './cluster/report';
import { cleanup } from './lib/procs';
import { Worker } from './sync/gens';
import { range } from './sync/phases';
import { now } from './sync/worker';

/**
 * `npm run bench:cluster [-- --quick]` (issue 17): Keyway as 3 node processes on PostgreSQL,
 * NATS and Mosquitto (docs/cluster.md), each figure beside its baseline measured in the same
 * run — commit→phone for a phone on another node vs on the writing node; one group rename fanned
 * out to phones spread over 3 nodes vs all on one; opens per second at p99 ≤ 100 ms with 1, 2
 * and 3 nodes; failover after SIGKILL vs after SIGTERM (a drain), with every acknowledged change
 * audited on every phone. Writes bench/results/cluster.json. Load generators are processes of
 * their own; client sockets use source addresses 127.0.0.2–9.
 */
const QUICK = process.argv.includes('--quick');
const SIZES = QUICK
  ? {
      phones: 1000,
      samples: 100,
      rounds: 3,
      failoverPhones: 150,
      kills: 5,
      drains: 1,
      bounces: 3,
      openLevels: [1, 2, 4, 8],
      recordMs: 2000,
      warmupMs: 300,
    }
  : {
      phones: 9000,
      samples: 300,
      rounds: 5,
      failoverPhones: 600,
      kills: 20,
      drains: 3,
      bounces: 5,
      openLevels: [1, 2, 4, 8, 16, 32],
      recordMs: 8000,
      warmupMs: 1000,
    };
const NODES = 3;
const PHONE_GENS = 3;
const SYNC_GENS = 2;
const OPEN_UNITS = 3;
const DOORS_PER_UNIT = 2;
const DEADLINE_MS = (QUICK ? 12 : 45) * 60_000;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

function gitState() {
  const git = (args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    return {
      commit: git(['rev-parse', 'HEAD']),
      dirty:
        git([
          'status',
          '--porcelain',
          'apps',
          'packages',
          'bench',
          ':!bench/results',
        ]) !== '',
    };
  } catch {
    return null;
  }
}

let cluster: Cluster | undefined;

async function main() {
  // The code under test is what the nodes loaded at the start: read git then, not at the end.
  const git = gitState();
  const started = now();
  const loadBefore = load();
  let seeded: Seeded | undefined;
  let t = now();
  cluster = await Cluster.engines(async (db) => {
    seeded = await seed(
      db.dataDir,
      // G<failoverPhones>: the failover writer's group, so its renames reach only the phones
      // being watched (a rename of the 9k group 10 times a second is a load of its own).
      {
        members: SIZES.phones,
        fanLevels: [SIZES.failoverPhones, SIZES.phones],
        units: 0,
      },
      db.databaseUrl,
    );
  });
  const seedMs = now() - t;
  log(
    `seeded ${SIZES.phones} members into PostgreSQL in ${Math.round(seedMs)} ms`,
  );
  t = now();
  await cluster.start(NODES);
  const startMs = now() - t;
  log(`${NODES} nodes ready in ${Math.round(startMs)} ms`);

  const phones = await Promise.all(
    range(0, PHONE_GENS).map((k) => Worker.start('./phones.ts', `phones-${k}`)),
  );
  const push = await pushPhases(phones, cluster, seeded!, {
    clients: SIZES.phones,
    samples: SIZES.samples,
    rounds: SIZES.rounds,
    log,
  });
  for (const w of phones) w.stop();

  const opens = await opensPhase(cluster, {
    units: OPEN_UNITS,
    doorsPerUnit: DOORS_PER_UNIT,
    levels: SIZES.openLevels,
    recordMs: SIZES.recordMs,
    warmupMs: SIZES.warmupMs,
    log,
  });

  const syncers = await Promise.all(
    range(0, SYNC_GENS).map((k) =>
      Worker.start('../cluster/syncers.ts', `syncers-${k}`),
    ),
  );
  const failover = await failoverPhase(syncers, cluster, seeded!, {
    phones: SIZES.failoverPhones,
    kills: SIZES.kills,
    drains: SIZES.drains,
    bounces: SIZES.bounces,
    groupClients: SIZES.failoverPhones,
    log,
  });
  for (const w of syncers) w.stop();

  const durationS = Math.round((now() - started) / 1000);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    /** 1/5/15-minute load averages at the start and the end: the host is shared. */
    loadavg: { before: loadBefore, after: load() },
    shared: true,
  };
  const layout = `${NODES} node processes (npm run serve) on PostgreSQL 15 (a fresh database), nats-server and Mosquitto 2 (dynamic security) of the bench's own; ${SIZES.phones} members seeded in one space; ${PHONE_GENS} phone and ${SYNC_GENS} SyncClient generator processes; the bench itself (writer, opens loop) is one more process`;
  const report = {
    date: new Date().toISOString(),
    git,
    mode: QUICK ? 'quick' : 'full',
    durationS,
    machine,
    layout,
    sizes: SIZES,
    setup: { seedMs: Math.round(seedMs), nodesStartMs: Math.round(startMs) },
    ratios: ratios(push, opens, failover),
    push,
    opens,
    failover,
  };
  printReport(report);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('cluster.json', dir),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  log('written bench/results/cluster.json');
}

const watchdog = setTimeout(() => {
  log(`watchdog: still running after ${DEADLINE_MS / 1000} s, stopping`);
  void cleanup().finally(() => process.exit(1));
}, DEADLINE_MS);
watchdog.unref();

try {
  await main();
} catch (err) {
  console.error(err);
  if (cluster) console.error(`node output (tails):\n${cluster.tails()}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
