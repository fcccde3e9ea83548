/**
 * A cluster node vouches for its views only while it hears from the change log (docs/cluster.md,
 * "A node cut off"). Cut off from the database for longer than `limitMs`, it can no longer know
 * whether another node changed what its sockets show, so it stops serving: sync sockets are
 * closed with `node_isolated` (clients resume on another node, or here once back) and requests
 * are refused with 503 until the log answers again.
 */
export class LogFence {
  isolated = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private opts: {
      /** How long the change log has not answered. */
      silentMs: () => number;
      limitMs: number;
      onIsolated: (silentMs: number) => void;
      onRestored: (silentMs: number) => void;
    },
  ) {}

  start(everyMs = 250): void {
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(): void {
    const silent = this.opts.silentMs();
    if (!this.isolated && silent > this.opts.limitMs) {
      this.isolated = true;
      this.opts.onIsolated(silent);
    } else if (this.isolated && silent <= this.opts.limitMs) {
      this.isolated = false;
      this.opts.onRestored(silent);
    }
  }
}
