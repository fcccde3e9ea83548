import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterPair } from '../test/cluster-pair';
import { waitFor } from '../test/unit-process';

/**
 * Issue 17: a node cut off from its database (PostgreSQL behind a proxy that swallows every
 * byte) is fenced (sync/fence.ts) and must not keep a unit's follower it cannot vouch for: it
 * clears its retained `_nodes/{id}`, the live node takes the unit over, and once the log answers
 * again it announces itself and takes the unit back. Its /metrics answers all along.
 */
describe('a node cut off from its database', () => {
  let p: ClusterPair;

  beforeAll(async () => {
    p = await ClusterPair.start({
      via: 'database',
      env: { KEYWAY_CLUSTER_FENCE_MS: '2000' },
    });
  }, 120_000);

  afterAll(async () => {
    await p?.stop();
  });

  it('stands down from the unit followers while fenced, its unit followed by the live node, and rejoins', async () => {
    expect(p.announced.get(p.bId)).toBe(true);
    await p.change(1001);

    const cutAt = performance.now();
    p.proxy.set({ blackhole: true });
    await waitFor(
      async () => (await p.ready(p.b)).down.includes('isolated'),
      'node B fenced',
      20_000,
    );
    // Its metrics say why it refuses requests, instead of a 503 or no answer.
    const text = await p.metrics(p.b);
    expect(text).toMatch(/keyway_node_serving\{reason="isolated"\} 0/);
    expect((await fetch(`${p.b.url}/healthz`)).status).toBe(200);
    // Out of the broker's roster, and its unit followed by node A.
    await waitFor(() => p.announced.get(p.bId) === false, 'B off _nodes/');
    await p.waitFollowers({ a: 1, b: 0 }, 'node A following the unit');
    const takenOver = performance.now() - cutAt;
    expect(
      (await p.b.request('GET', '/v1/spaces', { token: p.owner })).status,
    ).toBe(503);
    // The unit gets its changes from node A meanwhile.
    await p.change(1002);
    // Still out a few fence checks later (a re-announcement would bring the unit back to B).
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.announced.get(p.bId)).toBe(false);
    expect(await p.followed(p.b)).toBe(0);

    const healAt = performance.now();
    p.proxy.clear();
    await waitFor(
      async () => (await p.ready(p.b)).status === 200,
      'node B serving again',
      30_000,
    );
    await waitFor(() => p.announced.get(p.bId) === true, 'B back on _nodes/');
    await p.waitFollowers({ a: 0, b: 1 }, 'node B following the unit again');
    console.log(
      `database cut (fence 2 s): A following B's unit after ${Math.round(takenOver)} ms; ` +
        `database back: B following it again after ${Math.round(performance.now() - healAt)} ms`,
    );
    expect(await p.metrics(p.b)).toMatch(
      /keyway_node_serving\{reason="isolated"\} 1/,
    );
    await p.change(1003);
  }, 120_000);
});
