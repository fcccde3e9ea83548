import type { Summary } from '../lib/stats';
import { median } from '../sync/phases';
import type { failoverPhase } from './failover';
import type { opensPhase } from './opens';
import type { pushPhases } from './push';

type Push = Awaited<ReturnType<typeof pushPhases>>;
type Opens = Awaited<ReturnType<typeof opensPhase>>;
type Failover = Awaited<ReturnType<typeof failoverPhase>>;

/** A ratio, rounded; 0 when it cannot be formed (a baseline of 0: see the figures beside). */
const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : 0);

/** Every ratio of issue 17 (figure / its baseline measured in the same run). */
export function ratios(push: Push, opens: Opens, failover: Failover) {
  const { latency, spread, one } = push;
  const b = opens.best;
  return {
    /** Target ≤ 1.5: a phone on another node vs one on the writing node. */
    commitPhoneP50Ratio: r2(latency.remote.p50 / latency.local.p50),
    commitPhoneP99Ratio: r2(latency.remote.p99 / latency.local.p99),
    /** Target ≤ 1.0: every phone spread over 3 nodes vs all on the writing node. */
    fanoutP99Ratio: r2(spread.arrive.p99 / one.arrive.p99),
    fanoutLastRatio: r2(median(spread.last) / median(one.last)),
    /** Should be > 1: opens per second at p99 ≤ 100 ms, 2 and 3 nodes vs 1. */
    opens2vs1Ratio: r2(b[2].perSecond / b[1].perSecond),
    opens3vs1Ratio: r2(b[3].perSecond / b[1].perSecond),
    /** The same without the p99 limit: the most opens per second any level reached. */
    opensPeak2vs1Ratio: r2(opens.peak[2].perSecond / opens.peak[1].perSecond),
    opensPeak3vs1Ratio: r2(opens.peak[3].perSecond / opens.peak[1].perSecond),
    /** No target: a SIGKILLed node's phones all live again vs a third of the phones cutting
     * their own sockets on a healthy cluster (backoff + reconnect + resume: the floor). */
    failoverKillVsBounceP50Ratio: r2(
      failover.sigkill.allResumed.p50 / failover.bounce.allResumed.p50,
    ),
    failoverKillVsBounceP99Ratio: r2(
      failover.sigkill.allResumed.p99 / failover.bounce.allResumed.p99,
    ),
    /** Must be 0 (counts, not ratios). */
    lostChanges: failover.audit.lostChanges,
    duplicatedChanges: failover.audit.duplicatedChanges,
  };
}

const ms = (s: Summary) => `${s.p50} / ${s.p99}`;

