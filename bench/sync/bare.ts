import mqtt from 'mqtt';
import { spawnScript } from '../lib/procs';
import { type Summary, summarize } from '../lib/stats';
import { owner, Worker } from './gens';
import { SAMPLE_GAP_MS } from './latency';
import {
  connect,
  type Fanout,
  fanout,
  MEMORY_WARMUP,
  type Run,
  range,
  SETTLE_MS,
  warmIdle,
} from './phases';
import { type Memory, now, padded, perClient, sleep } from './worker';

export interface BareWsLevel {
  clients: number;
  memory?: Memory;
  /** Heap + external per client above idle (KiB); perClientRssKb the same from the RSS. */
  perClientKb?: number;
  perClientRssKb?: number;
  /** Round trip of a message the size of Keyway's change message (bare server echoes it). */
  echo?: Summary;
  fan?: Fanout;
}

/** `count` sequential samples from clients spread like Keyway's, each an IPC call returning ms. */
async function spread(
  workers: Worker[],
  clients: number,
  count: number,
  cmd: string,
  args: (i: number) => object,
) {
  const got: number[] = [];
  for (let k = 0; k < count + 3; k++) {
    const i = (k * 7919 + 13) % clients;
    const [ms] = await owner(workers, i).call<number[]>(
      cmd,
      { i, count: 1, ...args(i) },
      30_000,
    );
    if (k >= 3) got.push(ms!);
    await sleep(SAMPLE_GAP_MS);
  }
  return summarize(got, 1);
}

/**
 * The bare `ws` baselines, with the same generators and the same numbers of clients: RSS per
 * idle connection, echo round trip, and one string sent to every client. `bytes` gives the size
 * of Keyway's messages at each level (commit→phone and fan-out).
 */
export async function bareWs(
  run: Run,
  bytes: { latency: number; fan: Record<number, number> },
) {
  const { sizes } = run;
  const server = await Worker.start('./bare-ws.ts', 'bare-ws', ['--expose-gc']);
  try {
    const url = `ws://127.0.0.1:${await server.call<number>('port')}/`;
    const memory = () => server.call<Memory>('memory');
    const levels = [...new Set([...sizes.phones, ...sizes.fans])].sort(
      (a, b) => a - b,
    );
    const wsArgs = (share: unknown[]) => ({
      url,
      clients: share,
      snapshot: false,
    });
    const out: BareWsLevel[] = [];
    let connected = MEMORY_WARMUP;
    const idle = await warmIdle(
      run.phones,
      'bare ws',
      (i) => ({ i }),
      wsArgs,
      memory,
    );
    for (const n of levels) {
      const items = range(connected, n).map((i) => ({ i }));
      await connect(run.phones, `bare ws ${connected}..${n}`, items, wsArgs);
      connected = n;
      const level: BareWsLevel = { clients: n };
      if (sizes.phones.includes(n)) {
        await sleep(SETTLE_MS);
        level.memory = await memory();
        Object.assign(level, perClient(level.memory, idle, n - MEMORY_WARMUP));
        level.echo = await spread(run.phones, n, sizes.samples, 'echo', () => ({
          bytes: bytes.latency,
        }));
      }
      if (sizes.fans.includes(n)) {
        const size = bytes.fan[n] ?? 200;
        level.fan = await fanout(
          run.phones,
          n,
          sizes.rounds,
          async (r) => {
            const sent = await server.call<{ t0: number; pushMs: number }>(
              'broadcast',
              { payload: padded(`bfan-${n}-${r}`, size) },
            );
            return { t0: sent.t0, server: { push: sent.pushMs } };
          },
          (r) => `"bfan-${n}-${r}"`,
        );
      }
      run.log(`bare ws at ${n}: ${JSON.stringify(level)}`.slice(0, 400));
      out.push(level);
    }
    await Promise.all(run.phones.map((w) => w.call('closeAll')));
    return { levels: out, idle };
  } finally {
    server.child.kill('SIGKILL');
  }
}

export interface BareMqttLevel {
  units: number;
  single: Summary;
  all: Fanout;
}

/**
 * The bare MQTT baselines: a bare aedes broker (no auth) in its own process, the same unit
 * generators subscribed one topic each; publish→subscribe of Keyway's message sizes to one unit
 * (publisher in the receiving process) and one message per unit to all of them (publisher here).
 */
export async function bareMqtt(
  run: Run,
  bytes: Record<number, { single: number; all: number }>,
) {
  const broker = await spawnScript<{ port: number }>('./bare-broker.ts', []);
  const url = `mqtt://127.0.0.1:${broker.ready.port}`;
  const pub = await mqtt.connectAsync(url, {
    clientId: `bench-fan-${process.pid}`,
    clean: true,
  });
  try {
    const out: BareMqttLevel[] = [];
    let connected = 0;
    for (const n of run.sizes.units) {
      const items = range(connected, n).map((i) => ({
        i,
        id: run.seeded.units[i]!.id,
      }));
      await connect(
        run.units,
        `bare mqtt ${connected}..${n}`,
        items,
        (share) => ({ url, units: share }),
      );
      connected = n;
      const size = bytes[n] ?? { single: 300, all: 300 };
      await sleep(SETTLE_MS);
      const single = await spread(
        run.units,
        n,
        run.sizes.samples,
        'publish',
        () => ({ url, bytes: size.single }),
      );
      const all = await fanout(
        run.units,
        n,
        run.sizes.rounds,
        async (r) => {
          const payload = padded(`ball-${n}-${r}`, size.all);
          const t0 = now();
          for (const i of range(0, n))
            pub.publish(`bench/u/${run.seeded.units[i]!.id}`, payload, {
              qos: 0,
            });
          return { t0 };
        },
        (r) => `"ball-${n}-${r}"`,
      );
      run.log(
        `bare mqtt at ${n}: single ${JSON.stringify(single)} all ${JSON.stringify(all.arrive)}`,
      );
      out.push({ units: n, single, all });
    }
    await Promise.all(run.units.map((w) => w.call('closeAll')));
    return out;
  } finally {
    await pub.endAsync(true);
    broker.child.kill('SIGKILL');
  }
}
