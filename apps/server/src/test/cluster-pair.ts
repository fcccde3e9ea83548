import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { NatsProcess } from '../cluster/nats';
import { rankNodes } from '../sync/rendezvous';
import { createTestDatabase, type TestDatabase } from './db';
import { PHONES } from './fixtures';
import { expectStatus } from './harness';
import { TestMosquitto } from './mosquitto';
import { NetProxy } from './net-proxy';
import { ServerProcess } from './server-process';
import { UnitProcess, waitFor } from './unit-process';

const METRICS_TOKEN = 'cluster-pair-test-metrics-token';

/**
 * Two real node processes on PostgreSQL, NATS and a Mosquitto of the test's own, one real unit
 * on the broker, and node B — first for the unit by rendezvous hash, so its follower — reaching
 * its database or its broker through a NetProxy the test can black-hole. A broker-side observer
 * keeps the retained `_nodes/+` roster as the broker holds it.
 */
export class ClusterPair {
  db!: TestDatabase;
  broker!: TestMosquitto;
  nats!: NatsProcess;
  proxy!: NetProxy;
  a!: ServerProcess;
  b!: ServerProcess;
  bId = '';
  unit!: UnitProcess;
  unitId = '';
  doorId = '';
  owner = '';
  /** `_nodes/{id}` → whether the broker holds an announcement for it now. */
  readonly announced = new Map<string, boolean>();
  private spy?: MqttClient;

  static async start(opts: {
    /** What of node B's goes through the proxy. */
    via: 'database' | 'broker';
    env?: Record<string, string>;
  }): Promise<ClusterPair> {
    const p = new ClusterPair();
    p.db = await createTestDatabase();
    p.broker = await TestMosquitto.start();
    p.nats = await NatsProcess.start();
    const env = {
      KEYWAY_NATS_URL: p.nats.url,
      KEYWAY_METRICS_TOKEN: METRICS_TOKEN,
      KEYWAY_AUTH_PER_IP: '100000',
      ...opts.env,
    };
    const node = (id: string, databaseUrl: string, mqttUrl: string) =>
      ServerProcess.start({
        dataDir: p.db.dataDir,
        databaseUrl,
        outbox: join(p.db.dataDir, `sms-${id}.jsonl`),
        env: { ...env, KEYWAY_NODE_ID: id, KEYWAY_MQTT_URL: mqttUrl },
      });
    const dbUrl = p.db.databaseUrl!;
    p.a = await node('node-a', dbUrl, p.broker.adminUrl);

    p.spy = await mqtt.connectAsync(p.broker.url, {
      ...p.broker.admin,
      protocolVersion: 5,
    });
    p.spy.on('message', (topic, payload) =>
      p.announced.set(topic.split('/')[1]!, payload.length > 0),
    );
    await p.spy.subscribeAsync('_nodes/+', { qos: 1 });

    p.owner = await p.a.login(PHONES.owner);
    const post = async (path: string, body: unknown) =>
      expectStatus(
        await p.a.request('POST', path, { token: p.owner, body }),
        201,
      );
    const spaceId = (
      await post('/v1/spaces', { name: 'Pair', timezone: 'Europe/Madrid' })
    ).space.id;
    const created = await post(`/v1/spaces/${spaceId}/units`, { name: 'Gate' });
    p.unitId = created.unit.id;
    p.doorId = (
      await post(`/v1/spaces/${spaceId}/doors`, {
        name: 'Front',
        unitId: p.unitId,
        relay: 1,
      })
    ).door.id;
    p.unit = UnitProcess.spawn(created.credentials);
    await waitFor(() => p.applied() > 0, 'the unit’s first snapshot');

    // Node B, ranked first for the unit: it takes the unit's follower from node A.
    for (let i = 0; !p.bId; i++) {
      const id = `node-b${i}`;
      if (rankNodes(p.unitId, ['node-a', id])[0] === id) p.bId = id;
    }
    const target = opts.via === 'database' ? dbUrl : p.broker.adminUrl;
    const t = new URL(target);
    p.proxy = await NetProxy.start({ port: Number(t.port) });
    p.b = await node(
      p.bId,
      opts.via === 'database' ? p.proxy.url(dbUrl) : dbUrl,
      opts.via === 'broker' ? p.proxy.url(target) : p.broker.adminUrl,
    );
    await p.waitFollowers({ a: 0, b: 1 }, 'node B following the unit');
    return p;
  }

  /** Units a node streams to now (keyway_sync_sockets{kind="unit"}), or NaN when /metrics fails. */
  async followed(node: ServerProcess): Promise<number> {
    const text = await this.metrics(node).catch(() => '');
    return Number(/keyway_sync_sockets\{kind="unit"\} (\d+)/.exec(text)?.[1]);
  }

  /** GET /metrics; rejects unless 200 within `timeoutMs`. */
  async metrics(node: ServerProcess, timeoutMs = 5000): Promise<string> {
    const r = await fetch(`${node.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
    return r.text();
  }

  async ready(
    node: ServerProcess,
  ): Promise<{ status: number; down: string[] }> {
    const r = await fetch(`${node.url}/readyz`, {
      signal: AbortSignal.timeout(5000),
    });
    return {
      status: r.status,
      down: ((await r.json()) as { down: string[] }).down,
    };
  }

  waitFollowers(
    want: { a: number; b: number },
    what: string,
    timeoutMs = 20_000,
  ): Promise<true> {
    return waitFor(
      async () =>
        (await this.followed(this.a)) === want.a &&
        (await this.followed(this.b)) === want.b,
      what,
      timeoutMs,
    );
  }

  /** How many changes and snapshots the unit process says it applied. */
  applied(): number {
    return this.unit.output
      .split('\n')
      .filter((l) => /"msg":"(change|snapshot) \S+ applied/.test(l)).length;
  }

  /** A change through node A the unit must receive: the door's pulse. */
  async change(pulseMs: number): Promise<void> {
    const before = this.applied();
    expectStatus(
      await this.a.request('PATCH', `/v1/doors/${this.doorId}`, {
        token: this.owner,
        body: { pulseMs },
      }),
      200,
    );
    await waitFor(() => this.applied() > before, `pulse ${pulseMs} applied`);
  }

  async stop(): Promise<void> {
    await this.unit?.kill();
    await this.spy?.endAsync(true);
    await ServerProcess.killAll();
    await this.proxy?.stop();
    await this.broker?.stop();
    await this.nats?.stop();
    await this.db?.drop();
  }
}
