import { httpRequest } from '../lib/http';
import { type Summary, summarize } from '../lib/stats';
import { owner, type Worker } from './gens';
import type { Run } from './phases';
import { type GcInSamples, type GcPause, gcInSamples } from './server-gc';
import { now, sleep } from './worker';

/**
 * Single-change latency (commit→phone, commit→unit): one admin request at a time, its client's
 * arrival, and what the server's Server-Timing and GC pauses say about each sample.
 */

const WARMUP = 3;
/**
 * The pause between two latency samples, for Keyway and every baseline alike (bare commit, ws
 * echo, MQTT publish): a process woken from idle answers about twice as slowly as a busy one
 * (in-process, the same door PATCH: 2.6 ms p50 back to back, 5.1 ms with 10 ms between), so
 * figures compare only at the same pace.
 */
export const SAMPLE_GAP_MS = 10;

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
  /** Inside the server, per its Server-Timing: the write to its commit (the part of it queued
   * behind other writes, and its COMMIT), and the push. */
  server: { write: Summary; wait: Summary; commit: Summary; push: Summary };
  /** The server's GC pauses inside the samples (Keyway's server only). */
  gc?: GcInSamples;
  bytes: number;
}

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
  const of = (ms: (s: Sample) => number | undefined) =>
    summarize(
      got.flatMap((s) => ms(s) ?? []),
      1,
    );
  return {
    clients,
    arrive: of((s) => s.fromWriteMs),
    fromRequest: of((s) => s.ms),
    http: of((s) => s.httpMs),
    server: {
      write: of((s) => s.server.write),
      wait: of((s) => s.server.wait),
      commit: of((s) => s.server.commit),
      push: of((s) => s.server.push),
    },
    gc: opts.gc && gcInSamples(got.map(window), opts.gc()),
    bytes: got[0]?.bytes ?? 0,
  };
}

/** A sample from the start of the server's write (t0 + pre) to the arrival. */
const window = (s: Sample) => ({
  begin: s.t0 + s.ms - s.fromWriteMs,
  end: s.t0 + s.ms,
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
 * An admin's HTTP request from the coordinator (fan-out sends): its response time and the
 * server's Server-Timing.
 */
export function adminRequest(
  run: Run,
  method: string,
  path: string,
  body: unknown,
): Promise<{ httpMs: number; server: ServerTiming }> {
  return timedRequest(`${run.url}${path}`, method, body, run.seeded.owner).then(
    (r) => ({ httpMs: r.ms, server: r.server }),
  );
}

/**
 * An HTTP request, fully read: its duration in ms, and the server's Server-Timing metrics —
 * `pre` is the time from the request's arrival to the start of its write (a status ≥ 300
 * throws).
 */
export async function timedRequest(
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
