import { readFileSync } from 'node:fs';

/**
 * What the load-generator processes of `bench:sync` share: the IPC call loop, a clock that
 * agrees across processes of one host, and the record of when a marked message arrived.
 */

/**
 * Milliseconds on the host's monotonic clock (CLOCK_MONOTONIC, one for every process), to the
 * nanosecond. Not `performance.timeOrigin + performance.now()`: each process takes its
 * timeOrigin from the wall clock when it starts, so when the wall clock is stepped or slewed
 * during a run the processes disagree — one run here read every latency 32–770 ms too high, and
 * the bare ws fan-out negative.
 */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Client sockets are spread over these source addresses (no ephemeral-port exhaustion). */
export const SOURCES = [2, 3, 4, 5, 6, 7, 8, 9].map((n) => `127.0.0.${n}`);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer in ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A server's memory after forced GCs, in KiB: its resident set, and what its JS heap and
 * external buffers hold. The RSS includes the young generation's semispaces, which V8 grows
 * and shrinks by megabytes at its own pace: at 1k clients that swings the per-client figure by
 * ±15 KB (once to −49 KB). Heap + external is what the connections themselves hold.
 */
export interface Memory {
  rssKb: number;
  heapKb: number;
}

/** Memory per client of the `n` clients connected since `idle` was read. */
export const perClient = (m: Memory, idle: Memory, n: number) => ({
  perClientKb: (m.heapKb - idle.heapKb) / n,
  perClientRssKb: (m.rssKb - idle.rssKb) / n,
});

/** A process's Memory from its `process.memoryUsage()` (taken after its GCs). */
export const memoryOf = (
  pid: number,
  usage: { heapUsed: number; external: number },
): Memory => ({
  rssKb: rssKb(pid),
  heapKb: Math.round((usage.heapUsed + usage.external) / 1024),
});

/** Resident set size of a process, in KiB (VmRSS of /proc/<pid>/status). */
export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Runs `fn` over `items` with at most `limit` in flight; collects failures instead of throwing. */
export async function pool<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  const errors: string[] = [];
  const run = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((err: Error) => errors.push(err.message));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return {
    ok: items.length - errors.length,
    failed: errors.length,
    errors: errors.slice(0, 3),
  };
}

type Handler = (args: any) => unknown;

/** Answers the coordinator's `{id, cmd, args}` calls; exits when the coordinator goes away. */
export function serve(handlers: Record<string, Handler>): void {
  const send = process.send?.bind(process);
  if (!send)
    throw new Error(
      'start this script with an IPC channel (child_process.fork)',
    );
  process.on('message', (m: { id: number; cmd: string; args: unknown }) => {
    Promise.resolve()
      .then(() => {
        const h = handlers[m.cmd];
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        return h(m.args);
      })
      .then(
        (result) => send({ id: m.id, result: result ?? null }),
        (err: Error) => send({ id: m.id, error: err.stack ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}

/** A payload of about `bytes` bytes carrying `marker` (the size of the real message). */
export const padded = (marker: string, bytes: number) =>
  JSON.stringify({
    m: marker,
    p: 'x'.repeat(Math.max(0, bytes - marker.length - 16)),
  });

interface Waiter {
  marker: string;
  resolve: (got: { t: number; bytes: number }) => void;
}

/**
 * Arrival times of messages carrying a marker: one client's next marked message (latency), or
 * every client's (fan-out). `seen` is called first thing in every message handler.
 */
export class Arrivals {
  private marker: string | null = null;
  private times: number[] = [];
  private expect = 0;
  private full: (() => void) | null = null;
  private waiters = new Map<number, Waiter>();
  private bytes = 0;

  seen(client: number, data: Buffer, t: number): void {
    const w = this.waiters.get(client);
    if (w && data.includes(w.marker)) {
      this.waiters.delete(client);
      w.resolve({ t, bytes: data.length });
    }
    if (this.marker && data.includes(this.marker)) {
      this.times.push(t);
      this.bytes = data.length;
      if (this.times.length >= this.expect) this.full?.();
    }
  }

  /** The arrival instant of `client`'s next message containing `marker`. */
  waitOne(
    client: number,
    marker: string,
    ms: number,
  ): Promise<{ t: number; bytes: number }> {
    const got = new Promise<{ t: number; bytes: number }>((resolve) =>
      this.waiters.set(client, { marker, resolve }),
    );
    return withTimeout(
      got,
      ms,
      `client ${client} waiting for ${marker}`,
    ).finally(() => this.waiters.delete(client));
  }

  arm(marker: string, expect: number): void {
    this.marker = marker;
    this.expect = expect;
    this.times = [];
    this.bytes = 0;
  }

  /** Arrivals since `arm`, in ms after `t0` (the send instant, told by the coordinator). */
  async collect(
    t0: number,
    ms: number,
  ): Promise<{ lat: number[]; bytes: number; missing: number }> {
    if (this.times.length < this.expect) {
      const done = new Promise<void>((resolve) => {
        this.full = resolve;
      });
      await Promise.race([done, sleep(ms)]);
    }
    this.full = null;
    this.marker = null;
    const lat = this.times.map((t) => t - t0);
    return {
      lat,
      bytes: this.bytes,
      missing: Math.max(0, this.expect - lat.length),
    };
  }
}
