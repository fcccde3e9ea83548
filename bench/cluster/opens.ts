import { UnitProcess, waitFor } from '../../apps/server/src/test/unit-process';
import { openOnce } from '../lib/keyway';
import { track } from '../lib/procs';
import { closedLoop, type LoopResult } from '../lib/stats';
import type { Cluster } from './nodes';

/**
 * Opens per second with 1, 2 and 3 nodes serving: a closed loop of `c` members at each level,
 * member w sending its opens to node (w mod nodes) — spread by the client, not HAProxy, so the
 * node count is all that changes. Units are real unit agents (apps/unit, simulated relays) on
 * the bench's Mosquitto, created over the API so their broker accounts exist. The figure per
 * node count is the best rate among the levels whose p99 stayed ≤ 100 ms with no error.
 */
export const P99_LIMIT_MS = 100;

export interface OpensLevel {
  nodes: number;
  concurrency: number;
  result: LoopResult;
}

async function post(
  cluster: Cluster,
  path: string,
  token: string,
  body: unknown,
) {
  const res = await cluster.nodes[0]!.server.request('POST', path, {
    token,
    body,
  });
  if (res.status !== 201)
    throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function opensPhase(
  cluster: Cluster,
  o: {
    units: number;
    doorsPerUnit: number;
    levels: number[];
    recordMs: number;
    warmupMs: number;
    log: (m: string) => void;
  },
) {
  const node1 = cluster.nodes[0]!.server;
  const owner = await node1.login('+34630000000', 'bench owner');
  const { space } = await post(cluster, '/v1/spaces', owner, {
    name: 'Opens',
    timezone: 'Europe/Madrid',
  });
  const doorIds: string[] = [];
  const units: { id: string; proc: UnitProcess }[] = [];
  for (let u = 0; u < o.units; u++) {
    const unit = await post(cluster, `/v1/spaces/${space.id}/units`, owner, {
      name: `Unit ${u + 1}`,
    });
    for (let relay = 1; relay <= o.doorsPerUnit; relay++)
      doorIds.push(
        (
          await post(cluster, `/v1/spaces/${space.id}/doors`, owner, {
            name: `U${u + 1} door ${relay}`,
            unitId: unit.unit.id,
            relay,
            pulseMs: 50,
          })
        ).door.id,
      );
    const proc = UnitProcess.spawn(unit.credentials, [
      '--sim-close-ms',
      '50',
      '--log-level',
      'warn',
    ]);
    track(proc.child);
    units.push({ id: unit.unit.id, proc });
  }
  const { group } = await post(
    cluster,
    `/v1/spaces/${space.id}/groups`,
    owner,
    {
      name: 'All',
      doorIds,
    },
  );
  const members = Math.max(...o.levels);
  const tokens: string[] = [];
  for (let i = 0; i < members; i += 8) {
    const batch = Array.from(
      { length: Math.min(8, members - i) },
      async (_, k) => {
        const phone = `+3463${String(1 + i + k).padStart(7, '0')}`;
        await post(cluster, `/v1/spaces/${space.id}/members`, owner, {
          phone,
          groupIds: [group.id],
        });
        return node1.login(phone, `bench ${i + k}`);
      },
    );
    tokens.push(...(await Promise.all(batch)));
  }
  for (const u of units)
    await waitFor(
      async () =>
        (await node1.request('GET', `/v1/units/${u.id}`, { token: owner })).body
          .unit.online,
      'unit online',
      60_000,
    );
  const layout = `${o.units} units × ${o.doorsPerUnit} doors (real unit agents, simulated relays, pulse 50 ms) on Mosquitto; ${members} members; member w opens door w mod ${doorIds.length} on node w mod nodes; closed loop at ${o.levels.join('/')} in flight, ${o.recordMs / 1000} s each after ${o.warmupMs} ms`;
  o.log(`opens: ${layout}`);

  const levels: OpensLevel[] = [];
  for (const n of [1, 2, 3].filter((n) => n <= cluster.nodes.length)) {
    const urls = cluster.nodes.slice(0, n).map((x) => x.url);
    for (const c of o.levels) {
      const result = await closedLoop(c, o.recordMs, o.warmupMs, (w) =>
        openOnce(urls[w % n]!, tokens[w]!, doorIds[w % doorIds.length]!),
      );
      levels.push({ nodes: n, concurrency: c, result });
      o.log(
        `opens, ${n} node(s), ${c} in flight: ${JSON.stringify(result.summary)} errors ${JSON.stringify(result.errors)}`,
      );
      // Far past the limit, more in flight only queues longer.
      if (result.summary.p99 > 4 * P99_LIMIT_MS) break;
    }
  }
  for (const u of units) await u.proc.kill();
  const best = (n: number) => {
    const ok = levels.filter(
      (l) =>
        l.nodes === n &&
        l.result.summary.p99 <= P99_LIMIT_MS &&
        Object.keys(l.result.errors).length === 0,
    );
    const top = ok.sort(
      (a, b) => b.result.summary.perSecond - a.result.summary.perSecond,
    )[0];
    return top
      ? {
          perSecond: top.result.summary.perSecond,
          concurrency: top.concurrency,
          p99: top.result.summary.p99,
        }
      : { perSecond: 0, concurrency: 0, p99: null };
  };
  const peak = (n: number) => {
    const top = levels
      .filter((l) => l.nodes === n)
      .sort(
        (a, b) => b.result.summary.perSecond - a.result.summary.perSecond,
      )[0];
    return {
      perSecond: top?.result.summary.perSecond ?? 0,
      concurrency: top?.concurrency ?? 0,
      p99: top?.result.summary.p99 ?? null,
    };
  };
  return {
    layout,
    levels,
    best: { 1: best(1), 2: best(2), 3: best(3) },
    peak: { 1: peak(1), 2: peak(2), 3: peak(3) },
  };
}
