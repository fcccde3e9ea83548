import { performance } from 'node:perf_hooks';

/**
 * Where one request's time went, sent as a `Server-Timing` header (browsers' devtools show it):
 * `pre` from the request's arrival to the start of its first write (authentication, validation,
 * the policy), `write` from there to the commit of its last write (waiting for a write ahead of
 * it included), `wait` the part of `write` spent queued behind other writes before its
 * transaction ran, `commit` the part from the end of its last transaction's work to the commit
 * (the durable COMMIT: the WAL write and its fsync), `push` from the commit until the change was
 * handed to every socket and unit, `total` until the response. The sync benchmark times a
 * change from its write with `pre`.
 */
export class RequestTiming {
  private writeStart: number | undefined;
  private runsAt: number | undefined;
  private commitAt: number | undefined;
  private committedAt: number | undefined;
  private pushedAt: number | undefined;

  /** `start`: the request's arrival, on `performance.now()`'s clock. */
  constructor(private readonly start: number) {}

  writeBegins(): void {
    this.writeStart ??= performance.now();
  }

  /** The first write's transaction runs: nothing ahead of it holds the connection. */
  writeRuns(): void {
    this.runsAt ??= performance.now();
  }

  /** The transaction's work is done: what follows is its COMMIT. */
  commitBegins(): void {
    this.commitAt = performance.now();
  }

  committed(): void {
    this.committedAt = performance.now();
  }

  pushed(): void {
    this.pushedAt = performance.now();
  }

  header(): string {
    const now = performance.now();
    const metric = (name: string, ms: number) => `${name};dur=${ms.toFixed(3)}`;
    const out: string[] = [];
    if (this.writeStart !== undefined) {
      out.push(metric('pre', this.writeStart - this.start));
      if (this.committedAt !== undefined) {
        out.push(metric('write', this.committedAt - this.writeStart));
        if (this.runsAt !== undefined)
          out.push(metric('wait', this.runsAt - this.writeStart));
        if (this.commitAt !== undefined)
          out.push(metric('commit', this.committedAt - this.commitAt));
        if (this.pushedAt !== undefined)
          out.push(metric('push', this.pushedAt - this.committedAt));
      }
    }
    out.push(metric('total', now - this.start));
    return out.join(', ');
  }
}
