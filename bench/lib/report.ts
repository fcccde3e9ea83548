import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import type { LoopResult, Summary } from './stats';

export interface Row {
  level: number;
  open: LoopResult;
  /** The server's own measure of command → ack, from the access log. */
  unitLeg: Summary;
  /** CPU ms per recorded open (warm-up included in the numerator: an upper bound). */
  cpuMsPerOpen: Record<string, number | null>;
  mqtt: LoopResult;
  ratio: number;
}

export interface Report {
  mode: 'quick' | 'full';
  tcpNoDelay: boolean;
  storage: 'sqlite' | 'postgres';
  layout: string;
  recordMs: number;
  warmupMs: number;
  wireBytes: { request: number; reply: number };
  commit: Summary & { count: number };
  levels: Row[];
}

export const FORMULA =
  'ratio = open p99 / (3 × mqtt p99 + commit p99); target ≤ 1';

export function printTable(r: Report): void {
  const f = (x: number) => x.toFixed(2);
  const head = [
    'level',
    'opens n (/s)',
    'open p50/p99/max ms',
    'unit leg p50/p99',
    'mqtt p50/p99/max ms',
    'commit p50/p99',
    'ratio',
  ];
  const body = r.levels.map((row) => {
    const o = row.open.summary;
    const m = row.mqtt.summary;
    return [
      String(row.level),
      `${o.n} (${Math.round(o.perSecond)})`,
      `${f(o.p50)} / ${f(o.p99)} / ${f(o.max)}`,
      `${f(row.unitLeg.p50)} / ${f(row.unitLeg.p99)}`,
      `${f(m.p50)} / ${f(m.p99)} / ${f(m.max)}`,
      `${f(r.commit.p50)} / ${f(r.commit.p99)}`,
      `${f(row.ratio)}${row.ratio <= 1 ? '' : ' !'}`,
    ];
  });
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((b) => b[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  const nodelay = r.tcpNoDelay ? ', TCP_NODELAY everywhere' : '';
  console.log(`\nDoor-open round trip, ${r.storage}${nodelay}, ${r.layout}`);
  console.log(`${cpus().length} CPUs, node ${process.version}; ${FORMULA}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) console.log(line(b));
  for (const row of r.levels)
    if (Object.keys(row.open.errors).length)
      console.log(`errors at ${row.level}: ${JSON.stringify(row.open.errors)}`);
}

/**
 * bench/results/open.json for the default run (SQLite); variants get their own file
 * (open.postgres.json, open.tcp-nodelay.json...) so they never overwrite it. Returns the name.
 */
export function writeJson(r: Report): string {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
  const out = {
    date: new Date().toISOString(),
    machine,
    formula: FORMULA,
    ...r,
  };
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = [
    'open',
    r.storage === 'postgres' && 'postgres',
    r.tcpNoDelay && 'tcp-nodelay',
    'json',
  ]
    .filter(Boolean)
    .join('.');
  writeFileSync(new URL(file, dir), `${JSON.stringify(out, null, 2)}\n`);
  return file;
}
