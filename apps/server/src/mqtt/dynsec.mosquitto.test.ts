import { unitTopics } from '@keyway/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMosquitto } from '../test/mosquitto';
import { waitFor } from '../test/unit-process';
import { DynsecAccounts } from './dynsec';

/** The broker itself refuses what a unit may not do: issue 17, against Debian's Mosquitto 2. */
describe('unit accounts in Mosquitto dynamic security (real mosquitto)', () => {
  let broker: TestMosquitto;
  let accounts: DynsecAccounts;
  let server: MqttClient;
  const heard: string[] = [];
  const clients: MqttClient[] = [];

  const connect = async (
    username: string,
    password: string,
    extra: IClientOptions = {},
  ) => {
    const c = await mqtt.connectAsync(broker.url, {
      username,
      password,
      clientId: `unit-${username}`,
      reconnectPeriod: 0,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  /** The CONNACK refusal, or 'accepted'. */
  const tryConnect = (username: string, password: string) =>
    connect(username, password).then(
      () => 'accepted',
      (err: Error & { code?: number }) => `refused ${err.code}`,
    );
  const closed = (c: MqttClient) =>
    new Promise<void>((resolve) => c.once('close', () => resolve()));

  beforeAll(async () => {
    broker = await TestMosquitto.start();
    accounts = new DynsecAccounts({
      url: broker.url,
      ...broker.admin,
      log: pino({ level: 'silent' }),
      timeoutMs: 3000,
      graceMs: 300,
    });
    await accounts.start(); // gives the admin user the keyway-server role
    // The Keyway server's own view of the unit topics (it has the keyway-server role).
    server = await mqtt.connectAsync(broker.url, {
      ...broker.admin,
      protocolVersion: 5,
    });
    server.on('message', (topic, payload) => heard.push(`${topic} ${payload}`));
    await server.subscribeAsync('keyway/v1/units/#', { qos: 1 });
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await server?.endAsync(true);
    await accounts?.stop();
    await broker?.stop();
  });

  it('a created unit can connect, use its own topics and no other unit’s', async () => {
    await accounts.create('unit_a', 'pw-a');
    await accounts.create('unit_b', 'pw-b');
    const a = await connect('unit_a', 'pw-a');
    const own = unitTopics('unit_a');
    const other = unitTopics('unit_b');
    // SUBACK return codes, one per topic (mqtt.js rejects when one is a failure).
    const granted = await a
      .subscribeAsync(
        [own.commands, own.sync, other.commands, other.acks, 'keyway/#', '#'],
        { qos: 1 },
      )
      .then(
        (subs) => subs.map((g) => g.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
    expect(granted).toEqual([1, 1, 128, 128, 128, 128]);

    // MQTT 3.1.1 has no refusal for a PUBLISH: Mosquitto acks it and drops it. The server,
    // subscribed to everything below the root, hears the own ack sent after it, and not it.
    await a.publishAsync(other.acks, 'forged', { qos: 1 });
    await a.publishAsync(other.status, 'forged', { qos: 1 });
    await a.publishAsync(own.commands, 'forged', { qos: 1 });
    await a.publishAsync(own.acks, 'mine', { qos: 1 });
    await a.publishAsync(own.nodeAcks('node_x'), 'mine too', { qos: 1 });
    await waitFor(
      () => heard.includes(`${own.nodeAcks('node_x')} mine too`),
      'own acks',
    );
    expect(heard.filter((h) => h.includes('forged'))).toEqual([]);
    expect(heard).toContain(`${own.acks} mine`);

    // MQTT 5 says it: PUBACK reason 0x87 (not authorized).
    const a5 = await connect('unit_a', 'pw-a', { protocolVersion: 5 });
    const refused = await a5.publishAsync(other.events, '{}', { qos: 1 }).then(
      () => 0,
      (err: { code?: number }) => err.code,
    );
    expect(refused).toBe(0x87);
  });

  it('a unit may neither read nor write the nodes’ membership (_nodes/#)', async () => {
    // A node's retained announcement, as node-roster.ts publishes it (the server role has _nodes/#).
    await server.subscribeAsync('_nodes/+', { qos: 1 });
    await server.publishAsync('_nodes/node-1', '{"node":"node-1"}', {
      qos: 1,
      retain: true,
    });
    await waitFor(
      () => heard.includes('_nodes/node-1 {"node":"node-1"}'),
      'the server hears its own announcement',
    );
    const a = await connect('unit_a', 'pw-a', { protocolVersion: 5 });
    const got: string[] = [];
    a.on('message', (topic) => got.push(topic));
    const granted = await a
      .subscribeAsync(['_nodes/#', '_nodes/+', '_nodes/node-1', '#'], {
        qos: 1,
      })
      .then(
        (subs) => subs.map((g) => g.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
    expect(granted).toEqual([0x87, 0x87, 0x87, 0x87]);
    // Forging a node's announcement or its death: PUBACK 0x87, and no node hears it.
    for (const payload of ['{"node":"node-x"}', ''])
      expect(
        await a
          .publishAsync('_nodes/node-1', payload, { qos: 1, retain: true })
          .then(
            () => 0,
            (err: { code?: number }) => err.code,
          ),
      ).toBe(0x87);
    // MQTT 3.1.1: acked and dropped.
    const a3 = await connect('unit_a', 'pw-a');
    await a3.publishAsync('_nodes/node-2', 'forged', { qos: 1, retain: true });
    await a3.publishAsync(unitTopics('unit_a').acks, 'after', { qos: 1 });
    await waitFor(
      () => heard.includes(`${unitTopics('unit_a').acks} after`),
      'the unit’s next publish',
    );
    expect(heard.filter((h) => h.startsWith('_nodes/'))).toEqual([
      '_nodes/node-1 {"node":"node-1"}',
    ]);
    expect(got).toEqual([]);
    await server.publishAsync('_nodes/node-1', '', { qos: 1, retain: true });
  });

  it('a wrong password is refused', async () => {
    expect(await tryConnect('unit_a', 'wrong')).toBe('refused 5');
    expect(await tryConnect('unit_nobody', 'pw-a')).toBe('refused 5');
  });

  it('unit credentials under a client id other than unit-{unitId} are refused (§2)', async () => {
    const other = (clientId: string) =>
      connect('unit_a', 'pw-a', { clientId }).then(
        () => 'accepted',
        (err: Error & { code?: number }) => `refused ${err.code}`,
      );
    expect(await other('agent-2')).toBe('refused 5');
    expect(await other('unit-unit_b')).toBe('refused 5');
    expect(await tryConnect('unit_a', 'pw-a')).toBe('accepted');
  });

  it('reset: the live connection is dropped and the old password refused', async () => {
    const live = await connect('unit_a', 'pw-a');
    const gone = closed(live);
    await accounts.reset('unit_a', 'pw-a2');
    await gone;
    expect(await tryConnect('unit_a', 'pw-a')).toBe('refused 5');
    expect(await tryConnect('unit_a', 'pw-a2')).toBe('accepted');
  });

  it('deleted: disconnected and refused; its role is gone too', async () => {
    const live = await connect('unit_b', 'pw-b');
    const gone = closed(live);
    await accounts.remove('unit_b');
    await gone;
    expect(await tryConnect('unit_b', 'pw-b')).toBe('refused 5');
    await accounts.remove('unit_b'); // already gone: harmless
  });

  it('reconcile: the broker ends with the database’s units', async () => {
    await accounts.create('unit_orphan', 'pw-o'); // deleted in Keyway while the broker was away
    const live = await connect('unit_orphan', 'pw-o');
    const gone = closed(live);
    // unit_lost: in the database, not on the broker (its file restored from an old backup).
    await accounts.reconcile(async () => ['unit_a', 'unit_lost']);
    await gone;
    expect(await tryConnect('unit_orphan', 'pw-o')).toBe('refused 5');
    expect(await tryConnect('unit_a', 'pw-a2')).toBe('accepted');
    // Its client exists without a password until an administrator resets it.
    expect(await tryConnect('unit_lost', '')).toBe('refused 5');
    await accounts.reset('unit_lost', 'pw-l');
    expect(await tryConnect('unit_lost', 'pw-l')).toBe('accepted');
  });

  it('reconcile leaves alone a unit another node is creating (broker first, then commit)', async () => {
    const db = ['unit_a', 'unit_lost'];
    await accounts.create('unit_new', 'pw-n');
    const done = accounts.reconcile(async () => db);
    await new Promise((r) => setTimeout(r, 100));
    db.push('unit_new'); // its commit, between reconcile's two looks
    await done;
    expect(await tryConnect('unit_new', 'pw-n')).toBe('accepted');
  });
});

describe('the keyway-server role of an older Keyway (real mosquitto)', () => {
  it('gets the _nodes/# ACLs it lacks at start', async () => {
    const broker = await TestMosquitto.start();
    const log = pino({ level: 'silent' });
    const opts = {
      url: broker.url,
      ...broker.admin,
      log,
      timeoutMs: 3000,
      graceMs: 300,
    };
    try {
      const first = new DynsecAccounts(opts);
      await first.start();
      await first.stop();
      // As an older Keyway left it: the units' root only.
      // (Changing the role kicks this connection, and its answer with it.)
      const admin = await mqtt.connectAsync(broker.url, broker.admin);
      await admin.publishAsync(
        '$CONTROL/dynamic-security/v1',
        JSON.stringify({
          commands: [
            'publishClientSend',
            'publishClientReceive',
            'subscribePattern',
          ].map((acltype) => ({
            command: 'removeRoleACL',
            rolename: 'keyway-server',
            acltype,
            topic: '_nodes/#',
          })),
        }),
        { qos: 1 },
      );
      await admin.endAsync(true);
      // `dynsec init` lets an admin subscribe to everything, not publish: the announcement
      // (and the will) needs publishClientSend.
      const probe = async () => {
        const c = await mqtt.connectAsync(broker.url, {
          ...broker.admin,
          protocolVersion: 5,
          reconnectPeriod: 0,
        });
        const code = await c
          .publishAsync('_nodes/node-1', '', { qos: 1, retain: true })
          .then(
            () => 0,
            (err: { code?: number }) => err.code,
          );
        await c.endAsync(true);
        return code;
      };
      await waitFor(async () => (await probe()) === 0x87, 'ACLs removed');
      const again = new DynsecAccounts(opts);
      await again.start();
      await again.stop();
      expect(await probe()).toBe(0);
    } finally {
      await broker.stop();
    }
  });
});
