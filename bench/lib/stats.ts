import { performance } from 'node:perf_hooks';

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
}

/** Nearest-rank percentiles, in milliseconds rounded to 0.01. */
export function summarize(samples: number[], seconds: number): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    s[Math.max(0, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    n: s.length,
    p50: r(at(0.5)),
    p99: r(at(0.99)),
    max: r(s[s.length - 1] ?? Number.NaN),
    perSecond: r(s.length / seconds),
  };
}

export interface LoopResult {
  summary: Summary;
  /** Failed operations, by what went wrong (an HTTP status, an error message). */
  errors: Record<string, number>;
}

/**
 * A closed loop: `workers` callers, each issuing its next operation as soon as the last one
 * answered, for `warmupMs` unrecorded and then `ms` recorded. `op` returns an error label or
 * undefined on success.
 */
export async function closedLoop(
  workers: number,
  ms: number,
  warmupMs: number,
  op: (worker: number) => Promise<string | undefined>,
): Promise<LoopResult> {
  const samples: number[] = [];
  const errors: Record<string, number> = {};
  const start = performance.now();
  const recordFrom = start + warmupMs;
  const end = recordFrom + ms;
  const run = async (w: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const failure = await op(w).catch((err: Error) => err.message);
      const t1 = performance.now();
      if (t0 < recordFrom) continue;
      if (failure) errors[failure] = (errors[failure] ?? 0) + 1;
      else samples.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => run(w)));
  return { summary: summarize(samples, ms / 1000), errors };
}
