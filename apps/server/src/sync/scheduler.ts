import type { Clock } from '../clock';

/**
 * Time is a change (issue #3 item 6): one timer for the whole server. Each space registers the
 * next instant its views change by time alone (a member's frame opens or closes, a validity date
 * passes); when it comes, the space's views are recomputed and the difference is pushed.
 */
export class TimeScheduler {
  private due = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private offClock?: () => void;

  constructor(
    private clock: Clock,
    private recompute: (spaceId: string) => Promise<void>,
    private onError: (err: unknown) => void,
  ) {
    // A clock that tests move tells us, so a jump to 18:00 fires the 18:00 timers at once.
    this.offClock = clock.subscribe?.(() => this.arm());
  }

  schedule(spaceId: string, at: Date | null): void {
    if (at) this.due.set(spaceId, at.getTime());
    else this.due.delete(spaceId);
    this.arm();
  }

  /** Brings a space's timer forward to `at` if that is sooner (a member-scoped recompute). */
  scheduleEarlier(spaceId: string, at: Date | null): void {
    const current = this.due.get(spaceId);
    if (at && (current === undefined || at.getTime() < current))
      this.schedule(spaceId, at);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.due.size === 0) return;
    let first = Number.POSITIVE_INFINITY;
    for (const t of this.due.values()) first = Math.min(first, t);
    const delay = Math.max(
      0,
      Math.min(first - this.clock.now().getTime(), 2 ** 31 - 1),
    );
    this.timer = setTimeout(() => void this.fire(), delay);
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.clock.now().getTime();
      const ready = [...this.due].filter(([, t]) => t <= now).map(([id]) => id);
      for (const id of ready) this.due.delete(id);
      for (const id of ready) {
        try {
          await this.recompute(id); // reschedules itself through the change batch
        } catch (err) {
          this.onError(err);
          this.due.set(id, now + 1000); // try again shortly
        }
      }
    } finally {
      this.running = false;
      this.arm();
    }
  }

  /** Forgets every timer (this node no longer holds the scheduling lease). */
  clear(): void {
    this.due.clear();
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.offClock?.();
  }
}
