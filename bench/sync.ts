import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { seed } from '../apps/server/src/test/bulk-seed';
import { createTestDatabase } from '../apps/server/src/test/db';
import { ServerProcess } from '../apps/server/src/test/server-process';
import { CommitProbe } from './lib/commit-baseline';
import { cleanup, freePort, onCleanup, track } from './lib/procs';
import { summarize } from './lib/stats';
import { bareMqtt, bareWs } from './sync/bare';
import { Worker } from './sync/gens';
import { keywayPhones, keywayUnits } from './sync/keyway';
import { MEMORY_WARMUP, type Run, range } from './sync/phases';
import {
  buildRows,
  METHOD,
  printServerTimings,
  printSummary,
  printTable,
  summarizeRuns,
} from './sync/report';
import { readGcPauses } from './sync/server-gc';
import { serverHooks } from './sync/server-hooks';
import { type Memory, memoryOf, now, sleep } from './sync/worker';

/**
 * `npm run bench:sync [-- --quick]` (issue #3): push-sync latency and cost with thousands of
 * clients connected — commit→phone, one change fanned out to 1k/5k/9k phones, commit→unit over
 * MQTT with 1k/5k units, memory per idle phone — each beside a baseline measured in the same
 * run (bare SQLite commit, bare ws server, bare aedes broker). The server, the bare servers and
 * the load generators (≥ 3 phone, 2 unit processes) each run in their own process; client
 * sockets use source addresses 127.0.0.2–9. `--quick`: 1k of everything, under two minutes.
 */
const QUICK = process.argv.includes('--quick');
/**
 * Latency samples per level (Keyway and its baselines alike): a p99 of 100 samples is their
 * second-worst, one scheduling hiccup on 2 shared cores; of 300 it is the fourth-worst.
 */
const SIZES = QUICK
  ? { phones: [1000], fans: [1000], units: [1000], samples: 100, rounds: 3 }
  : {
      phones: [1000, 9000],
      fans: [1000, 5000, 9000],
      units: [1000, 5000],
      samples: 300,
      rounds: 5,
    };
const PHONE_GENS = 3;
const UNIT_GENS = 2;
const DEADLINE_MS = QUICK ? 5 * 60_000 : 40 * 60_000;
const option = (name: string) =>
  process.argv.includes(name)
    ? (process.argv[process.argv.indexOf(name) + 1] ?? '')
    : '';
/** `--profile <dir>`: CPU profiles of the server, one file per phase (see sync/server-hooks.ts). */
const PROFILE = option('--profile');
/**
 * `--runs <n>`: the whole bench n times (fresh database, server and generators each time) and a
 * summary of each figure's ratio over the runs: on 2 shared cores one run's p99 swings by half.
 */
const RUNS = Math.max(1, Number(option('--runs') || 1));

let running: ServerProcess | undefined;
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** The code under test: the server is whatever is in the working tree, committed or not. */
function gitState() {
  const git = (args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    return {
      commit: git(['rev-parse', 'HEAD']),
      dirty: git(['status', '--porcelain', 'apps', 'packages']) !== '',
    };
  } catch {
    return null;
  }
}

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

