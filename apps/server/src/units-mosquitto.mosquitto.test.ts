import { unitTopics } from '@keyway/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { TestMosquitto } from './test/mosquitto';
import { UnitProcess, waitFor } from './test/unit-process';

/** One Keyway server on an external Mosquitto (KEYWAY_MQTT_URL), a real unit process. */
describe('a server on Mosquitto with dynamic security, and a real unit', () => {
  let broker: TestMosquitto;
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  const units: UnitProcess[] = [];
  const spawn = (credentials: typeof s.credentials) => {
    const u = UnitProcess.spawn(credentials);
    units.push(u);
    return u;
  };
  const online = async () =>
    expectStatus(
      await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner }),
      200,
    ).unit.online as boolean;
  const open = async () =>
    (
      await t.request('POST', `/v1/doors/${s.door.id}/open`, {
        token: s.owner,
      })
    ).body;

  beforeAll(async () => {
    broker = await TestMosquitto.start();
    t = await TestServer.start({ env: { KEYWAY_MQTT_URL: broker.adminUrl } });
    s = await buildSpace(t);
  });
  afterAll(async () => {
    for (const u of units) await u.kill();
    await t?.stop();
    await broker?.stop();
  });

  it('hands new units the broker URL without the admin credential', () => {
    expect(s.credentials.mqttUrl).toBe(broker.url);
  });

  it('a created unit connects and opens the door', async () => {
    spawn(s.credentials);
    await waitFor(online, 'unit online');
    expect(await open()).toMatchObject({ result: 'opened' });
  });

  it('reset: the old credentials are dropped at once and refused; the new ones work', async () => {
    const old = units[0]!;
    const { credentials } = expectStatus(
      await t.request('POST', `/v1/units/${s.unit.id}/credentials`, {
        token: s.owner,
      }),
      201,
    );
    await waitFor(
      () => /disconnected, reconnecting/.test(old.output),
      'the old unit dropped',
    );
    await waitFor(
      () => /Not authorized|Bad username or password/.test(old.output),
      'the old password refused',
    );
    await waitFor(async () => !(await online()), 'unit offline');
    await old.kill();
    spawn(credentials);
    await waitFor(online, 'unit online with the new password');
    expect(await open()).toMatchObject({ result: 'opened' });
  });

  it('a unit from before ackTopic (acks on `acks`) is still answered', async () => {
    const post = async (path: string, body: unknown) =>
      expectStatus(
        await t.request('POST', path, { token: s.owner, body }),
        201,
      );
    const created = await post(`/v1/spaces/${s.space.id}/units`, {
      name: 'Old firmware',
    });
    const door = (
      await post(`/v1/spaces/${s.space.id}/doors`, {
        name: 'Back gate',
        unitId: created.unit.id,
        relay: 1,
      })
    ).door;
    const topics = unitTopics(created.unit.id);
    const old = await mqtt.connectAsync(broker.url, {
      username: created.credentials.username,
      password: created.credentials.password,
      clientId: `unit-${created.unit.id}`,
      will: {
        topic: topics.status,
        payload: '{"online":false}',
        qos: 1,
        retain: true,
      },
    });
    const heard: string[] = [];
    old.on('message', (topic, payload) => {
      const command = JSON.parse(payload.toString());
      heard.push(topic);
      const ack = {
        commandId: command.id,
        result: 'opened',
        at: new Date().toISOString(),
      };
      old.publish(topics.acks, JSON.stringify(ack), { qos: 1 });
    });
    await old.subscribeAsync(topics.commands, { qos: 1 });
    await old.publishAsync(topics.status, '{"online":true}', {
      qos: 1,
      retain: true,
    });
    await waitFor(
      async () =>
        (
          await t.request('GET', `/v1/units/${created.unit.id}`, {
            token: s.owner,
          })
        ).body.unit.online,
      'old unit online',
    );
    const res = await t.request('POST', `/v1/doors/${door.id}/open`, {
      token: s.owner,
    });
    expect(res.body).toMatchObject({ result: 'opened' });
    expect(heard).toEqual([topics.commands]);
    await old.endAsync();
  });

  it('deleted: disconnected and refused', async () => {
    const live = units.at(-1)!;
    const mark = live.output.length;
    expectStatus(
      await t.request('DELETE', `/v1/units/${s.unit.id}`, { token: s.owner }),
      204,
    );
    await waitFor(
      () => /Not authorized/.test(live.output.slice(mark)),
      'the deleted unit refused',
    );
  });
});
