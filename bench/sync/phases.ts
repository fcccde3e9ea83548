import type { Seeded } from '../../apps/server/src/test/bulk-seed';
import type { CommitProbe } from '../lib/commit-baseline';
import { type Summary, summarize } from '../lib/stats';
import { callAll, callSplit, type Worker } from './gens';
import type { ServerTiming } from './latency';
import type { GcPause } from './server-gc';
import { type Memory, now, sleep } from './worker';

/** What every phase needs: the target, the seeded data, the load generators, the sizes. */
export interface Run {
  url: string;
  seeded: Seeded;
  phones: Worker[];
  units: Worker[];
  sizes: {
    phones: number[];
    fans: number[];
    units: number[];
    samples: number;
    rounds: number;
  };
  log: (msg: string) => void;
  /** The bare commit baseline, sampled between Keyway's single-change samples. */
  commits: CommitProbe;
  /** The server's GC pauses so far (see server-gc.ts). */
  serverGc: () => GcPause[];
  /** Ends a server profile segment (with --profile): what the server did since the last mark. */
  mark: (label: string) => void;
}

export interface Fanout {
  clients: number;
  /** Every client's arrival, pooled over the rounds, in ms after the send instant. */
  arrive: Summary;
  /** Per round: the last client's arrival and the first's. */
  last: number[];
  first: number[];
  http: Summary;
  /** The server's own steps over the rounds (Keyway's Server-Timing; the bare ws server's loop
   * as `push`): `push` is the loop that writes to every socket. */
  server: Partial<Record<FanStep, Summary>>;
  missing: number;
  bytes: number;
}

const FAN_STEPS = ['write', 'commit', 'push'] as const;
type FanStep = (typeof FAN_STEPS)[number];

/**
 * After a level's clients connected, latency sampling waits this long: the clients are then
 * idle, as the figures say (their connects' receipts are written a second later, in a batch).
 */
export const SETTLE_MS = 2000;

/**
 * Memory per idle client is read above a server that already serves this many clients, over
 * the clients added since: what the first ones cost once (code compiled on first use, the
 * space's data loaded) is not a cost per connection.
 */
export const MEMORY_WARMUP = 50;
/** Fan-outs (Keyway's and the baselines' alike) start with one unrecorded round. */
export const FAN_WARMUP = 1;
export const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => from + k);
export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

/**
 * One change reaching clients 0..clients-1: arm every generator with the marker and the count it
 * holds, take t0, `send` (an HTTP request or a bare broadcast, which may report its own t0),
 * then tell every generator t0 over IPC; each returns its clients' arrival times minus t0.
 */
export async function fanout(
  workers: Worker[],
  clients: number,
  rounds: number,
  send: (
    r: number,
  ) => Promise<{ t0?: number; httpMs?: number; server?: ServerTiming }>,
  marker: (r: number) => string,
): Promise<Fanout> {
  const all: number[] = [];
  const out = {
    last: [] as number[],
    first: [] as number[],
    http: [] as number[],
    server: [] as ServerTiming[],
    missing: 0,
    bytes: 0,
  };
  for (let r = 0; r < rounds + FAN_WARMUP; r++) {
    const expect = workers.map(
      (_, k) =>
        range(0, clients).filter((i) => i % workers.length === k).length,
    );
    await Promise.all(
      workers.map((w, k) =>
        w.call('arm', { marker: marker(r), expect: expect[k] }),
      ),
    );
    const t0 = now();
    const sent = await send(r);
    const got = await callAll<{
      lat: number[];
      bytes: number;
      missing: number;
    }>(workers, 'collect', { t0: sent.t0 ?? t0, timeoutMs: 60_000 }, 90_000);
    await sleep(200);
    // A message missing in any round is a failure; timings are kept after the warm-up.
    out.missing += got.reduce((n, g) => n + g.missing, 0);
    if (r < FAN_WARMUP) continue;
    if (sent.httpMs !== undefined) out.http.push(sent.httpMs);
    if (sent.server) out.server.push(sent.server);
    const lat = got.flatMap((g) => g.lat);
    all.push(...lat);
    out.last.push(Math.max(...lat));
    out.first.push(Math.min(...lat));
    out.bytes = Math.max(out.bytes, ...got.map((g) => g.bytes));
  }
  const steps = FAN_STEPS.filter((s) => out.server[0]?.[s] !== undefined);
  return {
    clients,
    arrive: summarize(all, 1),
    ...out,
    http: summarize(out.http, 1),
    server: Object.fromEntries(
      steps.map((s) => [
        s,
        summarize(
          out.server.map((t) => t[s] ?? 0),
          1,
        ),
      ]),
    ),
  };
}

/**
 * Connects the first MEMORY_WARMUP clients (`client(i)`), lets them settle and reads the
 * server's memory: the idle reading memory per client is measured above.
 */
export async function warmIdle(
  workers: Worker[],
  what: string,
  client: (i: number) => { i: number },
  args: (share: unknown[]) => Record<string, unknown>,
  memory: () => Promise<Memory>,
): Promise<Memory> {
  await connect(
    workers,
    `${what} warm-up`,
    range(0, MEMORY_WARMUP).map(client),
    args,
  );
  await sleep(SETTLE_MS);
  return memory();
}

/** Connects these clients across the generators (client i in generator i mod n); the time it took. */
export async function connect(
  workers: Worker[],
  what: string,
  items: { i: number }[],
  args: (share: unknown[]) => Record<string, unknown>,
): Promise<number> {
  const t0 = now();
  const res = await callSplit<
    { i: number },
    { ok: number; failed: number; errors: string[] }
  >(workers, 'connect', items, (c) => c.i, args, 900_000);
  const failed = res.reduce((n, r) => n + r.failed, 0);
  if (failed)
    throw new Error(
      `${what}: ${failed} clients failed to connect: ${res.flatMap((r) => r.errors)[0]}`,
    );
  return now() - t0;
}
