import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankNodes } from '../sync/rendezvous';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { PHONES } from '../test/fixtures';
import { expectStatus } from '../test/harness';
import { TestMosquitto } from '../test/mosquitto';
import { ServerProcess } from '../test/server-process';
import { UnitProcess, waitFor } from '../test/unit-process';
import { NatsProcess } from './nats';

/**
 * Issue 17: a unit's follower (the node that streams it its view changes over MQTT) is
 * SIGKILLed while an administrator keeps changing what the unit must know. The unit's next
 * node by rendezvous hash takes it over from the cursor the unit last reported, and the unit
 * applies every change once and in order; the killed node restarts and takes it back, again
 * with no gap and no change applied twice. Three real node processes on PostgreSQL, NATS and a
 * Mosquitto of the test's own, a real unit process, and a broker-side observer of every
 * message sent to the unit.
 */
const IDS = ['node-a', 'node-b', 'node-c'];
const METRICS_TOKEN = 'takeover-test-metrics-token';

interface Sent {
  at: number;
  type: string;
  cursor: string;
  pulses: number[];
}

describe('a unit’s follower killed mid-stream, restarted, then stopped', () => {
  let db: TestDatabase;
  let broker: TestMosquitto;
  let nats: NatsProcess;
  let spy: MqttClient;
  let unit: UnitProcess;
  const nodes = new Map<string, ServerProcess>();
  /** Every message any node published to the unit's `sync` topic, as the broker passed it on. */
  const sent: Sent[] = [];
  let owner: string;
  let unitId: string;
  let doorId: string;
  let rank: string[];
  let pulse = 1000;

  const start = async (id: string) => {
    const node = await ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: join(db.dataDir, `sms-${id}.jsonl`),
      env: {
        KEYWAY_NODE_ID: id,
        KEYWAY_MQTT_URL: broker.adminUrl,
        KEYWAY_NATS_URL: nats.url,
        KEYWAY_METRICS_TOKEN: METRICS_TOKEN,
        KEYWAY_AUTH_PER_IP: '100000',
        KEYWAY_CODES_PER_PHONE: '1000',
      },
    });
    nodes.set(id, node);
    return node;
  };
  const node = (id: string) => nodes.get(id)!;
  /** How many units a node streams to now (keyway_sync_sockets{kind="unit"}). */
  const followed = async (id: string) => {
    const text = await fetch(`${node(id).url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    }).then((r) => r.text());
    return Number(/keyway_sync_sockets\{kind="unit"\} (\d+)/.exec(text)?.[1]);
  };
  const followers = async (ids: string[]) =>
    Object.fromEntries(
      await Promise.all(ids.map(async (id) => [id, await followed(id)])),
    );

  const sql = async <T>(text: string, values: unknown[] = []) => {
    const c = new pg.Client({ connectionString: db.databaseUrl });
    await c.connect();
    try {
      return (await c.query(text, values)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const head = async () =>
    Number(
      (await sql<{ c: string }>('SELECT max(cursor) AS c FROM changes'))[0]
        ?.c ?? 0,
    );
  /** The unit's changes in the log after `after`: what it must apply, each once, in order. */
  const logged = async (after: number) =>
    (
      await sql<{ cursor: string }>(
        'SELECT cursor FROM change_targets WHERE audience = $1 AND cursor > $2 ORDER BY cursor',
        [`n:${unitId}`, after],
      )
    ).map((r) => Number(r.cursor));
  /** What the unit process says it applied (its JSON log), in order. */
  const applied = () =>
    unit.output
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}')) // not a line being written
      .map((l) => JSON.parse(l) as { msg?: string })
      .map((r) => /^(change|snapshot) (\S+) applied/.exec(r.msg ?? ''))
      .filter((m) => m !== null)
      .map((m) => ({ type: m[1]!, n: Number(m[2]!.split('.').at(-1)) }));

  /**
   * Changes the door's pulse through `via` every `everyMs` until `stop()`, one at a time, and
   * records when each was acknowledged; every pulse is a new value.
   */
  const writer = (via: () => ServerProcess, everyMs = 40) => {
    const acked: { pulse: number; at: number }[] = [];
    let running = true;
    const done = (async () => {
      while (running) {
        const p = ++pulse;
        const r = await via().request('PATCH', `/v1/doors/${doorId}`, {
          token: owner,
          body: { pulseMs: p },
        });
        expect(r.status).toBe(200);
        acked.push({ pulse: p, at: performance.now() });
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    return {
      acked,
      stop: async () => {
        running = false;
        await done;
      },
    };
  };

  /**
   * Checks one phase: the unit applied exactly the logged changes after `from`, once each and in
   * order, with no snapshot; each acknowledged pulse reached it, in order. Returns how long each
   * write took from its acknowledgement to the broker passing it to the unit.
   */
  const check = async (
    from: number,
    acked: { pulse: number; at: number }[],
    since: number,
  ) => {
    const last = acked.at(-1)!.pulse;
    await waitFor(
      () => sent.some((s) => s.pulses.includes(last)),
      `pulse ${last} sent to the unit`,
    );
    const want = await logged(from);
    await waitFor(
      () => applied().filter((a) => a.n > from).length >= want.length,
      'the unit to apply every change',
    );
    await new Promise((r) => setTimeout(r, 300)); // a duplicate applied would show by now
    const got = applied().filter((a) => a.n > from);
    expect(got.map((a) => a.type)).not.toContain('snapshot');
    expect(got.map((a) => a.n)).toEqual(want);
    // Each acknowledged value, in order, in the first copy of each change sent.
    const seen = new Set<string>();
    const firsts = sent.filter(
      (s) => s.at >= since && !seen.has(s.cursor) && seen.add(s.cursor),
    );
    const pulses = firsts.flatMap((s) => s.pulses);
    expect(pulses.filter((p) => acked.some((a) => a.pulse === p))).toEqual(
      acked.map((a) => a.pulse),
    );
    const copies = sent.filter((s) => s.at >= since).length - firsts.length;
    const delays = acked.map(
      (a) => sent.find((s) => s.pulses.includes(a.pulse))!.at - a.at,
    );
    return { delays, copies };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    broker = await TestMosquitto.start();
    nats = await NatsProcess.start();
    for (const id of IDS) await start(id);
    owner = await node('node-a').login(PHONES.owner);
    const post = async (path: string, body: unknown) =>
      expectStatus(
        await node('node-a').request('POST', path, { token: owner, body }),
        201,
      );
    const spaceId = (
      await post('/v1/spaces', { name: 'Takeover', timezone: 'Europe/Madrid' })
    ).space.id;
    const created = await post(`/v1/spaces/${spaceId}/units`, {
      name: 'Gate',
    });
    unitId = created.unit.id;
    doorId = (
      await post(`/v1/spaces/${spaceId}/doors`, {
        name: 'Front',
        unitId,
        relay: 1,
      })
    ).door.id;
    // The broker's admin may read every unit topic: it sees each copy any node sends.
    spy = await mqtt.connectAsync(broker.url, broker.admin);
    spy.on('message', (_topic, payload) => {
      const m = JSON.parse(String(payload)) as { type: string; cursor: string };
      sent.push({
        at: performance.now(),
        type: m.type,
        cursor: m.cursor,
        pulses: [...String(payload).matchAll(/\\?"pulseMs\\?":(\d+)/g)].map(
          (x) => Number(x[1]),
        ),
      });
    });
    await spy.subscribeAsync(`keyway/v1/units/${unitId}/sync`, { qos: 0 });
    unit = UnitProcess.spawn(
      created.credentials,
      [],
      join(mkdtempSync(join(tmpdir(), 'keyway-unit-')), 'state.json'),
    );
    await waitFor(
      () => applied().some((a) => a.type === 'snapshot'),
      'the unit’s first snapshot',
    );
    rank = rankNodes(unitId, IDS);
    await waitFor(
      async () => (await followed(rank[0]!)) === 1,
      `${rank[0]} (first for the unit) following it`,
    );
  }, 120_000);

  afterAll(async () => {
    await unit?.kill();
    await spy?.endAsync(true);
    await ServerProcess.killAll();
    await broker?.stop();
    await nats?.stop();
    await db?.drop();
  });

  it('SIGKILL of its follower: the next-ranked node takes the unit over, every change once and in order', async () => {
    const [first, second, third] = rank as [string, string, string];
    expect(await followers(IDS)).toEqual({
      [first]: 1,
      [second]: 0,
      [third]: 0,
    });
    const from = await head();
    const since = performance.now();
    // Through the node that follows nothing: the changes reach the follower by NATS.
    const w = writer(() => node(third));
    await waitFor(() => w.acked.length >= 15, '15 writes');
    const killedAt = performance.now();
    const killedWall = Date.now();
    const killedAfter = w.acked.length;
    await node(first).kill('SIGKILL');
    await waitFor(() => w.acked.length >= killedAfter + 40, '40 more writes');
    await w.stop();
    const { delays, copies } = await check(from, w.acked, since);

    expect(await followers([second, third])).toEqual({
      [second]: 1,
      [third]: 0,
    });
    expect(node(second).output).toContain('took over 1 unit follower(s)');
    const before = delays.slice(0, killedAfter);
    const after = delays.slice(killedAfter);
    const firstAfterKill = sent.find((s) => s.at > killedAt)!.at - killedAt;
    const tookOver = tookOverAt(node(second).output) - killedWall;
    console.log(
      `takeover: write → unit p50 ${ms(median(before))} max ${ms(Math.max(...before))} before the kill; ` +
        `max ${ms(Math.max(...after))} after it (the write acknowledged just after the kill waits for the takeover); ` +
        `kill → ${second} following it: ${ms(tookOver)}; kill → first message to the unit: ${ms(firstAfterKill)}; ` +
        `copies resent and dropped by cursor: ${copies}`,
    );
    // At once, by the broker's last will for the dead node — not after the announcement expiry
    // that covers a will lost with a broker restart (node-roster.ts).
    expect(node(second).output).toContain(`node ${first} is gone`);
    expect(node(second).output).not.toContain('not heard for');
  }, 90_000);

  it('restarted, the killed node takes the unit back: no gap, no change applied twice', async () => {
    const [first, second, third] = rank as [string, string, string];
    const from = await head();
    const since = performance.now();
    const w = writer(() => node(third));
    await waitFor(() => w.acked.length >= 10, '10 writes');
    await start(first);
    await waitFor(
      async () =>
        (await followed(first)) === 1 && (await followed(second)) === 0,
      `${first} following the unit again`,
    );
    const movedAt = w.acked.length;
    await waitFor(() => w.acked.length >= movedAt + 20, '20 more writes');
    await w.stop();
    const { delays, copies } = await check(from, w.acked, since);
    expect(await followers(IDS)).toEqual({
      [first]: 1,
      [second]: 0,
      [third]: 0,
    });
    expect(node(first).output).toContain('took over 1 unit follower(s)');
    expect(node(second).output).toContain(
      'handed 1 unit follower(s) to another node',
    );
    console.log(
      `handback: write → unit max ${ms(Math.max(...delays))}; copies resent and dropped by cursor: ${copies}`,
    );
  }, 90_000);

  it('SIGTERM: the node hands the unit over as it drains, no gap, no change applied twice', async () => {
    const [first, second, third] = rank as [string, string, string];
    const from = await head();
    const since = performance.now();
    const w = writer(() => node(third));
    await waitFor(() => w.acked.length >= 10, '10 writes');
    const stoppedAt = Date.now();
    await node(first).kill('SIGTERM');
    const moved = w.acked.length;
    await waitFor(() => w.acked.length >= moved + 20, '20 more writes');
    await w.stop();
    const { delays, copies } = await check(from, w.acked, since);
    expect(await followers([second, third])).toEqual({
      [second]: 1,
      [third]: 0,
    });
    expect(tookOverAt(node(second).output, 'last')).toBeGreaterThanOrEqual(
      stoppedAt,
    );
    console.log(
      `drain: write → unit max ${ms(Math.max(...delays))}; copies resent and dropped by cursor: ${copies}`,
    );
  }, 90_000);
});

/** When a node logged its takeover (its JSON log's `time`). */
const tookOverAt = (output: string, which: 'first' | 'last' = 'first') => {
  const times = output
    .split('\n')
    .filter((l) => l.includes('"took over'))
    .map((l) => JSON.parse(l) as { msg?: string; time: number })
    .filter((r) => r.msg?.startsWith('took over'))
    .map((r) => r.time);
  return which === 'first' ? times[0]! : times.at(-1)!;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (x: number) => `${Math.round(x)} ms`;
