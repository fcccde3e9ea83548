import { existsSync, readFileSync } from 'node:fs';
import { type Summary, summarize } from '../lib/stats';

/** One garbage-collection pause of the server, as its bench hook wrote it (server-hooks.ts). */
export interface GcPause {
  /** Its start on the bench's clock (process.hrtime, ms). */
  at: number;
  ms: number;
  /**
   * V8's kind: 1 scavenge (young generation), 2 minor mark-sweep, 4 mark-sweep-compact,
   * 8 incremental marking, 16 weak callbacks.
   */
  kind: number;
}

export function readGcPauses(file: string): GcPause[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const [at, ms, kind] = line.split(' ').map(Number);
      return [at, ms, kind].every(Number.isFinite)
        ? [{ at: at!, ms: ms!, kind: kind! }]
        : [];
    });
}

/** One latency sample as the server saw it: from the start of its write to the arrival. */
export interface SampleWindow {
  begin: number;
  end: number;
  write: number;
  /** The part of `write` that was the COMMIT. */
  commit: number;
  push: number;
}

export interface GcInSamples {
  samples: number;
  /** Samples during which the server paused for GC at least once. */
  overlapped: number;
  /** Those samples' GC pause time (the part inside the sample). */
  pause: Summary;
  /** The slowest samples split: write (its commit), push, the rest (delivery), GC inside. */
  slowest: {
    ms: number;
    write: number;
    commit: number;
    push: number;
    gc: number;
  }[];
}

/**
 * Which samples a server GC pause fell into, and how much of each it took: a pause holds the
 * event loop, so whatever the sample was doing then (its write, its push) waits it out.
 */
export function gcInSamples(
  windows: SampleWindow[],
  pauses: GcPause[],
): GcInSamples {
  const inside = windows.map((w) =>
    pauses.reduce(
      (sum, p) =>
        sum +
        Math.max(0, Math.min(w.end, p.at + p.ms) - Math.max(w.begin, p.at)),
      0,
    ),
  );
  const hit = inside.filter((ms) => ms > 0);
  const r = (x: number) => Math.round(x * 10) / 10;
  const slowest = windows
    .map((w, k) => ({
      ms: r(w.end - w.begin),
      write: r(w.write),
      commit: r(w.commit),
      push: r(w.push),
      gc: r(inside[k]!),
    }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3);
  return {
    samples: windows.length,
    overlapped: hit.length,
    pause: summarize(hit, 1),
    slowest,
  };
}
