import { connect as tcp } from 'node:net';
import { unitTopics } from '@keyway/protocol';
import { MqttClient } from 'mqtt';
import {
  Arrivals,
  now,
  padded,
  pool,
  SOURCES,
  serve,
  withTimeout,
} from './worker';

/**
 * Unit load generator: MQTT clients (mqtt.js) that follow their view like a unit — to Keyway's
 * embedded broker (username = unit id, subscribe `sync`, publish `resume`, answer each update
 * with `applied`) or, for the baseline, to a bare aedes broker (subscribe one topic each).
 */
interface Unit {
  client: MqttClient;
  topic: string;
}
const units = new Map<number, Unit>();
const arrivals = new Arrivals();
let publisher: MqttClient | undefined;

function client(
  url: string,
  i: number,
  clientId: string,
  auth?: { username: string; password: string },
) {
  const { hostname, port } = new URL(url);
  const stream = () =>
    tcp({
      host: hostname,
      port: Number(port),
      localAddress: SOURCES[i % SOURCES.length],
      noDelay: true,
    });
  return new MqttClient(stream, {
    protocol: 'mqtt',
    protocolVersion: 4,
    clientId,
    clean: true,
    keepalive: 300,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
    ...auth,
  });
}

const cursorOf = (data: Buffer) =>
  /"cursor":"([^"]+)"/.exec(data.toString('utf8', 0, 200))?.[1];

/** Connects unit i; Keyway: ready once its snapshot arrived; bare: once subscribed. */
function open(
  url: string,
  u: { i: number; id: string; password?: string },
  ms: number,
): Promise<void> {
  const keyway = u.password !== undefined;
  const topics = unitTopics(u.id);
  const topic = keyway ? topics.sync : `bench/u/${u.id}`;
  const c = client(
    url,
    u.i,
    // Keyway's broker takes a unit's credentials only as client id unit-{unitId} (unit protocol §2).
    keyway ? `unit-${u.id}` : `bench-${u.id}`,
    keyway ? { username: u.id, password: u.password! } : undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  return new Promise<void>((resolve, reject) => {
    let ready = false;
    timer = setTimeout(
      () => reject(new Error(`unit ${u.i}: not ready in ${ms} ms`)),
      ms,
    );
    const up = () => {
      ready = true;
      units.set(u.i, { client: c, topic });
      resolve();
    };
    c.on('message', (_topic, data) => {
      const t = now();
      if (ready) arrivals.seen(u.i, data, t);
      if (!keyway) return;
      const cursor = cursorOf(data);
      if (cursor)
        // QoS 0, as the unit agent reports it (docs/unit-protocol.md 10.2).
        c.publish(topics.applied, JSON.stringify({ type: 'applied', cursor }), {
          qos: 0,
        });
      if (!ready) up();
    });
    c.once('connect', () => {
      c.subscribe(topic, { qos: 1 }, (err, granted) => {
        if (err || granted?.[0]?.qos === 128)
          return reject(err ?? new Error(`subscribe ${topic} refused`));
        if (!keyway) return up();
        c.publish(
          topics.applied,
          JSON.stringify({ type: 'resume', cursor: null }),
          { qos: 1 },
        );
      });
    });
    c.once('error', (err) => reject(err));
    c.once('close', () => {
      if (!ready) reject(new Error(`unit ${u.i}: closed before ready`));
      else if (units.get(u.i)?.client === c) units.delete(u.i);
    });
  })
    .catch((err: Error) => {
      c.end(true);
      throw err;
    })
    .finally(() => clearTimeout(timer));
}

serve({
  async connect(a: {
    url: string;
    units: { i: number; id: string; password?: string }[];
    timeoutMs?: number;
  }) {
    const t0 = now();
    const res = await pool(a.units, 32, (u) =>
      open(a.url, u, a.timeoutMs ?? 60_000),
    );
    return { ...res, ms: now() - t0, open: units.size };
  },

  /** Bare broker publish→subscribe: a publisher here sends `bytes` to unit i's topic at QoS 0 (as Keyway publishes updates). */
  async publish(a: { url: string; i: number; bytes: number; count: number }) {
    const u = units.get(a.i);
    if (!u) throw new Error(`unit ${a.i} is not connected`);
    publisher ??= await withTimeout(
      new Promise<MqttClient>((resolve, reject) => {
        const p = client(a.url, a.i + 1, `bench-publisher-${process.pid}`);
        p.once('connect', () => resolve(p));
        p.once('error', reject);
      }),
      10_000,
      'publisher connect',
    );
    const samples: number[] = [];
    for (let k = 0; k < a.count; k++) {
      const marker = `pub-${k}-${Math.random()}`;
      const wait = arrivals.waitOne(a.i, marker, 10_000);
      const t0 = now();
      publisher.publish(u.topic, padded(marker, a.bytes), { qos: 0 });
      samples.push((await wait).t - t0);
    }
    return samples;
  },

  arm(a: { marker: string; expect: number }) {
    arrivals.arm(a.marker, a.expect);
  },
  collect(a: { t0: number; timeoutMs: number }) {
    return arrivals.collect(a.t0, a.timeoutMs);
  },
  async closeAll() {
    for (const u of units.values()) u.client.end(true);
    units.clear();
    publisher?.end(true);
    publisher = undefined;
  },
});