export function printReport(r: {
  mode: string;
  durationS: number;
  machine: {
    cpus: number;
    cpuModel?: string | undefined;
    node: string;
    loadavg: { before: number[]; after: number[] };
  };
  layout: string;
  sizes: { phones: number; failoverPhones: number; samples: number };
  ratios: ReturnType<typeof ratios>;
  push: Push;
  opens: Opens;
  failover: Failover;
}): void {
  const { latency, spread, one } = r.push;
  const { best, peak } = r.opens;
  const f = r.failover;
  const x = r.ratios;
  const n = r.sizes.phones;
  const rows: [string, string, string, string, string][] = [
    [
      `commit→phone p50 / p99 ms (${r.sizes.samples} each)`,
      `other node ${ms(latency.remote)}`,
      `writing node ${ms(latency.local)}`,
      `${x.commitPhoneP50Ratio} / ${x.commitPhoneP99Ratio}`,
      '≤ 1.5',
    ],
    [
      `fan-out of a rename to ${n}: p50 / p99 ms`,
      `3 nodes ${ms(spread.arrive)}`,
      `1 node ${ms(one.arrive)}`,
      String(x.fanoutP99Ratio),
      '≤ 1.0',
    ],
    [
      `fan-out to ${n}: last phone (median of rounds) ms`,
      `3 nodes ${median(spread.last).toFixed(1)}`,
      `1 node ${median(one.last).toFixed(1)}`,
      String(x.fanoutLastRatio),
      '≤ 1.0',
    ],
    [
      'opens/s at p99 ≤ 100 ms, 2 nodes',
      `${best[2].perSecond} (${best[2].concurrency} in flight)`,
      `1 node ${best[1].perSecond} (${best[1].concurrency})`,
      String(x.opens2vs1Ratio),
      '> 1',
    ],
    [
      'opens/s at p99 ≤ 100 ms, 3 nodes',
      `${best[3].perSecond} (${best[3].concurrency} in flight)`,
      `1 node ${best[1].perSecond} (${best[1].concurrency})`,
      String(x.opens3vs1Ratio),
      '> 1',
    ],
    [
      'opens/s, best level whatever its p99: 2 / 3 nodes',
      `${peak[2].perSecond} (p99 ${peak[2].p99}) / ${peak[3].perSecond} (p99 ${peak[3].p99})`,
      `1 node ${peak[1].perSecond} (p99 ${peak[1].p99})`,
      `${x.opensPeak2vs1Ratio} / ${x.opensPeak3vs1Ratio}`,
      '> 1',
    ],
    [
      'failover: SIGKILL → all its phones live again, p50 / p99 ms',
      `SIGKILL ×${f.sigkill.roundsWithPhones} ${ms(f.sigkill.allResumed)}`,
      `own socket cut ×${f.bounce.roundsWithPhones} ${ms(f.bounce.allResumed)}`,
      `${x.failoverKillVsBounceP50Ratio} / ${x.failoverKillVsBounceP99Ratio}`,
      '—',
    ],
    [
      'failover: each phone live again, p50 / p99 ms',
      `SIGKILL ${ms(f.sigkill.perPhoneResume)}`,
      `own socket cut ${ms(f.bounce.perPhoneResume)}`,
      '',
      '',
    ],
    [
      'a node SIGTERMed (draining): all / each phone, p50 / p99',
      `×${f.sigterm.roundsWithPhones} ${ms(f.sigterm.allResumed)} / ${ms(f.sigterm.perPhoneResume)}`,
      '',
      '',
      '',
    ],
    [
      `changes lost / duplicated (${f.audit.acknowledgedWrites} acked × ${f.phones} phones)`,
      `${f.audit.lostChanges} / ${f.audit.duplicatedChanges}`,
      `out of order ${f.audit.outOfOrderChanges}, new snapshots ${f.audit.snapshotsAfterResume}`,
      '',
      'must be 0',
    ],
  ];
  const head: [string, string, string, string, string] = [
    'figure',
    'cluster',
    'baseline (same run)',
    'ratio',
    'target',
  ];
  const widths = head.map((h, k) =>
    Math.max(h.length, ...rows.map((row) => row[k]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, k) => c.padEnd(widths[k]!)).join(' | ')} |`;
  const m = r.machine;
  const out = [
    '',
    `Keyway cluster (issue 17), ${r.mode} run in ${r.durationS} s — ${m.cpus} CPUs (${m.cpuModel ?? '?'}), node ${m.node}, load average ${m.loadavg.before.join(' ')} → ${m.loadavg.after.join(' ')}`,
    'This machine is SHARED with other work: every process below (3 nodes, PostgreSQL, NATS, Mosquitto, HAProxy, units, generators) shares its cores.',
    r.layout,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'opens per node count and in-flight level (n/s, p50 / p99 ms, errors):',
    ...r.opens.levels.map(
      (l) =>
        `  ${l.nodes} node(s), ${String(l.concurrency).padStart(2)} in flight: ${l.result.summary.perSecond}/s, ${ms(l.result.summary)}${Object.keys(l.result.errors).length ? ` errors ${JSON.stringify(l.result.errors)}` : ''}`,
    ),
    `failover writer: ${f.audit.writesSent} renames through HAProxy every ${f.writeEveryMs} ms, ${f.audit.writesFailed} not acknowledged (a dying node's 502s); final rename seen by ${f.audit.finalSeenBy}/${f.phones}`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
