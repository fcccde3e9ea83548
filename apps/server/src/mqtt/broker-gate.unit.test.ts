import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../test/embedded-broker';
import type { EmbeddedBroker } from './broker';

/** Connects once (no retries); resolves with the CONNACK's outcome. */
function connectOnce(port: number, username: string, password: string) {
  return new Promise<{ ok: boolean; code?: number }>((resolve) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      username,
      password,
      clientId: `unit-${username}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    c.once('connect', () => {
      c.end(true);
      resolve({ ok: true });
    });
    c.once('error', (err) => {
      c.end(true);
      resolve({ ok: false, code: (err as { code?: number }).code });
    });
  });
}

describe('the embedded broker lets units in once the server follows their reports', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startTestBroker({
      serverPassword: 'server-secret',
      units: { unit_1: 'unit-secret' },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('refuses a unit as "server unavailable" (it retries) until openToUnits, while the server itself gets in', async () => {
    expect(await connectOnce(broker.port, 'server', 'server-secret')).toEqual({
      ok: true,
    });
    // Before: its `resume` would reach nobody.
    expect(await connectOnce(broker.port, 'unit_1', 'unit-secret')).toEqual({
      ok: false,
      code: 3,
    });
    broker.openToUnits();
    expect(await connectOnce(broker.port, 'unit_1', 'unit-secret')).toEqual({
      ok: true,
    });
    // A wrong password is still a wrong password.
    expect((await connectOnce(broker.port, 'unit_1', 'nope')).code).toBe(4);
  });
});
