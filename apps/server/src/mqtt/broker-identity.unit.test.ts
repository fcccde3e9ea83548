import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../test/embedded-broker';
import type { EmbeddedBroker } from './broker';

const UNIT = 'unit_identity1';
const STATUS = `keyway/v1/units/${UNIT}/status`;
const will = {
  topic: STATUS,
  payload: Buffer.from('{"online":false}'),
  qos: 1 as const,
  retain: true,
};

/** §2: a unit connects as `unit-{unitId}`; a second connection takes the first one over. */
describe('the embedded broker and unit identity', () => {
  let broker: EmbeddedBroker;
  let url: string;
  const clients: mqtt.MqttClient[] = [];
  beforeAll(async () => {
    broker = await startTestBroker({ units: { [UNIT]: 'pw' } });
    broker.openToUnits();
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await broker.stop();
  });
  const connect = async (
    clientId: string,
    username = UNIT,
    password = 'pw',
  ) => {
    const c = await mqtt.connectAsync(url, {
      clientId,
      username,
      password,
      reconnectPeriod: 0,
      clean: true,
      will,
    });
    clients.push(c);
    return c;
  };

  it('refuses unit credentials under another client id (CONNACK 5, not authorized); the server user is exempt', async () => {
    await expect(connect('agent-2')).rejects.toMatchObject({ code: 5 });
    await expect(connect(UNIT)).rejects.toMatchObject({ code: 5 });
    const ok = await connect(`unit-${UNIT}`);
    expect(ok.connected).toBe(true);
    await ok.endAsync();
    const server = await connect('keyway-server-anything', 'server', 'secret');
    expect(server.connected).toBe(true);
  });

  it("a second connection of the unit takes the session over without the first one's will", async () => {
    const spy = await connect('spy', 'server', 'secret');
    const heard: string[] = [];
    spy.on('message', (_t, p) => heard.push(p.toString()));
    await spy.subscribeAsync(STATUS, { qos: 1 });
    const first = await connect(`unit-${UNIT}`);
    await first.publishAsync(STATUS, '{"online":true,"n":1}', {
      qos: 1,
      retain: true,
    });
    const closed = new Promise<void>((r) => first.once('close', () => r()));
    const second = await connect(`unit-${UNIT}`);
    await closed;
    await second.publishAsync(STATUS, '{"online":true,"n":2}', {
      qos: 1,
      retain: true,
    });
    // A marker after both: whatever the takeover published has arrived by then.
    await spy.publishAsync(STATUS, '{"online":true,"n":3}', { qos: 1 });
    await expect
      .poll(() => heard.at(-1), { timeout: 5000 })
      .toBe('{"online":true,"n":3}');
    expect(heard).toEqual([
      '{"online":true,"n":1}',
      '{"online":true,"n":2}',
      '{"online":true,"n":3}',
    ]);
    // A connection that dies on its own still has its will published.
    second.stream.destroy();
    await expect
      .poll(() => heard.at(-1), { timeout: 5000 })
      .toBe('{"online":false}');
  });
});
