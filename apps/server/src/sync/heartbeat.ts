/** Something that is sent a heartbeat once per interval and dropped when it goes silent. */
export interface Beating {
  /** When anything (a pong, a message) last came from it, on the pacer's clock. */
  readonly lastHeard: number;
  /** `every`: the interval, which the member may tell its peer (it then expects two at most). */
  heartbeat(now: number, every: number): void;
  /** Nothing came from it for two intervals: close it without waiting for a handshake. */
  expire(): void;
}

/**
 * Heartbeats by deadline (issue 22). Every member is beaten once per `every` ms; a round is
 * spread over the whole interval so that 9,000 sessions never burst: at each tick the round
 * has beaten the share of its members that the elapsed part of the interval asks for, and the
 * next round starts when the interval is over. (It used to beat at least one member per tick
 * and start again at once, so with fewer members than ticks per interval every one was pinged
 * every 100 ms, and one whose pong took longer was dropped.) A member added during a round is
 * beaten at its end (a Set's iterator visits it), so no member waits much more than `every`.
 *
 * A member is expired when nothing has come from it for two intervals, checked ten times per
 * interval over all members (a subtraction each: 9,000 in well under a millisecond), so a
 * stalled socket is noticed two intervals after it went silent, not up to three.
 */
export class HeartbeatPacer<T extends Beating> {
  private round: Iterator<T> | null = null;
  private roundStart = Number.NEGATIVE_INFINITY;
  private roundSize = 0;
  private beaten = 0;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private members: Set<T>,
    private every: number,
  ) {}

  /** Called every few tens of milliseconds with a monotonic time in ms. */
  tick(now: number): void {
    if (now - this.lastSweep >= this.every / 10) {
      this.lastSweep = now;
      for (const m of this.members)
        if (now - m.lastHeard > 2 * this.every) m.expire();
    }
    for (;;) {
      if (!this.round) {
        if (now - this.roundStart < this.every || this.members.size === 0)
          return;
        // Keep the cadence (a round every `every` ms, not every `every` plus a tick); after an
        // idle spell, start from now.
        this.roundStart =
          now - this.roundStart < 2 * this.every
            ? this.roundStart + this.every
            : now;
        this.round = this.members.values();
        this.roundSize = this.members.size;
        this.beaten = 0;
      }
      const share = (now - this.roundStart) / this.every;
      // The interval is over: whoever is left (members that joined late) is beaten now.
      const due =
        share >= 1
          ? Number.POSITIVE_INFINITY
          : Math.max(1, Math.ceil(this.roundSize * share));
      while (this.beaten < due) {
        const next = this.round.next();
        if (next.done) {
          this.round = null;
          break;
        }
        this.beaten++;
        next.value.heartbeat(now, this.every);
      }
      if (this.round) return;
    }
  }
}
