import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsProcess } from './cluster/nats';
import { createTestDatabase, type TestDatabase } from './test/db';
import { PHONES } from './test/fixtures';
import { expectStatus } from './test/harness';
import { TestMosquitto } from './test/mosquitto';
import { ServerProcess } from './test/server-process';
import { UnitProcess, waitFor } from './test/unit-process';

/**
 * Two server processes on one PostgreSQL database and one NATS, both attached to one Mosquitto
 * (issue 17): acks reach the node that sent the command, unit reports are stored once for the
 * cluster, and a write on either node reaches the unit, whichever node follows it.
 */
describe('two server nodes on one Mosquitto', () => {
  let db: TestDatabase;
  let broker: TestMosquitto;
  let nats: NatsProcess;
  const stateFile = join(
    mkdtempSync(join(tmpdir(), 'keyway-unit-')),
    'state.json',
  );
  /** The pulse lengths in the unit's stored configuration (empty before its first snapshot). */
  const unitPulses = () => {
    try {
      const { view } = JSON.parse(readFileSync(stateFile, 'utf8'));
      const config = Object.entries(view).find(([k]) =>
        k.includes('/unit.config/'),
      )?.[1] as { doors: { pulseMs: number }[] } | undefined;
      return config?.doors.map((d) => d.pulseMs) ?? [];
    } catch {
      return []; // not written yet
    }
  };
  let a: ServerProcess;
  let b: ServerProcess;
  let unit: UnitProcess;
  let spy: MqttClient;
  const ackTopics: string[] = [];
  let owner: string;
  let spaceId: string;
  let unitId: string;
  let doorId: string;

  const start = (name: string) =>
    ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: join(db.dataDir, `sms-${name}.jsonl`),
      env: {
        KEYWAY_MQTT_URL: broker.adminUrl,
        KEYWAY_NATS_URL: nats.url,
        KEYWAY_AUTH_PER_IP: '100000',
        KEYWAY_CODES_PER_PHONE: '1000',
      },
    });
  const events = async (type: string) =>
    expectStatus(
      await a.request(
        'GET',
        `/v1/spaces/${spaceId}/events?type=${type}&limit=1000`,
        { token: owner },
      ),
      200,
    ).events as { type: string; reason?: string; unitId?: string }[];
  const open = async (node: ServerProcess) =>
    (await node.request('POST', `/v1/doors/${doorId}/open`, { token: owner }))
      .body;

  beforeAll(async () => {
    db = await createTestDatabase();
    broker = await TestMosquitto.start();
    nats = await NatsProcess.start();
    a = await start('a');
    b = await start('b');
    owner = await a.login(PHONES.owner);
    const post = async (path: string, body: unknown) =>
      expectStatus(await a.request('POST', path, { token: owner, body }), 201);
    spaceId = (
      await post('/v1/spaces', {
        name: 'Cluster HQ',
        timezone: 'Europe/Madrid',
      })
    ).space.id;
    const created = await post(`/v1/spaces/${spaceId}/units`, { name: 'Gate' });
    unitId = created.unit.id;
    doorId = (
      await post(`/v1/spaces/${spaceId}/doors`, {
        name: 'Front',
        unitId,
        relay: 1,
        sensor: true,
      })
    ).door.id;
    // Watches where the unit sends its acks (the admin may read every unit topic).
    spy = await mqtt.connectAsync(broker.url, broker.admin);
    spy.on('message', (topic) => ackTopics.push(topic));
    await spy.subscribeAsync(`keyway/v1/units/${unitId}/acks/#`, { qos: 1 });
    unit = UnitProcess.spawn(created.credentials, [], stateFile);
    const online = (node: ServerProcess) => async () =>
      (await node.request('GET', `/v1/units/${unitId}`, { token: owner })).body
        ?.unit?.online === true;
    await waitFor(online(a), 'unit online (node A)');
    await waitFor(online(b), 'unit online (node B)');
  }, 90_000);

  afterAll(async () => {
    await unit?.kill();
    await spy?.endAsync(true);
    await ServerProcess.killAll();
    await broker?.stop();
    await nats?.stop();
    await db?.drop();
  });

  it('an open through either node is acked to that node', async () => {
    const order = [b, a, b, a];
    for (const [i, node] of order.entries()) {
      expect(await open(node)).toMatchObject({ result: 'opened' });
      // Each pulse's door open → closed before the next (the sim closes after 300 ms).
      await waitFor(
        // One more: the unit's boot report (the door was unknown), §4.4.
        async () => (await events('door.state')).length >= 2 * (i + 1) + 1,
        `door events of open ${i + 1}`,
      );
    }
    // Per-node reply topics: opens through B are answered on one node's topic, through A on
    // another's, none on the shared `acks` (which every node hears).
    expect(ackTopics).toHaveLength(4);
    const [viaB, viaA] = ackTopics;
    expect(viaB).not.toBe(viaA);
    expect(ackTopics).toEqual([viaB, viaA, viaB, viaA]);
    expect(
      ackTopics.every((t) =>
        t.startsWith(`keyway/v1/units/${unitId}/acks/node_`),
      ),
    ).toBe(true);
  });

  it('each unit report is stored once for the cluster', async () => {
    // Give a second copy time to show up, had one been stored twice.
    await new Promise((r) => setTimeout(r, 500));
    const states = await events('door.state');
    expect(states.map((e) => e.reason)).toEqual([
      'closed',
      'open',
      'closed',
      'open',
      'closed',
      'open',
      'closed',
      'open',
      'closed', // the boot report
    ]);
    // Both nodes hear the retained status; one of them logs the unit coming online.
    expect(await events('unit.online')).toHaveLength(1);
  });

  it('a write on either node reaches the unit, whichever node follows it', async () => {
    for (const [node, pulseMs] of [
      [a, 700],
      [b, 900],
    ] as const) {
      expectStatus(
        await node.request('PATCH', `/v1/doors/${doorId}`, {
          token: owner,
          body: { pulseMs },
        }),
        200,
      );
      await waitFor(
        () => unitPulses()[0] === pulseMs,
        `pulse ${pulseMs} ms in the unit's configuration`,
      );
    }
  });
});
