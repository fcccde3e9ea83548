import type { UnitAck } from '@keyway/protocol';
import type { Clock } from '../clock';

export type LateAckListener = (ack: UnitAck) => void;

interface Entry {
  unitId: string;
  until: number;
  ack?: UnitAck;
  listener?: LateAckListener;
}

/**
 * Open commands whose wait ended in 'timeout', remembered for a while: the unit may still ack
 * one (a slow link, a queue replayed after a reconnect), and an `opened` then means the relay
 * did pulse after the phone was told it timed out (issue 25 item 4). Bounded in time and count,
 * oldest forgotten first; each command is delivered at most once (a redelivered ack is not).
 */
export class LateAcks {
  private entries = new Map<string, Entry>();

  constructor(private opts: { clock: Clock; keepMs: number; max: number }) {}

  /**
   * Remembers a timed-out command; the returned function registers who hears its late ack (at
   * once when it already came: the ack may arrive before the caller has logged the timeout).
   */
  remember(
    commandId: string,
    unitId: string,
  ): (listener: LateAckListener) => void {
    this.prune();
    const entry: Entry = {
      unitId,
      until: this.opts.clock.now().getTime() + this.opts.keepMs,
    };
    this.entries.set(commandId, entry);
    while (this.entries.size > this.opts.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return (listener) => {
      if (this.entries.get(commandId) !== entry) return;
      if (entry.ack) {
        this.entries.delete(commandId);
        listener(entry.ack);
      } else entry.listener = listener;
    };
  }

  /** An ack no command waits for: true when it is a remembered command's (delivered or kept). */
  heard(unitId: string, ack: UnitAck): boolean {
    this.prune();
    const entry = this.entries.get(ack.commandId);
    if (!entry || entry.unitId !== unitId || entry.ack) return false;
    if (!entry.listener) {
      entry.ack = ack;
      return true;
    }
    this.entries.delete(ack.commandId);
    entry.listener(ack);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const now = this.opts.clock.now().getTime();
    for (const [id, e] of this.entries) {
      if (e.until > now) break;
      this.entries.delete(id);
    }
  }
}
