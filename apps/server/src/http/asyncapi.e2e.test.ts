import { buildAsyncApi } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, TestServer } from '../test/harness';

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
});
