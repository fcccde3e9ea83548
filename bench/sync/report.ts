import type { Summary } from '../lib/stats';
import type { BareMqttLevel, BareWsLevel } from './bare';
import type { PhoneLevel, UnitLevel } from './keyway';
import { type Fanout, median } from './phases';
import type { GcInSamples } from './server-gc';

/** One printed line: a Keyway figure beside its baseline from the same run, and the target. */
export interface Row {
  figure: string;
  clients: number;
  keyway: string;
  /** Single-change rows: the same arrivals timed from just before the admin's request. */
  fromRequest: string;
  http: string;
  baseline: string;
  /** The target the Keyway p99 (or KB) must stay under, and Keyway's figure over it (≤ 1 passes). */
  limit: number | null;
  ratio: number | null;
}

const f = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : x.toFixed(x >= 100 ? 0 : 1);
const r2 = (x: number) => Math.round(x * 100) / 100;
const lat = (s: Summary) => `${f(s.p50)} / ${f(s.p99)} / ${f(s.max)}`;
const fan = (x: Fanout) =>
  `${f(x.arrive.p50)} / ${f(x.arrive.p99)} / ${f(median(x.last))}`;
const http = (s: Summary) => `${f(s.p50)} / ${f(s.p99)}`;
const ratio = (value: number, limit: number) => ({
  limit: r2(limit),
  ratio: r2(value / limit),
});

export function buildRows(
  phones: PhoneLevel[],
  bareWs: BareWsLevel[],
  units: UnitLevel[] | { error: string },
  bareMqtt: BareMqttLevel[],
  commit: Summary,
): Row[] {
  const rows: Row[] = [];
  const ws = (n: number) => bareWs.find((b) => b.clients === n);
  for (const p of phones) {
    const b = ws(p.clients);
    if (p.latency && b?.echo) {
      const base = commit.p99 + b.echo.p99;
      rows.push({
        figure: 'commit→phone (PATCH member)',
        clients: p.clients,
        keyway: lat(p.latency.arrive),
        fromRequest: http(p.latency.fromRequest),
        http: http(p.latency.http),
        baseline: `commit ${f(commit.p99)} + ws rtt ${f(b.echo.p99)} (p50 ${f(b.echo.p50)})`,
        ...ratio(p.latency.arrive.p99, 2 * base),
      });
    }
    if (p.fan && b?.fan)
      rows.push({
        figure: 'fan-out (rename group)',
        clients: p.clients,
        keyway: fan(p.fan),
        fromRequest: '',
        http: http(p.fan.http),
        baseline: `bare ws ${fan(b.fan)}`,
        ...ratio(p.fan.arrive.p99, 2 * b.fan.arrive.p99),
      });
  }
  if ('error' in units) {
    rows.push({
      figure: 'commit→unit (MQTT)',
      clients: 0,
      keyway: `FAILED: ${units.error}`,
      fromRequest: '',
      http: '',
      baseline: '',
      limit: null,
      ratio: null,
    });
  } else {
    for (const u of units) {
      const m = bareMqtt.find((x) => x.units === u.units);
      if (!m) continue;
      rows.push({
        figure: 'commit→unit (door pulseMs)',
        clients: u.units,
        keyway: lat(u.single.arrive),
        fromRequest: http(u.single.fromRequest),
        http: http(u.single.http),
        baseline: `mqtt ${f(m.single.p50)} / ${f(m.single.p99)} + commit ${f(commit.p99)}`,
        ...ratio(u.single.arrive.p99, 2 * m.single.p99 + commit.p99),
      });
      rows.push({
        figure: 'space change → all units',
        clients: u.units,
        keyway: fan(u.all),
        fromRequest: '',
        http: http(u.all.http),
        baseline: `mqtt ${fan(m.all)} + commit ${f(commit.p99)}`,
        ...ratio(u.all.arrive.p99, 2 * m.all.arrive.p99 + commit.p99),
      });
    }
  }
  for (const p of phones) {
    const b = ws(p.clients);
    if (p.perClientKb === undefined || b?.perClientKb === undefined) continue;
    rows.push({
      figure: 'memory per idle phone (KB)',
      clients: p.clients,
      keyway: `${f(p.perClientKb)} (RSS ${f(p.perClientRssKb)})`,
      fromRequest: '',
      http: '',
      baseline: `bare ws ${f(b.perClientKb)} (RSS ${f(b.perClientRssKb)})`,
      ...ratio(p.perClientKb, Math.min(2 * b.perClientKb, 20)),
    });
  }
  return rows;
}

