import { unitTopics } from '@keyway/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace } from './test/fixtures';
import { TestServer } from './test/harness';
import { UnitProcess, waitFor } from './test/unit-process';

/**
 * A second connection of one unit (§2): a reconnect that finds its old, half-open connection
 * still at the broker takes the session over, and the log shows no offline between (issue 25).
 */
describe('a unit connecting again over its old connection', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess | undefined;
  let old: mqtt.MqttClient | undefined;

  beforeAll(async () => {
    t = await TestServer.start();
    s = await buildSpace(t);
  });
  afterAll(async () => {
    await unit?.kill();
    await old?.endAsync(true);
    await t?.stop();
  });

  const presence = async () =>
    (
      await t.request('GET', `/v1/spaces/${s.space.id}/events?limit=1000`, {
        token: s.owner,
      })
    ).body.events
      .filter(
        (e: any) =>
          e.unitId === s.unit.id &&
          (e.type === 'unit.online' || e.type === 'unit.offline'),
      )
      .map((e: any) => e.type)
      .reverse();
  const online = async () =>
    (await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner })).body
      .unit.online === true;

  it('ends online, with one unit.online and no unit.offline in the log', async () => {
    const topics = unitTopics(s.unit.id);
    // The first connection, as the reference unit makes it: client id, will, online status.
    old = await mqtt.connectAsync(s.credentials.mqttUrl, {
      username: s.credentials.username,
      password: s.credentials.password,
      clientId: `unit-${s.unit.id}`,
      reconnectPeriod: 0,
      will: {
        topic: topics.status,
        payload: '{"online":false}',
        qos: 1,
        retain: true,
      },
    });
    await old.publishAsync(topics.status, '{"online":true}', {
      qos: 1,
      retain: true,
    });
    await waitFor(online, 'first connection online');
    const closed = new Promise<void>((r) => old!.once('close', () => r()));
    // The second agent of the same unit: the broker closes the first connection.
    unit = UnitProcess.spawn(s.credentials);
    await closed;
    await waitFor(
      async () => (await presence()).length > 0 && (await online()),
      'second connection online',
    );
    // Give a late will time to be stored, had one been published.
    await new Promise((r) => setTimeout(r, 500));
    expect(await online()).toBe(true);
    expect(await presence()).toEqual(['unit.online']);
  });
});
