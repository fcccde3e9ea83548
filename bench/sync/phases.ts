import type { CommitProbe } from '../lib/commit-baseline';
import { httpRequest } from '../lib/http';
import { type Summary, summarize } from '../lib/stats';
import { callAll, callSplit, owner, type Worker } from './gens';
import type { Seeded } from './seed';
import { type GcInSamples, type GcPause, gcInSamples } from './server-gc';
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

export interface Sample {
  /** Just before the admin's request, on the bench's clock. */
  t0: number;
  /** Arrival − t0. */
  ms: number;
  /** Arrival − the start of the server's write (t0 + the server's `pre`, see below). */
  fromWriteMs: number;
  httpMs: number;
  /** The server's own Server-Timing: the write (transaction to commit) and the push after it. */
  server: ServerTiming;
  bytes: number;
}

/** A response's Server-Timing metrics, in ms (see apps/server/src/http/timing.ts). */
export type ServerTiming = Partial<
  Record<'pre' | 'write' | 'wait' | 'commit' | 'push' | 'total', number>
>;

export interface Latency {
  clients: number;
  /** From the start of the server's write (the figure the targets are about). */
  arrive: Summary;
  /** From just before the admin's HTTP request. */
  fromRequest: Summary;
  http: Summary;
  /** Inside the server, per its Server-Timing: the write to its commit (and the part of it
   * queued behind other writes), and the push. */
  server: { write: Summary; wait: Summary; commit: Summary; push: Summary };
  /** The server's GC pauses inside the samples (Keyway's server only). */
  gc?: GcInSamples;
  bytes: number;
}

export interface Fanout {
  clients: number;
  /** Every client's arrival, pooled over the rounds, in ms after the send instant. */
  arrive: Summary;
  /** Per round: the last client's arrival and the first's. */
  last: number[];
  first: number[];
  http: Summary;
  missing: number;
  bytes: number;
}

const WARMUP = 3;
/**
 * The pause between two latency samples, for Keyway and every baseline alike (bare commit, ws
 * echo, MQTT publish): a process woken from idle answers about twice as slowly as a busy one
 * (in-process, the same door PATCH: 2.6 ms p50 back to back, 5.1 ms with 10 ms between), so
 * figures compare only at the same pace.
 */
export const SAMPLE_GAP_MS = 10;
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
 * `count` sequential samples (after WARMUP unrecorded), client i = a spread of [0, clients).
 * The admin is the coordinator, as for fan-outs: it takes t0 and sends the request (the
 * response read is httpMs); the generator holding client i, armed with the marker, stamps the
 * arrival. Admin and client are two processes, as they are two devices: the client's
 * generator never handles the admin's HTTP response in the same turn as the message it times.
 */
export async function latencies(
  workers: Worker[],
  clients: number,
  count: number,
  sample: (k: number, i: number) => AdminSample,
  opts: {
    /** A baseline sample taken after each of these (as far from it as they are from each other). */
    between?: () => void;
    /** The server's GC pauses, to find those inside the samples. */
    gc?: () => GcPause[];
  } = {},
): Promise<Latency> {
  const got: Sample[] = [];
  for (let k = 0; k < count + WARMUP; k++) {
    const i = (k * 7919 + 13) % clients;
    const s = sample(k, i);
    const w = owner(workers, i);
    await w.call('arm', { marker: s.marker, expect: 1 });
    const t0 = now();
    const http = await timedRequest(s.url, s.method, s.body, s.token);
    const arrived = await w.call<{ lat: number[]; bytes: number }>(
      'collect',
      { t0, timeoutMs: 30_000 },
      40_000,
    );
    const ms = arrived.lat[0];
    if (ms === undefined)
      throw new Error(`client ${i}: no message carrying ${s.marker}`);
    const { pre } = http.server;
    if (pre === undefined)
      throw new Error(`${s.url}: no Server-Timing pre (no write?)`);
    if (k >= WARMUP)
      got.push({
        t0,
        ms,
        fromWriteMs: ms - pre,
        httpMs: http.ms,
        server: http.server,
        bytes: arrived.bytes,
      });
    await sleep(SAMPLE_GAP_MS);
    if (opts.between) {
      opts.between();
      await sleep(SAMPLE_GAP_MS);
    }
  }
  return {
    clients,
    arrive: summarize(
      got.map((s) => s.fromWriteMs),
      1,
    ),
    fromRequest: summarize(
      got.map((s) => s.ms),
      1,
    ),
    http: summarize(
      got.map((s) => s.httpMs),
      1,
    ),
    server: {
      write: summarize(
        got.flatMap((s) => s.server.write ?? []),
        1,
      ),
      wait: summarize(
        got.flatMap((s) => s.server.wait ?? []),
        1,
      ),
      commit: summarize(
        got.flatMap((s) => s.server.commit ?? []),
        1,
      ),
      push: summarize(
        got.flatMap((s) => s.server.push ?? []),
        1,
      ),
    },
    gc: opts.gc && gcInSamples(got.map(window), opts.gc()),
    bytes: got[0]?.bytes ?? 0,
  };
}

