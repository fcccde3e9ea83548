import type { Logger } from 'pino';
import type { ChangeBatch, ChangeBus } from './bus';
import type { CommittedChange } from './changelog';
import { getOrCreate } from './maps';
import { changeBytes } from './wire';

/** One live client (a WebSocket session or a unit) following some audiences. */
export interface Subscriber {
  readonly audiences: ReadonlySet<string>;
  readonly sessionId?: string;
  /** Called once per committed change for this subscriber, in commit order, with the shared bytes. */
  deliver(change: CommittedChange, message: Buffer): void;
  /** Its session was revoked: close now. */
  revoke(): void;
}

/**
 * Fans committed changes out to live subscribers. Each change is turned into its wire message
 * once and the same string goes to every socket of every audience it targets.
 */
export class SyncHub {
  private byAudience = new Map<string, Set<Subscriber>>();
  private all = new Set<Subscriber>();
  private off: () => void;
  /** Told after each change went to its subscribers (metrics: commit → push, delivered cursor). */
  onFannedOut?: (change: CommittedChange) => void;

  constructor(
    bus: ChangeBus,
    private epoch: string,
    private log: Logger,
  ) {
    this.off = bus.subscribe((batch) => this.onBatch(batch));
  }

  add(sub: Subscriber): void {
    this.all.add(sub);
    for (const a of sub.audiences) {
      getOrCreate(this.byAudience, a, () => new Set<Subscriber>()).add(sub);
    }
  }

  remove(sub: Subscriber): void {
    this.all.delete(sub);
    for (const a of sub.audiences) {
      const set = this.byAudience.get(a);
      set?.delete(sub);
      if (set?.size === 0) this.byAudience.delete(a);
    }
  }

  /**
   * The wire form of a change, UTF-8 encoded: callers reuse the same bytes for every socket
   * and unit (encoding the string per send was 9,000 encodings for a group rename).
   */
  message(change: CommittedChange): Buffer {
    return changeBytes(
      { cursor: `${this.epoch}.${change.cursor}`, at: change.at },
      change.payload,
    );
  }

  private onBatch(batch: ChangeBatch): void {
    for (const change of batch.changes) {
      this.fanOut(change);
      this.onFannedOut?.(change);
    }
    if (batch.revokedSessions?.length) {
      const revoked = new Set(batch.revokedSessions);
      for (const sub of this.all)
        if (sub.sessionId && revoked.has(sub.sessionId)) sub.revoke();
    }
  }

  /**
   * Every subscriber that follows one of the change's audiences, once. A change for about as
   * many audiences as there are subscribers (a group rename to thousands of phones) walks the
   * subscribers in the order they came, not audience by audience: sockets written in the order
   * they were opened write faster, and no set of those already served is built (5,000 phones
   * in-process: the loop 113 → 79 ms median; the same sockets written directly, 73–78).
   */
  private fanOut(change: CommittedChange): void {
    let message: Buffer | null = null;
    const deliver = (sub: Subscriber) => {
      message ??= this.message(change);
      try {
        sub.deliver(change, message);
      } catch (err) {
        this.log.warn({ category: 'sync', err }, 'delivery failed');
      }
    };
    if (change.audiences.length * 2 >= this.all.size) {
      const targets = new Set(change.audiences);
      for (const sub of this.all)
        for (const a of sub.audiences)
          if (targets.has(a)) {
            deliver(sub);
            break;
          }
      return;
    }
    const seen = new Set<Subscriber>();
    for (const audience of change.audiences) {
      const subs = this.byAudience.get(audience);
      if (!subs) continue;
      for (const sub of subs) {
        if (seen.has(sub)) continue;
        seen.add(sub);
        deliver(sub);
      }
    }
  }

  stop(): void {
    this.off();
  }
}
