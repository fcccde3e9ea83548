import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../test/embedded-broker';
import type { EmbeddedBroker } from './broker';

describe('the embedded broker’s direct subscriptions', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('handles thousands of messages queued behind slow deliveries without growing the stack', async () => {
    // Slow deliveries on another topic hold the emitter's concurrency, as QoS 1 updates to
    // 5,000 units do; the reports published meanwhile queue, and each release hands over the
    // next. A handler that released synchronously recursed once per queued report and
    // overflowed the stack (it crashed the server in bench:sync).
    const aedes = (broker as unknown as { aedes: import('aedes').Aedes }).aedes;
    await new Promise<void>((resolve) =>
      aedes.subscribe(
        'keyway/v1/units/+/sync',
        (_packet, done) => setTimeout(done, 5),
        () => resolve(),
      ),
    );
    let heard = 0;
    const errors: unknown[] = [];
    await broker.subscribe('keyway/v1/units/+/applied', () => {
      heard++;
    });
    const publish = (topic: string, k: number) =>
      broker
        .publish(
          topic,
          JSON.stringify({ type: 'applied', cursor: `E.${k}` }),
          1,
        )
        .catch((err) => errors.push(err));
    const count = 30_000;
    await Promise.all([
      ...Array.from({ length: 200 }, (_, k) =>
        publish(`keyway/v1/units/unit_${k}/sync`, k),
      ),
      ...Array.from({ length: count }, (_, k) =>
        publish(`keyway/v1/units/unit_${k % 50}/applied`, k),
      ),
    ]);
    expect(errors).toEqual([]);
    expect(heard).toBe(count);
  });
});

describe('the embedded broker’s ACL', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ units: { unit_a: 'pw-a' } });
    broker.openToUnits();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('a unit may neither read nor write the nodes’ membership (_nodes/#)', async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const server = await mqtt.connectAsync(url, {
      username: 'server',
      password: 'secret',
    });
    const heard: string[] = [];
    server.on('message', (topic) => heard.push(topic));
    await server.subscribeAsync(['_nodes/#', 'keyway/v1/units/#'], { qos: 1 });
    await server.publishAsync('_nodes/node-1', '{}', { qos: 1, retain: true });
    const unit = await mqtt.connectAsync(url, {
      username: 'unit_a',
      password: 'pw-a',
      clientId: 'unit-unit_a',
      reconnectPeriod: 0,
    });
    const got: string[] = [];
    unit.on('message', (topic) => got.push(topic));
    const granted = await unit
      .subscribeAsync(['_nodes/#', '_nodes/node-1', '#'], { qos: 1 })
      .then(
        (subs) => subs.map((g) => g.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
    expect(granted).toEqual([128, 128, 128]);
    // Refused publishes close the connection (aedes): forge on a connection of its own.
    const closed = new Promise<void>((r) => unit.once('close', () => r()));
    unit.publish('_nodes/node-1', '', { qos: 1, retain: true });
    await closed;
    const next = await mqtt.connectAsync(url, {
      username: 'unit_a',
      password: 'pw-a',
      clientId: 'unit-unit_a',
      reconnectPeriod: 0,
    });
    await next.publishAsync('keyway/v1/units/unit_a/acks', '{}', { qos: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual(['_nodes/node-1', 'keyway/v1/units/unit_a/acks']);
    expect(got).toEqual([]);
    unit.end(true);
    next.end(true);
    await server.endAsync(true);
  });
});
