import { join } from 'node:path';
import { seed } from '../../apps/server/src/test/bulk-seed';
import { createTestDatabase } from '../../apps/server/src/test/db';
import { ServerProcess } from '../../apps/server/src/test/server-process';
import type {
  FleetStatus,
  FleetTarget,
} from '../../apps/server/src/test/storm-fleet';
import { freePort, onCleanup, track } from '../lib/procs';
import { type Summary, summarize } from '../lib/stats';
import { callAll, Worker } from '../sync/gens';
import { serverHooks } from '../sync/server-hooks';
import { now, SOURCES, sleep } from '../sync/worker';

/**
 * The reconnect storm of issue 22 item 4, shared by `npm run bench:storm` and `bench:network`:
 * a server (its own process, SQLite) with `phones` real SyncClients and `units` real unit
 * agents in generator processes is killed right after a commit and started again on the same
 * ports and database. Measured: how long until the last client is back and caught up (from the
 * kill and from the new server's first answer), how each caught up (the server's
 * keyway_sync_catchups_total: replay or snapshot), the shape of the storm (connection attempts
 * per second), and `GET /v1/me` while it lasts beside the same request on the idle server with
 * every client connected, in the same run.
 */
export interface StormOptions {
  phones: number;
  units: number;
  phoneGens: number;
  unitGens: number;
  /** SIGKILL (a crash, default) or SIGTERM (a deploy: clients are told to come back). */
  signal: 'SIGKILL' | 'SIGTERM';
  idleMs: number;
  log: (msg: string) => void;
  /** A CPU profile of the restarted server (`--cpu-prof`), written here when it stops. */
  profileDir?: string | undefined;
}

export interface StormResult {
  phones: number;
  units: number;
  signal: string;
  /** The first server start (migrations, views of every space), no client connected yet. */
  serverStartMs: number;
  /** Cold start: every client connecting for the first time (each gets a snapshot). */
  coldConnectMs: number;
  /** From the kill until the new server answered /healthz. */
  serverRestartMs: number;
  /** From the kill / from the new server's first answer until the last client was caught up. */
  lastResumedAfterKillMs: number | null;
  lastResumedAfterReadyMs: number | null;
  done: { phones: number; units: number };
  catchUps: Record<string, number>;
  phoneSnapshotsSeen: number;
  attempts: {
    phones: number;
    units: number;
    peakPerSecond: number;
    perSecond: number[];
    /** Why attempts failed or connections ended (fleet-side), summed over the generators. */
    failures: Record<string, number>;
  };
  me: {
    idle: Summary;
    storm: Summary;
    p99Ratio: number;
    errors: Record<string, number>;
  };
}

const METRICS_TOKEN = 'bench-storm-metrics';
const DEADLINE_MS = 15 * 60_000;

const sum = (list: FleetStatus[], f: (s: FleetStatus) => number) =>
  list.reduce((n, s) => n + f(s), 0);

