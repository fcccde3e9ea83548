import type { Seeded } from '../../apps/server/src/test/bulk-seed';
import { httpRequest } from '../lib/http';
import { summarize } from '../lib/stats';
import { callAll, callSplit, type Worker } from '../sync/gens';
import { now, sleep } from '../sync/worker';
import type { Cluster } from './nodes';

/**
 * Failover: `phones` SyncClients (syncers.ts) on HAProxy, a writer renaming one group through
 * HAProxy every WRITE_EVERY_MS the whole time, and `kills` rounds of: SIGKILL a node (each in
 * turn), wait until every phone that lost its socket is live again elsewhere, restart the node
 * and let HAProxy take it back. Then one last rename, and an audit of every phone: each
 * acknowledged rename received, no change applied twice or out of order, no new snapshot.
 */
const WRITE_EVERY_MS = 100;
/** HAProxy marks a node up after two good checks a second apart (haproxy.ts): a margin on that. */
const RISE_MS = 3500;

export interface Kill {
  node: string;
  /** A node SIGKILLed or SIGTERMed (draining), or 'bounce': a third of the phones cut their own
   * socket while every node is healthy — the reconnect-and-resume floor, the baseline. */
  signal: 'SIGKILL' | 'SIGTERM' | 'bounce';
  phones: number;
  /** SIGKILL → the last of its phones live again (resumed by cursor on another node). */
  allResumedMs: number | null;
  /** SIGKILL → each phone's new socket open, and live. */
  reopenMs: number[];
  resumeMs: number[];
  unresumed: number;
  restartMs: number;
}

