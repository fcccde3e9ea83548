import type { Seeded } from '../../apps/server/src/test/bulk-seed';
import { type Summary, summarize } from '../lib/stats';
import { owner, type Worker } from '../sync/gens';
import { timedRequest } from '../sync/latency';
import { connect, type Fanout, fanout, range } from '../sync/phases';
import { now, sleep } from '../sync/worker';
import type { Cluster } from './nodes';

/**
 * Push across nodes: commit→phone for phones on the writing node and on the others, sampled
 * alternately in one run; then one group rename fanned out to every phone, spread over the
 * nodes, and to as many on the writing node alone. Phones are bench/sync/phones.ts clients
 * connected straight to a node's /v1/sync (no HAProxy: where each phone sits is chosen).
 */
const WARMUP = 3;
const GAP_MS = 10;

/** Phone i sits on node nodeOf(i) when spread (the generators, i mod 3, each hold every node's). */
export const nodeOf = (i: number, nodes: number) => Math.floor(i / 3) % nodes;

const wsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/v1/sync`;

async function connectTo(
  phones: Worker[],
  cluster: Cluster,
  seeded: Seeded,
  members: number[],
  node: (i: number) => number,
): Promise<number> {
  const t0 = now();
  await Promise.all(
    cluster.nodes.map((n, j) => {
      const items = members
        .filter((i) => node(i) === j)
        .map((i) => ({ i, token: seeded.members[i]!.token }));
      if (!items.length) return 0;
      return connect(phones, `phones on ${n.id}`, items, (share) => ({
        url: wsUrl(n.url),
        clients: share,
        snapshot: true,
      }));
    }),
  );
  return now() - t0;
}

export interface SplitLatency {
  /** From the start of the server's write (Server-Timing `pre` after the request was sent). */
  local: Summary;
  remote: Summary;
  localFromRequest: Summary;
  remoteFromRequest: Summary;
}

/** `count` samples each, alternating: a phone on node 1 (the writer), a phone on node 2 or 3. */
async function splitLatency(
  phones: Worker[],
  cluster: Cluster,
  seeded: Seeded,
  clients: number,
  count: number,
): Promise<SplitLatency> {
  const nodes = cluster.nodes.length;
  const local = range(0, clients).filter((i) => nodeOf(i, nodes) === 0);
  const remote = range(0, clients).filter((i) => nodeOf(i, nodes) !== 0);
  const got = {
    local: [] as number[],
    remote: [] as number[],
    localReq: [] as number[],
    remoteReq: [] as number[],
  };
  const writer = cluster.nodes[0]!.url;
  for (let k = 0; k < 2 * (count + WARMUP); k++) {
    const side = k % 2 === 0 ? local : remote;
    const i = side[(Math.floor(k / 2) * 7919 + 13) % side.length]!;
    const marker = `"clat-${k}"`;
    const w = owner(phones, i);
    await w.call('arm', { marker, expect: 1 });
    const t0 = now();
    const http = await timedRequest(
      `${writer}/v1/members/${seeded.members[i]!.id}`,
      'PATCH',
      { name: `clat-${k}` },
      seeded.owner,
    );
    const arrived = await w.call<{ lat: number[] }>(
      'collect',
      { t0, timeoutMs: 30_000 },
      40_000,
    );
    const ms = arrived.lat[0];
    if (ms === undefined) throw new Error(`phone ${i}: no ${marker}`);
    if (k >= 2 * WARMUP) {
      const fromWrite = ms - (http.server.pre ?? 0);
      if (side === local) {
        got.local.push(fromWrite);
        got.localReq.push(ms);
      } else {
        got.remote.push(fromWrite);
        got.remoteReq.push(ms);
      }
    }
    await sleep(GAP_MS);
  }
  return {
    local: summarize(got.local, 1),
    remote: summarize(got.remote, 1),
    localFromRequest: summarize(got.localReq, 1),
    remoteFromRequest: summarize(got.remoteReq, 1),
  };
}

export async function pushPhases(
  phones: Worker[],
  cluster: Cluster,
  seeded: Seeded,
  o: {
    clients: number;
    samples: number;
    rounds: number;
    log: (m: string) => void;
  },
) {
  const nodes = cluster.nodes.length;
  const all = range(0, o.clients);
  const group = seeded.groups[o.clients]!;
  const rename = (label: string) => (r: number) =>
    timedRequest(
      `${cluster.nodes[0]!.url}/v1/groups/${group}`,
      'PATCH',
      { name: `${label}-${r}` },
      seeded.owner,
    ).then((h) => ({ httpMs: h.ms, server: h.server }));

  const spreadConnectMs = await connectTo(phones, cluster, seeded, all, (i) =>
    nodeOf(i, nodes),
  );
  o.log(
    `${o.clients} phones connected, spread over ${nodes} nodes, in ${Math.round(spreadConnectMs)} ms`,
  );
  await sleep(2000);
  const latency = await splitLatency(
    phones,
    cluster,
    seeded,
    o.clients,
    o.samples,
  );
  o.log(
    `commit→phone on the writing node ${JSON.stringify(latency.local)}, on another ${JSON.stringify(latency.remote)}`,
  );
  const spread: Fanout = await fanout(
    phones,
    o.clients,
    o.rounds,
    rename('fan-spread'),
    (r) => `"fan-spread-${r}"`,
  );
  o.log(
    `fan-out to ${o.clients} over ${nodes} nodes: ${JSON.stringify(spread.arrive)} last ${spread.last}`,
  );
  await Promise.all(phones.map((w) => w.call('closeAll')));
  await sleep(2000);

  const oneConnectMs = await connectTo(phones, cluster, seeded, all, () => 0);
  o.log(
    `${o.clients} phones connected to node-1 in ${Math.round(oneConnectMs)} ms`,
  );
  await sleep(2000);
  const one: Fanout = await fanout(
    phones,
    o.clients,
    o.rounds,
    rename('fan-one'),
    (r) => `"fan-one-${r}"`,
  );
  o.log(
    `fan-out to ${o.clients} on node-1: ${JSON.stringify(one.arrive)} last ${one.last}`,
  );
  await Promise.all(phones.map((w) => w.call('closeAll')));
  return { latency, spread, one, spreadConnectMs, oneConnectMs };
}
