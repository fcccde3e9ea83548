import { buildAsyncApi } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace } from '../test/fixtures';
import { expectStatus, TestServer } from '../test/harness';
import { tryConnect } from '../test/mqtt-version';

describe('GET /asyncapi.json', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers the unit protocol without credentials, naming this server’s broker', async () => {
    const doc = expectStatus(await t.request('GET', '/asyncapi.json'), 200);
    expect(doc.asyncapi).toBe('3.0.0');
    const url = new URL(t.server.ctx.unitMqttUrl);
    expect(doc.servers.broker).toMatchObject({
      host: `${url.hostname}:${url.port}`,
      protocol: 'mqtt',
    });
    // Apart from the broker, the committed document (docs/unit-protocol.asyncapi.json).
    const { servers: _s, ...rest } = doc;
    const { servers: _g, ...generated } = JSON.parse(
      JSON.stringify(buildAsyncApi()),
    );
    expect(rest).toEqual(generated);
  });

  it('the embedded broker speaks what the document says: MQTT 3.1.1, not MQTT 5', async () => {
    const doc = expectStatus(await t.request('GET', '/asyncapi.json'), 200);
    expect(doc.servers.broker.protocolVersion).toBe('3.1.1');
    expect(doc.servers.broker.description).toContain(
      'The embedded broker (a single server) speaks MQTT 3.1.1 only',
    );
    expect(doc.servers.broker.description).not.toContain('Mosquitto');
    const { credentials } = await buildSpace(t);
    expect(await tryConnect(credentials, 4)).toBe('connected');
    expect(await tryConnect(credentials, 5)).toMatch(
      /^refused: .*unacceptable protocol version/i,
    );
  });
});