export async function failoverPhase(
  gens: Worker[],
  cluster: Cluster,
  seeded: Seeded,
  o: {
    phones: number;
    kills: number;
    /** SIGTERM rounds first (a node draining: phones told server_shutdown), the baseline. */
    drains: number;
    bounces: number;
    groupClients: number;
    log: (m: string) => void;
  },
) {
  const url = await cluster.haproxy();
  // HAProxy takes a node after two good checks a second apart; under load a slow first /readyz
  // marks it down for a while: phones connected then would all land on one node.
  await sleep(RISE_MS);
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/sync`;
  const items = Array.from({ length: o.phones }, (_, i) => ({
    i,
    token: seeded.members[i]!.token,
  }));
  const t = now();
  const started = await callSplit<
    (typeof items)[number],
    { live: number; of: number }
  >(
    gens,
    'start',
    items,
    (c) => c.i,
    (share) => ({ url: wsUrl, clients: share }),
    180_000,
  );
  const live = started.reduce((n, s) => n + s.live, 0);
  if (live < o.phones)
    throw new Error(`failover: only ${live} of ${o.phones} phones live`);
  o.log(
    `failover: ${o.phones} SyncClients live through HAProxy in ${Math.round(now() - t)} ms`,
  );
  const group = `/v1/groups/${seeded.groups[o.groupClients]!}`;
  const acked: number[] = [];
  const writes = { sent: 0, failed: 0 };
  let writing = true;
  const rename = (name: string) =>
    httpRequest(`${url}${group}`, {
      method: 'PATCH',
      token: seeded.owner,
      body: { name },
    }).catch(() => ({ status: 0 }));
  const writer = (async () => {
    for (let k = 0; writing; k++) {
      const t0 = now();
      writes.sent++;
      const r = await rename(`fo-${k}`);
      if (r.status === 200) acked.push(k);
      else writes.failed++;
      await sleep(Math.max(0, WRITE_EVERY_MS - (now() - t0)));
    }
  })();
  await sleep(2000);

  const kills: Kill[] = [];
  const signals = [
    ...Array.from({ length: o.bounces }, () => 'bounce' as const),
    ...Array.from({ length: o.drains }, () => 'SIGTERM' as const),
    ...Array.from({ length: o.kills }, () => 'SIGKILL' as const),
  ];
  for (let k = 0; k < signals.length; k++) {
    const signal = signals[k]!;
    const idx = k % cluster.nodes.length;
    const node = cluster.nodes[idx]!;
    const t0 = now();
    if (signal === 'bounce')
      await callAll(gens, 'bounce', { every: 3, offset: k % 3 });
    else {
      node.server.child.kill(signal);
      await node.server.exited;
    }
    // Every phone whose socket dropped since the kill: wait for all to be live again.
    let dropped: { drop: number; open: number | null; live: number | null }[] =
      [];
    const deadline = t0 + 60_000;
    for (;;) {
      await sleep(100);
      dropped = (
        await callAll<typeof dropped>(gens, 'since', { t0 }, 10_000)
      ).flat();
      const settled =
        now() - t0 > 1500 && dropped.every((d) => d.live !== null);
      if (settled || now() > deadline) break;
    }
    const resumeMs = dropped.flatMap((d) => (d.live ? [d.live - t0] : []));
    const reopenMs = dropped.flatMap((d) => (d.open ? [d.open - t0] : []));
    const unresumed = dropped.length - resumeMs.length;
    const tr = now();
    if (signal !== 'bounce') await cluster.boot(idx);
    const restartMs = now() - tr;
    const kill: Kill = {
      node: signal === 'bounce' ? 'none' : node.id,
      signal,
      phones: dropped.length,
      allResumedMs:
        dropped.length && !unresumed
          ? Math.round(Math.max(...resumeMs) * 10) / 10
          : null,
      reopenMs,
      resumeMs,
      unresumed,
      restartMs: Math.round(restartMs),
    };
    kills.push(kill);
    o.log(
      `${signal} ${k + 1}/${signals.length} (${node.id}): ${dropped.length} phones, all live again after ${kill.allResumedMs} ms${unresumed ? `, ${unresumed} not` : ''}; restarted in ${kill.restartMs} ms`,
    );
    if (signal !== 'bounce') await sleep(RISE_MS);
    else await sleep(1000);
  }

  writing = false;
  await writer;
  // One last acknowledged rename; every phone must end on it.
  for (let tries = 0; ; tries++) {
    if ((await rename('fo-final')).status === 200) break;
    if (tries > 20) throw new Error('failover: the final rename failed');
    await sleep(500);
  }
  const finalDeadline = now() + 30_000;
  let seen = 0;
  while (now() < finalDeadline) {
    seen = (await callAll<number>(gens, 'finalSeen', {})).reduce(
      (a, b) => a + b,
      0,
    );
    if (seen === o.phones) break;
    await sleep(200);
  }
  const audits = await callAll<{
    phones: number;
    lost: number;
    phonesMissing: number;
    appliedTwice: number;
    outOfOrder: number;
    framesTwice: number;
    extraSnapshots: number;
  }>(gens, 'audit', { acked }, 60_000);
  const sum = (f: (a: (typeof audits)[number]) => number) =>
    audits.reduce((n, a) => n + f(a), 0);
  await callAll(gens, 'stopAll', {});
  const of = (signal: Kill['signal']) => {
    const withPhones = kills.filter((k) => k.signal === signal && k.phones > 0);
    return {
      rounds: kills.filter((k) => k.signal === signal).length,
      roundsWithPhones: withPhones.length,
      allResumed: summarize(
        withPhones.flatMap((k) =>
          k.allResumedMs === null ? [] : [k.allResumedMs],
        ),
        1,
      ),
      perPhoneResume: summarize(
        withPhones.flatMap((k) => k.resumeMs),
        1,
      ),
      perPhoneReopen: summarize(
        withPhones.flatMap((k) => k.reopenMs),
        1,
      ),
      unresumed: withPhones.reduce((n, k) => n + k.unresumed, 0),
    };
  };
  const audit = {
    acknowledgedWrites: acked.length,
    writesSent: writes.sent,
    writesFailed: writes.failed,
    finalSeenBy: seen,
    lostChanges: sum((a) => a.lost) + (o.phones - seen),
    phonesMissingChanges: sum((a) => a.phonesMissing),
    duplicatedChanges: sum((a) => a.appliedTwice),
    outOfOrderChanges: sum((a) => a.outOfOrder),
    framesReceivedTwice: sum((a) => a.framesTwice),
    snapshotsAfterResume: sum((a) => a.extraSnapshots),
  };
  o.log(`failover audit: ${JSON.stringify(audit)}`);
  return {
    phones: o.phones,
    writeEveryMs: WRITE_EVERY_MS,
    kills: kills.map(({ reopenMs: _r, resumeMs: _s, ...k }) => ({
      ...k,
      resumeP50: summarize(_s, 1).p50,
    })),
    sigkill: of('SIGKILL'),
    sigterm: of('SIGTERM'),
    bounce: of('bounce'),
    audit,
  };
}