/** A sample from the start of the server's write (t0 + pre) to the arrival. */
const window = (s: Sample) => ({
  begin: s.t0 + s.ms - s.fromWriteMs,
  end: s.t0 + s.ms,
  ms: s.fromWriteMs,
  write: s.server.write ?? 0,
  commit: s.server.commit ?? 0,
  push: s.server.push ?? 0,
});

/** One admin request of a latency sample, and the marker its client's message will carry. */
export interface AdminSample {
  marker: string;
  url: string;
  method: string;
  token: string;
  body: unknown;
}

/**
 * One change reaching clients 0..clients-1: arm every generator with the marker and the count it
 * holds, take t0, `send` (an HTTP request or a bare broadcast, which may report its own t0),
 * then tell every generator t0 over IPC; each returns its clients' arrival times minus t0.
 */
export async function fanout(
  workers: Worker[],
  clients: number,
  rounds: number,
  send: (r: number) => Promise<{ t0?: number; httpMs?: number }>,
  marker: (r: number) => string,
): Promise<Fanout> {
  const all: number[] = [];
  const out = {
    last: [] as number[],
    first: [] as number[],
    http: [] as number[],
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
    const lat = got.flatMap((g) => g.lat);
    all.push(...lat);
    out.last.push(Math.max(...lat));
    out.first.push(Math.min(...lat));
    out.bytes = Math.max(out.bytes, ...got.map((g) => g.bytes));
  }
  return {
    clients,
    arrive: summarize(all, 1),
    ...out,
    http: summarize(out.http, 1),
  };
}

/** An admin's HTTP request from the coordinator (fan-out sends); its response time. */
export function adminRequest(
  run: Run,
  method: string,
  path: string,
  body: unknown,
): Promise<number> {
  return timedRequest(`${run.url}${path}`, method, body, run.seeded.owner).then(
    (r) => r.ms,
  );
}

/**
 * An HTTP request, fully read: its duration in ms, and the server's Server-Timing metrics —
 * `pre` is the time from the request's arrival to the start of its write (a status ≥ 300
 * throws).
 */
async function timedRequest(
  url: string,
  method: string,
  body: unknown,
  token: string,
): Promise<{ ms: number; server: ServerTiming }> {
  const t0 = now();
  const { status, text, headers } = await httpRequest(url, {
    method,
    token,
    body,
  });
  if (status >= 300)
    throw new Error(`${method} ${url}: ${status} ${text.slice(0, 200)}`);
  const ms = now() - t0;
  const server: ServerTiming = {};
  for (const m of String(headers['server-timing'] ?? '').split(',')) {
    const [name, dur] = m.trim().split(';dur=');
    if (name && dur) server[name as keyof ServerTiming] = Number(dur);
  }
  return { ms, server };
}

/** Connects these clients across the generators (client i in generator i mod n); the time it took. */
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