export async function runStorm(o: StormOptions): Promise<StormResult> {
  process.env.KEYWAY_TEST_DB = 'sqlite';
  const db = await createTestDatabase();
  onCleanup(db.drop);
  const seeded = await seed(db.dataDir, {
    members: o.phones,
    fanLevels: [o.phones],
    units: o.units,
  });
  const opts = {
    dataDir: db.dataDir,
    outbox: join(db.dataDir, 'sms.jsonl'),
    port: await freePort(),
    mqttPort: await freePort(),
    env: { KEYWAY_LOG_LEVEL: 'warn', KEYWAY_METRICS_TOKEN: METRICS_TOKEN },
  };
  const start = async (env: Record<string, string> = {}) => {
    const s = await ServerProcess.start(
      { ...opts, env: { ...opts.env, ...env } },
      600_000,
    );
    track(s.child);
    return s;
  };
  const startedAt = now();
  let server = await start();
  const serverStartMs = now() - startedAt;
  onCleanup(() => server.kill());
  const request = async (method: string, path: string, body?: object) => {
    const res = await server.request(method, path, {
      token: seeded.owner,
      body,
    });
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status}`);
  };

  const gens = [
    ...Array.from({ length: o.phoneGens }, (_, k) => ({ kind: 'phones', k })),
    ...Array.from({ length: o.unitGens }, (_, k) => ({ kind: 'units', k })),
  ];
  const workers = await Promise.all(
    gens.map((g) =>
      Worker.start('../storm/fleet.ts', `storm-${g.kind}-${g.k}`),
    ),
  );
  onCleanup(async () => {
    for (const w of workers) w.stop();
  });
  const share = <T>(list: T[], k: number, n: number) =>
    list.filter((_, i) => i % n === k);
  const statuses = () => callAll<FleetStatus>(workers, 'status', {});
  const until = async (what: string) => {
    const t0 = now();
    for (;;) {
      const list = await statuses();
      if (list.every((s) => s.lastDoneAt !== null)) return list;
      if (now() - t0 > DEADLINE_MS)
        throw new Error(`${what}: not done in time`);
      await sleep(250);
    }
  };

  const t0 = now();
  const base = {
    syncUrl: `${server.url.replace('http', 'ws')}/v1/sync`,
    mqttUrl: server.mqttUrl,
    phoneSpaceId: seeded.phoneSpaceId,
    phoneDoorId: seeded.phoneDoorId,
    unitSpaceId: seeded.unitSpaceId,
    sources: SOURCES,
  };
  const before: FleetTarget = {
    doorName: 'Door 1',
    phoneTimezone: 'Europe/Madrid',
    unitTimezone: 'Europe/Lisbon',
    unitLockdown: false,
  };
  await Promise.all(
    gens.map((g, k) =>
      workers[k]!.call('start', {
        ...base,
        phones:
          g.kind === 'phones' ? share(seeded.members, g.k, o.phoneGens) : [],
        units: g.kind === 'units' ? share(seeded.units, g.k, o.unitGens) : [],
      }),
    ),
  );
  await callAll(workers, 'expect', before);
  await request('PATCH', `/v1/doors/${seeded.phoneDoorId}`, {
    name: before.doorName,
  });
  await request('PATCH', `/v1/spaces/${seeded.unitSpaceId}`, {
    timezone: before.unitTimezone,
  });
  await until('cold connect');
  const coldConnectMs = now() - t0;
  o.log(
    `cold connect of ${o.phones} phones and ${o.units} units: ${Math.round(coldConnectMs)} ms`,
  );

  const me = async (samples: number[], errors: Record<string, number>) => {
    const s = now();
    try {
      const res = await fetch(`${server.url}/v1/me`, {
        headers: { authorization: `Bearer ${seeded.owner}` },
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      if (res.status === 200) samples.push(now() - s);
      else errors[res.status] = (errors[res.status] ?? 0) + 1;
    } catch (err) {
      const label = (err as Error).name;
      errors[label] = (errors[label] ?? 0) + 1;
    }
  };
  const idle: number[] = [];
  const idleErrors: Record<string, number> = {};
  for (const end = now() + o.idleMs; now() < end; ) {
    await me(idle, idleErrors);
    await sleep(20);
  }

  const target: FleetTarget = {
    doorName: 'Door 1 (renamed before the kill)',
    phoneTimezone: 'Atlantic/Canary',
    unitTimezone: 'Europe/Paris',
    unitLockdown: true,
  };
  await callAll(workers, 'expect', target);
  await request('PATCH', `/v1/doors/${seeded.phoneDoorId}`, {
    name: target.doorName,
  });
  await request('PATCH', `/v1/spaces/${seeded.unitSpaceId}`, {
    timezone: target.unitTimezone,
  });
  const killedAt = now();
  await server.kill(o.signal);
  server = await start(
    o.profileDir
      ? serverHooks(
          {
            memory: join(db.dataDir, 'memory.json'),
            gc: join(db.dataDir, 'gc.txt'),
          },
          o.profileDir,
        )
      : {},
  );
  const readyAt = now();
  o.log(`server ${o.signal} and back in ${Math.round(readyAt - killedAt)} ms`);
  await request('PATCH', `/v1/spaces/${seeded.phoneSpaceId}`, {
    timezone: target.phoneTimezone,
  });
  await request('PATCH', `/v1/spaces/${seeded.unitSpaceId}`, {
    lockdown: true,
  });

  const storm: number[] = [];
  const stormErrors: Record<string, number> = {};
  let list: FleetStatus[] = [];
  let finished = false;
  const probe = (async () => {
    while (!finished) {
      await me(storm, stormErrors);
      await sleep(20);
    }
  })();
  try {
    list = await until('storm');
  } finally {
    finished = true;
    await probe;
  }
  const last = Math.max(...list.map((s) => s.lastDoneAt ?? Number.NaN));

  const metrics = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  }).then((r) => r.text());
  const catchUps: Record<string, number> = {};
  for (const m of metrics.matchAll(
    /^keyway_sync_catchups_total\{kind="(\w+)",how="(\w+)"\} (\d+)/gm,
  ))
    catchUps[`${m[1]}.${m[2]}`] = Number(m[3]);
  const failures: Record<string, number> = {};
  for (const s of list)
    for (const [why, n] of Object.entries(s.failures))
      failures[why] = (failures[why] ?? 0) + n;
  const perSecond: number[] = [];
  for (const s of list)
    s.attemptsPerSecond.forEach((n, i) => {
      perSecond[i] = (perSecond[i] ?? 0) + n;
    });
  const filled = Array.from(perSecond, (n) => n ?? 0);
  const idleSummary = summarize(idle, o.idleMs / 1000);
  const stormSummary = summarize(storm, (now() - readyAt) / 1000);
  if (o.profileDir) {
    // From the restart until the last client was back: <dir>/server-1.cpuprofile.
    process.kill(server.child.pid!, 'SIGHUP');
    await sleep(3000);
  }
  await callAll(workers, 'stop', {}, 120_000);
  await server.kill();
  await db.drop();
  return {
    phones: o.phones,
    units: o.units,
    signal: o.signal,
    serverStartMs: Math.round(serverStartMs),
    coldConnectMs: Math.round(coldConnectMs),
    serverRestartMs: Math.round(readyAt - killedAt),
    lastResumedAfterKillMs: Math.round(last - killedAt),
    lastResumedAfterReadyMs: Math.round(last - readyAt),
    done: {
      phones: sum(list, (s) => s.phonesDone),
      units: sum(list, (s) => s.unitsDone),
    },
    catchUps,
    phoneSnapshotsSeen: sum(list, (s) => s.phoneSnapshots),
    attempts: {
      phones: sum(list, (s) => s.phoneAttempts),
      units: sum(list, (s) => s.unitAttempts),
      peakPerSecond: Math.max(0, ...filled),
      perSecond: filled,
      failures,
    },
    me: {
      idle: idleSummary,
      storm: stormSummary,
      p99Ratio: Math.round((stormSummary.p99 / idleSummary.p99) * 100) / 100,
      errors: stormErrors,
    },
  };
}
