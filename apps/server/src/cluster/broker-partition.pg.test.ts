import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterPair } from '../test/cluster-pair';
import { waitFor } from '../test/unit-process';

/**
 * Issue 17: only the link between node B and its Mosquitto goes silent (a proxy that swallows
 * every byte, no reset): the database, NATS and node A are fine. With a keepalive of 2 s
 * (KEYWAY_MQTT_KEEPALIVE_S) B notices within about 2 keepalives, says not ready and follows no
 * unit; the broker fires B's last will and node A takes B's unit; opens and changes go through A
 * meanwhile. When the link comes back, B reconnects, announces itself and takes its unit back.
 * With the fixed 30 s keepalive of before none of this happens within the waits below (45 s).
 */
const KEEPALIVE_S = 2;

describe('a node whose link to the broker goes silent', () => {
  let p: ClusterPair;

  beforeAll(async () => {
    p = await ClusterPair.start({
      via: 'broker',
      env: { KEYWAY_MQTT_KEEPALIVE_S: String(KEEPALIVE_S) },
    });
  }, 120_000);

  afterAll(async () => {
    await p?.stop();
  });

  it('gives up the unit to the other node within a few keepalives, opens keep working, and rejoins when the link is back', async () => {
    expect(p.announced.get(p.bId)).toBe(true);
    await p.change(1001);
    const open = () =>
      p.a.request('POST', `/v1/doors/${p.doorId}/open`, { token: p.owner });
    expect((await open()).status).toBe(200);

    const cutAt = performance.now();
    p.proxy.set({ blackhole: true });
    // A few keepalives: 1.5 for each side to give up, and the checks' own periods.
    const within = 5 * KEEPALIVE_S * 1000;
    await waitFor(
      async () => (await p.ready(p.b)).down.includes('broker'),
      'node B not ready (broker down)',
      within,
    );
    const notReady = performance.now() - cutAt;
    await waitFor(
      () => p.announced.get(p.bId) === false,
      'B’s last will on _nodes/',
      within,
    );
    await p.waitFollowers({ a: 1, b: 0 }, 'node A following the unit', within);
    const takenOver = performance.now() - cutAt;
    // Through node A, the unit opens and gets its changes.
    const r = await open();
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('opened');
    await p.change(1002);

    const healAt = performance.now();
    p.proxy.clear();
    await waitFor(
      async () => (await p.ready(p.b)).status === 200,
      'node B ready again',
      30_000,
    );
    await waitFor(() => p.announced.get(p.bId) === true, 'B back on _nodes/');
    await p.waitFollowers({ a: 0, b: 1 }, 'node B following the unit again');
    console.log(
      `broker link cut (keepalive ${KEEPALIVE_S} s): B not ready after ${Math.round(notReady)} ms, ` +
        `A following the unit after ${Math.round(takenOver)} ms; link back: B following it again after ${Math.round(performance.now() - healAt)} ms`,
    );
    await p.change(1003);
    expect((await open()).status).toBe(200);
  }, 120_000);
});