async function oneRun(runIndex: number) {
  const started = now();
  const loadBefore = load();
  process.env.KEYWAY_TEST_DB = 'sqlite';
  const db = await createTestDatabase();
  onCleanup(db.drop);
  const members = Math.max(...SIZES.phones, ...SIZES.fans);
  let t = now();
  const seeded = await seed(db.dataDir, {
    members,
    fanLevels: SIZES.fans,
    units: Math.max(...SIZES.units),
  });
  const seedMs = now() - t;
  log(
    `seeded ${members} members, ${seeded.units.length} units in ${Math.round(seedMs)} ms`,
  );
  t = now();
  const memoryFile = join(db.dataDir, 'server-memory.json');
  const gcFile = join(db.dataDir, 'server-gc.txt');
  const server = await ServerProcess.start(
    {
      dataDir: db.dataDir,
      outbox: join(db.dataDir, 'sms.jsonl'),
      port: await freePort(),
      mqttPort: await freePort(),
      env: {
        KEYWAY_LOG_LEVEL: 'warn',
        ...serverHooks(
          { memory: memoryFile, gc: gcFile },
          PROFILE || undefined,
        ),
      },
    },
    600_000,
  );
  running = server;
  track(server.child);
  const startMs = now() - t;
  log(
    `server up in ${Math.round(startMs)} ms (views of every space recomputed at start)`,
  );
  const spawn = (script: string, name: string, n: number) =>
    Promise.all(range(0, n).map((k) => Worker.start(script, `${name}-${k}`)));
  const pid = server.child.pid!;
  let segment = 0;
  const run: Run = {
    url: server.url,
    seeded,
    phones: await spawn('./phones.ts', 'phones', PHONE_GENS),
    units: await spawn('./units.ts', 'units', UNIT_GENS),
    sizes: SIZES,
    log,
    commits: new CommitProbe(db.dataDir),
    serverGc: () => readGcPauses(gcFile),
    mark: (label) => {
      if (!PROFILE) return;
      process.kill(pid, 'SIGHUP');
      const file = `${PROFILE}/server-${runIndex > 0 ? `r${runIndex + 1}-` : ''}${++segment}.cpuprofile`;
      log(`profile ${file}: ${label}`);
    },
  };
  const serverMemory = async (): Promise<Memory> => {
    rmSync(memoryFile, { force: true });
    for (let k = 0; k < 2; k++) {
      process.kill(pid, 'SIGUSR2');
      await sleep(300);
    }
    return memoryOf(pid, JSON.parse(readFileSync(memoryFile, 'utf8')));
  };
  // Stopped when this run is done, or by the bench's cleanup if it fails first.
  const stopGenerators = async () => {
    for (const w of [...run.phones, ...run.units]) w.stop();
  };
  onCleanup(stopGenerators);
  const phones = await keywayPhones(run, serverMemory);
  const units = await keywayUnits(run, server.mqttUrl);
  if ('error' in units) log(`units: ${units.error}`);
  if (PROFILE) await sleep(2000); // the last profile is written before the server goes
  await server.kill();
  running = undefined;

  const fanBytes = Object.fromEntries(
    phones.levels.flatMap((l) => (l.fan ? [[l.clients, l.fan.bytes]] : [])),
  );
  const latencyBytes =
    phones.levels.find((l) => l.latency)?.latency?.bytes ?? 500;
  const ws = await bareWs(run, { latency: latencyBytes, fan: fanBytes });
  const mqttBytes =
    'error' in units
      ? {}
      : Object.fromEntries(
          units.map((u) => [
            u.units,
            { single: u.single.bytes, all: u.all.bytes },
          ]),
        );
  const mqtt = await bareMqtt(run, mqttBytes);
  // Taken between Keyway's single-change samples, each as far from its neighbours as they are.
  const commit = summarize(run.commits.samples, 1);
  run.commits.close();
  await stopGenerators();
  await db.drop();
  const durationS = Math.round((now() - started) / 1000);

  const rows = buildRows(phones.levels, ws.levels, units, mqtt, commit);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    /** 1/5/15-minute load averages when the run started and ended (other work on the host skews every figure). */
    loadavg: { before: loadBefore, after: load() },
  };
  const layout = `space "Phones": ${members} members (seeded), groups ${SIZES.fans.map((n) => `G${n}`).join('/')}; space "Units": ${seeded.units.length} units × 1 door; ${PHONE_GENS} phone + ${UNIT_GENS} unit generator processes; SQLite`;
  printTable(rows, [
    `Push sync (issue #3), ${QUICK ? 'quick' : 'full'} run${RUNS > 1 ? ` ${runIndex + 1} of ${RUNS}` : ''} in ${durationS} s; ${machine.cpus} CPUs, node ${machine.node}, load average ${machine.loadavg.before[0]} → ${machine.loadavg.after[0]}`,
    layout,
    `setup: seed ${Math.round(seedMs)} ms, server start ${Math.round(startMs)} ms, one member created over HTTP at ${phones.members} members: ${phones.createMemberMs.toFixed(0)} ms; commit baseline p50/p99 ${commit.p50}/${commit.p99} ms`,
    ...(PROFILE
      ? [
          `--profile: server CPU profiles in ${PROFILE}; the profiler inflates latencies and RSS`,
        ]
      : []),
    'ms. commit→ rows: from the start of the server’s write (the request’s Server-Timing `pre` after t0), the same arrivals from just before the admin’s request beside; fan-out rows: from the admin’s request (bare: from the first send). Latency rows: p50 / p99 / max; fan-out rows: p50 / p99 over every client of every round / last arrival (median over rounds); memory rows: heap + external per phone connected after the first ' +
      `${MEMORY_WARMUP}, 2 s after they connected, both servers alike. ratio = Keyway p99 (KB) / target; ≤ 1 passes.`,
  ]);
  printServerTimings(phones.levels, ws.levels, units, commit);
  return {
    date: new Date().toISOString(),
    git: gitState(),
    mode: QUICK ? 'quick' : 'full',
    /** With --profile the server runs a CPU profiler: its latencies and RSS are inflated. */
    profiled: Boolean(PROFILE),
    durationS,
    machine,
    layout,
    sizes: SIZES,
    method: METHOD,
    setup: {
      seedMs: Math.round(seedMs),
      serverStartMs: Math.round(startMs),
      createMemberOverHttpMs: phones.createMemberMs,
      membersInSpace: phones.members,
      phoneConnectMs: Object.fromEntries(
        phones.levels.map((l) => [l.clients, Math.round(l.connectMs)]),
      ),
      unitConnectMs:
        'error' in units
          ? null
          : Object.fromEntries(
              units.map((u) => [u.units, Math.round(u.connectMs)]),
            ),
    },
    commit,
    rows,
    keyway: { phones, units },
    baseline: { ws, mqtt },
  };
}

async function main() {
  const runs: Awaited<ReturnType<typeof oneRun>>[] = [];
  for (let k = 0; k < RUNS; k++) runs.push(await oneRun(k));
  // One run: its report. Several: the ratios over the runs, then each run's report.
  let out: object = runs[0]!;
  if (RUNS > 1) {
    const summary = summarizeRuns(runs.map((r) => r.rows));
    printSummary(summary, RUNS);
    const { date, git, mode, profiled, machine, sizes, method } = runs[0]!;
    out = { date, git, mode, profiled, machine, sizes, method, summary, runs };
  }
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('sync.json', dir), `${JSON.stringify(out, null, 2)}\n`);
  log('written bench/results/sync.json');
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
  if (running)
    console.error(`server output (tail):\n${running.output.slice(-4000)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
