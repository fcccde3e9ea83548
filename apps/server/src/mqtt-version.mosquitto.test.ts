import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { TestMosquitto } from './test/mosquitto';
import { tryConnect } from './test/mqtt-version';

/** docs/unit-protocol.md §1: on Mosquitto (a cluster) a unit may speak MQTT 3.1.1 or 5. */
describe('a server on Mosquitto: what its broker speaks', () => {
  let broker: TestMosquitto;
  let t: TestServer;

  beforeAll(async () => {
    broker = await TestMosquitto.start();
    t = await TestServer.start({ env: { KEYWAY_MQTT_URL: broker.adminUrl } });
  });
  afterAll(async () => {
    await t?.stop();
    await broker?.stop();
  });

  it('a unit connects with MQTT 3.1.1 and with MQTT 5, as /asyncapi.json says', async () => {
    const doc = expectStatus(await t.request('GET', '/asyncapi.json'), 200);
    expect(doc.servers.broker.description).toContain(
      'Mosquitto (a cluster, KEYWAY_MQTT_URL) speaks MQTT 3.1.1 and MQTT 5.',
    );
    const { credentials } = await buildSpace(t);
    expect(await tryConnect(credentials, 4)).toBe('connected');
    expect(await tryConnect(credentials, 5)).toBe('connected');
    // Wrong password is still refused over MQTT 5.
    expect(await tryConnect({ ...credentials, password: 'wrong' }, 5)).toMatch(
      /^refused/,
    );
  });
});
