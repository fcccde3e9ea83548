import { type AckResult, UnitAck } from '@keyway/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { type LateAckListener, LateAcks } from './late-acks';

/** How an open command ended, as the unit said (issue 25 item 4). */
export interface OpenOutcome {
  commandId: string;
  /** The ack's result; 'timeout' without one; 'protocol_error' for an ack that does not parse. */
  result: AckResult | 'timeout' | 'protocol_error';
  /** The unit's `message` (for humans), or what was wrong with its ack. */
  message?: string | undefined;
  /** After 'timeout': hears the unit's ack if it still comes (late-acks.ts), once. */
  late?: (listener: LateAckListener) => void;
}
type Settled = Omit<OpenOutcome, 'commandId'>;

/**
 * The commands this node waits an ack for, matched by `commandId`; after the wait, for a while,
 * the timed-out ones (late-acks.ts).
 */
export class AckWaits {
  private pending = new Map<
    string,
    { unitId: string; resolve: (r: Settled) => void; timer: NodeJS.Timeout }
  >();
  /** Kept 10 minutes, as units keep command ids (docs/unit-protocol.md §5). */
  private late: LateAcks;

  constructor(private opts: { clock: Clock; log: Logger }) {
    this.late = new LateAcks({
      clock: opts.clock,
      keepMs: 10 * 60_000,
      max: 1000,
    });
  }

  /** Resolves with the unit's ack, or 'timeout' after `ms`. */
  wait(commandId: string, unitId: string, ms: number): Promise<OpenOutcome> {
    return new Promise<OpenOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(commandId);
        resolve({
          commandId,
          result: 'timeout',
          late: this.late.remember(commandId, unitId),
        });
      }, ms);
      this.pending.set(commandId, {
        unitId,
        resolve: (r) => resolve({ commandId, ...r }),
        timer,
      });
    });
  }

  /**
   * An ack payload from `unitId`. `addressed`: it came to this node (its own ack topic, or an
   * embedded broker's only node), not to `acks`, which every node of a cluster hears.
   */
  heard(unitId: string, json: unknown, addressed: boolean): boolean {
    const parsed = UnitAck.safeParse(json);
    const raw = (json ?? {}) as { commandId?: unknown; result?: unknown };
    const commandId = parsed.success ? parsed.data.commandId : raw.commandId;
    const p =
      typeof commandId === 'string' ? this.pending.get(commandId) : undefined;
    const mine = p !== undefined && p.unitId === unitId;
    const settle = (r: Settled) => {
      clearTimeout(p!.timer);
      this.pending.delete(commandId as string);
      p!.resolve(r);
    };
    if (!parsed.success) {
      // A waiting command is answered at once, not after the timeout (issue 25 item 4).
      if (mine)
        settle({
          result: 'protocol_error',
          message: `The unit's ack does not follow the protocol (result ${JSON.stringify(raw.result ?? null).slice(0, 80)}).`,
        });
      return false;
    }
    const ack = parsed.data;
    if (mine) {
      settle({ result: ack.result, message: ack.message });
      return true;
    }
    // A command this node gave up waiting for: its caller corrects the log (open-door.ts).
    if (this.late.heard(unitId, ack)) {
      this.opts.log.info(
        { category: 'mqtt', unitId, ack },
        'late ack of a timed-out command',
      );
      return true;
    }
    // Otherwise another node's command (an old unit acks on `acks`, which every node hears).
    if (addressed)
      this.opts.log.info(
        { category: 'mqtt', unitId, ack },
        'late or unknown ack',
      );
    return true;
  }

  /** Shutdown: every wait ends as a timeout, with no late ack to come. */
  stop(): void {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ result: 'timeout' });
    }
    this.pending.clear();
  }
}
