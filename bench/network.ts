import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { seed } from '../apps/server/src/test/bulk-seed';
import { createTestDatabase } from '../apps/server/src/test/db';
import { NetProxy } from '../apps/server/src/test/net-proxy';
import { ServerProcess } from '../apps/server/src/test/server-process';
import { cleanup, freePort, onCleanup, track } from './lib/procs';
import { summarize } from './lib/stats';
import { runStorm } from './storm/run';
import { now, SOURCES, sleep } from './sync/worker';

/**
 * `npm run bench:network [-- --quick]` (issue 22): commit→phone through a NetProxy adding 50,
 * 150 and 300 ms of round trip, each beside the same push on loopback measured in the same run
 * (ratio = p / (added round trip / 2 + loopback p), target ≤ 1.2), and the phones' disconnects
 * per phone-hour at each latency (target 0). The server runs in its own process; the proxy and
 * the phones share this one. Then the reconnect storm of bench:storm (2,000 units and 5,000
 * phones; `--quick` 400 and 1,000) under `storm`: time until the last is resumed, and GET /v1/me's
 * p99 during it beside idle (`storm.me.p99Ratio`).
 */
const QUICK = process.argv.includes('--quick');
const PHONES = QUICK ? 20 : 100;
const SAMPLES = QUICK ? 40 : 200;
const HOLD_MS = QUICK ? 5_000 : 30_000; // idle time per level, heartbeats only, for disconnects
const HEARTBEAT_MS = 2000;
const RTTS = [50, 150, 300];
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

interface Level {
  phones: WebSocket[];
  closes: number;
  waiters: Map<number, { marker: string; resolve: (t: number) => void }>;
}

async function connect(
  url: string,
  tokens: string[],
  level: Level,
): Promise<void> {
  await Promise.all(
    tokens.map(
      (token, i) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(`${url}?token=${token}`, {
            localAddress: SOURCES[i % SOURCES.length],
            perMessageDeflate: false,
          });
          ws.on('message', (data: Buffer) => {
            const t = now();
            const w = level.waiters.get(i);
            if (w && data.includes(w.marker)) {
              level.waiters.delete(i);
              w.resolve(t);
            }
            if (data.includes('"type":"snapshot"')) resolve();
          });
          ws.once('error', reject);
          ws.on('close', () => level.closes++);
          level.phones.push(ws);
        }),
    ),
  );
}

async function measure(
  server: ServerProcess,
  owner: string,
  members: { id: string }[],
  level: Level,
  tag: string,
): Promise<number[]> {
  const samples: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const i = k % members.length;
    const marker = `"${tag}-${k}"`;
    const got = new Promise<number>((resolve) =>
      level.waiters.set(i, { marker, resolve }),
    );
    const t0 = now();
    const res = await server.request('PATCH', `/v1/members/${members[i]!.id}`, {
      token: owner,
      body: { name: `${tag}-${k}` },
    });
    if (res.status !== 200) throw new Error(`PATCH: ${res.status}`);
    samples.push((await got) - t0);
  }
  return samples;
}

async function main() {
  process.env.KEYWAY_TEST_DB = 'sqlite';
  const db = await createTestDatabase();
  onCleanup(db.drop);
  const seeded = await seed(db.dataDir, {
    members: PHONES,
    fanLevels: [],
    units: 1,
  });
  const server = await ServerProcess.start(
    {
      dataDir: db.dataDir,
      outbox: join(db.dataDir, 'sms.jsonl'),
      port: await freePort(),
      mqttPort: await freePort(),
      env: {
        KEYWAY_LOG_LEVEL: 'warn',
        KEYWAY_SYNC_HEARTBEAT_MS: String(HEARTBEAT_MS),
      },
    },
    120_000,
  );
  track(server.child);
  const port = Number(new URL(server.url).port);
  const tokens = seeded.members.map((m) => m.token);
  const results: Record<string, unknown> = {};
  let loopback = { p50: 0, p99: 0 };
  for (const rtt of [0, ...RTTS]) {
    const proxy = await NetProxy.start({ port });
    proxy.setRoundTrip(rtt);
    const level: Level = { phones: [], closes: 0, waiters: new Map() };
    await connect(
      `${proxy.url(server.url.replace(/^http/, 'ws'))}/v1/sync`,
      tokens,
      level,
    );
    const t0 = now();
    await sleep(HOLD_MS);
    const lat = summarize(
      await measure(server, seeded.owner, seeded.members, level, `n${rtt}`),
      1,
    );
    const hours = ((now() - t0) / 3_600_000) * PHONES;
    const key = rtt === 0 ? 'loopback' : `rtt${rtt}`;
    const entry: Record<string, number> = {
      p50: lat.p50,
      p99: lat.p99,
      disconnectsPerPhoneHour: level.closes / hours,
    };
    if (rtt === 0) loopback = lat;
    else {
      entry.p50Ratio = lat.p50 / (rtt / 2 + loopback.p50);
      entry.p99Ratio = lat.p99 / (rtt / 2 + loopback.p99);
    }
    results[key] = entry;
    log(`${key}: ${JSON.stringify(entry)}`);
    for (const ws of level.phones) ws.terminate();
    await proxy.stop();
  }
  await server.kill();
  const storm = await runStorm({
    phones: QUICK ? 1000 : 5000,
    units: QUICK ? 400 : 2000,
    phoneGens: 3,
    unitGens: 2,
    signal: 'SIGKILL',
    idleMs: QUICK ? 5000 : 15_000,
    log,
  });
  const { perSecond: _perSecond, ...attempts } = storm.attempts;
  const out = {
    mode: QUICK ? 'quick' : 'full',
    phones: PHONES,
    samples: SAMPLES,
    heartbeatMs: HEARTBEAT_MS,
    holdMs: HOLD_MS,
    method:
      'commit→phone: PATCH sent on loopback → the marked change at the phone through the proxy; ratio = p / (rtt/2 + loopback p), target ≤ 1.2; disconnects per phone-hour target 0',
    levels: results,
    storm: { ...storm, attempts },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/network.json',
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.log(JSON.stringify(out, null, 2));
}

main()
  .catch((err) => {
    log(String(err?.stack ?? err));
    process.exitCode = 1;
  })
  .finally(() => cleanup());