/**
 * The same single-change samples as the server saw them (its Server-Timing): the write, from its
 * start to its commit, beside the bare commit, the part of it queued behind other writes
 * (receipt flushes, presence) and the COMMIT itself; then the push to sockets and units; then
 * the server's GC pauses inside the samples and what the slowest ones were made of.
 */
export function printServerTimings(
  phones: PhoneLevel[],
  bareWs: BareWsLevel[],
  units: UnitLevel[] | { error: string },
  commit: Summary,
): void {
  const lines = [
    ...phones.flatMap((p) =>
      p.latency ? [[`commit→phone at ${p.clients}`, p.latency] as const] : [],
    ),
    ...('error' in units
      ? []
      : units.map((u) => [`commit→unit at ${u.units}`, u.single] as const)),
  ];
  if (!lines.length) return;
  console.log(
    `\nInside the server (Server-Timing of the same samples), p50 / p99 ms; bare commit ${http(commit)}:`,
  );
  for (const [label, l] of lines) {
    console.log(
      `  ${label.padEnd(22)} write ${http(l.server.write).padEnd(12)} (queued ${http(l.server.wait).padEnd(11)} commit ${http(l.server.commit).padEnd(11)}) push ${http(l.server.push)}`,
    );
    if (l.gc) console.log(`  ${''.padEnd(22)} ${gcLine(l.gc)}`);
  }
  // Fan-outs: the server's own steps, beside the bare ws server's loop over the same clients.
  const bareFan = (n: number) => bareWs.find((b) => b.clients === n)?.fan;
  const fans: [string, Fanout, Fanout | undefined][] = phones.flatMap((p) =>
    p.fan ? [[`fan-out to ${p.clients}`, p.fan, bareFan(p.clients)]] : [],
  );
  if (!('error' in units))
    for (const u of units)
      fans.push([`space to ${u.units} units`, u.all, undefined]);
  const opt = (x?: Summary) => (x ? http(x) : '–');
  for (const [label, { server, first }, bare] of fans)
    console.log(
      `  ${label.padEnd(22)} write ${opt(server.write).padEnd(12)} (commit ${opt(server.commit).padEnd(11)}) push ${opt(server.push).padEnd(12)} first arrival ${f(median(first))}; bare server’s loop ${opt(bare?.server.push)}`,
    );
}

/** Where the server's GC pauses fell, and what the slowest samples were made of. */
function gcLine(gc: GcInSamples): string {
  const pause = gc.overlapped
    ? ` (in them p50 ${f(gc.pause.p50)} / max ${f(gc.pause.max)} ms)`
    : '';
  const slowest = gc.slowest
    .map(
      (s) =>
        `${f(s.ms)} = write ${f(s.write)} (commit ${f(s.commit)}) + push ${f(s.push)} + rest ${f(s.ms - s.write - s.push)}, GC ${f(s.gc)}`,
    )
    .join('; ');
  return `server GC paused ${gc.overlapped} of ${gc.samples} samples${pause}; slowest: ${slowest}`;
}

export function printTable(rows: Row[], header: string[]): void {
  const head = [
    'figure',
    'clients',
    'Keyway p50 / p99 / max|last ms',
    'from request p50 / p99',
    'HTTP resp p50 / p99',
    'baseline (same run)',
    'target',
    'ratio',
  ];
  const body = rows.map((r) => [
    r.figure,
    String(r.clients),
    r.keyway,
    r.fromRequest,
    r.http,
    r.baseline,
    r.limit === null ? '' : `≤ ${f(r.limit)}`,
    r.ratio === null ? '!' : `${r.ratio.toFixed(2)}${r.ratio <= 1 ? '' : ' !'}`,
  ]);
  console.log('');
  for (const h of header) console.log(h);
  printGrid(head, body);
}

/** Columns padded to their widest cell, a rule under the head. */
function printGrid(head: string[], body: string[][]): void {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((b) => b[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) console.log(line(b));
}

/** One figure over several runs: each run's ratio, their median and range. */
export interface SummaryRow {
  figure: string;
  clients: number;
  ratios: (number | null)[];
  median: number | null;
  min: number | null;
  max: number | null;
  /** How many runs met the target (ratio ≤ 1). */
  passed: number;
}

/** The median proper: with an even count, the mean of the two middle values. */
const middle = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

export function summarizeRuns(runs: Row[][]): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const row of runs[0] ?? []) {
    const same = runs.map((rows) =>
      rows.find((r) => r.figure === row.figure && r.clients === row.clients),
    );
    const ratios = same.map((r) => r?.ratio ?? null);
    const known = ratios.filter((x): x is number => x !== null);
    out.push({
      figure: row.figure,
      clients: row.clients,
      ratios,
      median: known.length ? r2(middle(known)) : null,
      min: known.length ? Math.min(...known) : null,
      max: known.length ? Math.max(...known) : null,
      passed: known.filter((x) => x <= 1).length,
    });
  }
  return out;
}

export function printSummary(rows: SummaryRow[], runs: number): void {
  console.log('');
  console.log(
    `Over ${runs} runs: each figure's ratio to its target per run (≤ 1 passes), the median, and how many runs passed.`,
  );
  const head = ['figure', 'clients', 'ratio per run', 'median', 'passed'];
  const body = rows.map((r) => [
    r.figure,
    String(r.clients),
    r.ratios.map((x) => (x === null ? '–' : x.toFixed(2))).join(' '),
    r.median === null
      ? '–'
      : `${r.median.toFixed(2)}${r.median <= 1 ? '' : ' !'}`,
    `${r.passed} of ${runs}`,
  ]);
  printGrid(head, body);
}

export const METHOD = {
  clock:
    'Every interval is start and end on one host: load generators stamp arrivals with process.hrtime.bigint() (the host’s monotonic clock, shared by every process, unlike performance.timeOrigin which each process reads from the wall clock at start) in their own process; for fan-outs the coordinator takes t0 the same way just before the HTTP request (bare ws server: just before its first send; bare MQTT: just before the first publish) and sends t0 to each generator over IPC.',
  commitToPhone:
    'Sampling starts 2 s after the level’s clients connected (idle clients). The coordinator, as the admin (its own process, as the admin’s device is not the member’s), takes t0 and PATCHes /v1/members/{i} {name} as the owner; the generator holding member i’s socket stamps the arrival of the change carrying the new name. Timed from the start of the write, as the figure (commit→phone) and its baseline (a commit + a ws hop) say: arrival − (t0 + pre), pre = the server’s Server-Timing from the request’s arrival in Fastify to the start of its write transaction (authentication, validation, the policy); the client’s send and the server’s HTTP parsing before that stay in (~0.5 ms). The same arrivals − t0 (from the request) are shown beside. HTTP resp = response fully read by the coordinator. Baseline: p99 of a bare SQLite WAL synchronous=FULL single-row commit in the same data dir, one taken 10 ms after each of Keyway’s single-change samples (phones and units), so under the same conditions of a shared host + p99 of a bare ws echo round trip of the same message size with the same idle clients connected. Every latency sample, Keyway’s and the baselines’ (commits, echoes, MQTT publishes), is taken 10 ms after the previous one: a process woken from idle answers about twice as slowly as a busy one. Target: p99 ≤ 2 × baseline.',
  fanout:
    'The coordinator renames group G<n> (members 0..n-1, all connected) and every generator reports each client’s arrival − t0 (after one unrecorded warm-up round, for the baselines too); p50/p99 over all clients of all rounds, last = median over rounds of the last arrival. Baseline: bare ws server sends a string of the same size to the same clients. Target: p99 ≤ 2 × bare p99.',
  units:
    'Simulated units (mqtt.js, username = unit id) subscribe sync, publish resume, and answer every update with applied (QoS 0, as the unit agent does). Single: the coordinator PATCHes the unit’s door’s pulseMs (t0 just before) and the generator holding the unit stamps its sync message; timed from the start of the write as commit→phone is (from the request beside). All: the coordinator changes the space’s time zone and every unit’s arrival is timed. Baseline: bare aedes broker, same payload sizes, published at QoS 0 as Keyway publishes updates (units subscribe at QoS 1 in both). Target: p99 ≤ 2 × mqtt p99 + commit p99.',
  inside:
    'Under the table, the same single-change samples as the server saw them (its Server-Timing): write (queued: waiting behind another write; commit: the COMMIT statement, its WAL write and fsync), push. The server’s bench hook records every GC pause on the bench’s clock; a sample is paused by GC when a pause falls between the start of its write and its arrival. The three slowest samples are split into write (its commit), push, the rest (delivery to the client) and the GC inside them.',
  memory:
    'JS heap used + external memory after two forced GCs (server: --expose-gc and a SIGUSR2 → gc() + memoryUsage() preload via NODE_OPTIONS; bare ws: --expose-gc), with n idle clients connected minus before any, divided by n; VmRSS the same way beside it. The ratio is on heap + external: the RSS also carries the young generation, which V8 resizes by megabytes at its own pace (one RSS reading gave −49 KB per client). Target: ≤ 2 × bare ws and ≤ 20 KB.',
};
