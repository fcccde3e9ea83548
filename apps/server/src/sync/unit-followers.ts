import type { UnitSyncReport } from '@keyway/protocol';
import type { Logger } from 'pino';
import { ownerOf } from './rendezvous';

/** One unit's follower (unit-follower.ts), as this class drives it. */
export interface FollowerHandle {
  /** Replays what the unit missed after `cursor` (a snapshot when null or unknown), then follows. */
  resume(cursor: string | null): Promise<void>;
  applied(cursor: string): void;
  stop(): void;
  /** Closed by itself (too far behind): a new one is needed. */
  readonly stopped: boolean;
}

/**
 * Where this node stands in the cluster, for units: who is live (`_nodes/+`, node-roster.ts),
 * which units are online, and the last cursor the database recorded for a unit.
 */
export interface UnitPlacement {
  readonly self: string;
  members(): readonly string[];
  onChange(listener: () => void): () => void;
  onlineUnits(): Iterable<string>;
  isOnline(unitId: string): boolean;
  /** The units' cursors as last written to `sync_clients` (receipts, ≤ 1 s old); absent: none. */
  storedCursors(unitIds: readonly string[]): Promise<Map<string, string>>;
}

export interface UnitFollowersOptions {
  log: Logger;
  create(unitId: string): FollowerHandle;
  /** Cluster mode; without it this node follows every unit that says `resume` (one process). */
  placement?: UnitPlacement | undefined;
  /** A unit that came online is given this long to say `resume` before it is taken over. */
  resumeGraceMs?: number;
  /** How often every online unit's follower is checked (a missed event, a failed takeover). */
  sweepMs?: number;
  now?: () => number;
}

/**
 * The units this node streams view changes to (docs/cluster.md, "Unit followers").
 *
 * One process follows every unit that says `resume`, as before. In a cluster each unit has
 * one follower: the first of the live nodes by rendezvous hash (rendezvous.ts). Every node hears
 * every unit's `resume` and `applied`, so every node knows the last cursor each unit reported
 * applied. When the membership changes, each node takes over the online units it now ranks
 * first for, from that cursor, and lets go of the ones another node now ranks first for. A unit
 * dedups by cursor (apps/unit/src/replica.ts), and a reported cursor is never ahead of the
 * unit, so what the replay repeats is dropped and nothing after it is missed.
 */
export class UnitFollowers {
  private followers = new Map<string, FollowerHandle>();
  /** Cluster mode: the last `resume`/`applied` cursor each online unit reported. */
  private reports = new Map<string, string | null>();
  /** Online units that connected since this node heard them: their `resume` is due. */
  private awaiting = new Map<string, number>();
  /** Takeovers waiting for the stored cursor; `needStored`: not asked for yet. */
  private starting = new Set<string>();
  private needStored = new Set<string>();
  private owners = new Map<string, string | undefined>();
  private ownersOf: readonly string[] = [];
  private offRoster?: () => void;
  private sweep?: NodeJS.Timeout;
  private moved = { taken: [] as string[], released: [] as string[] };
  private logScheduled = false;
  private readonly now: () => number;

  constructor(private opts: UnitFollowersOptions) {
    this.now = opts.now ?? (() => performance.now());
    const { placement } = opts;
    if (!placement) return;
    this.offRoster = placement.onChange(() => this.rebalance());
    this.sweep = setInterval(() => this.rebalance(), opts.sweepMs ?? 1000);
    this.sweep.unref();
  }

  /** Units this node follows now. */
  get size(): number {
    let n = 0;
    for (const f of this.followers.values()) if (!f.stopped) n++;
    return n;
  }

  following(unitId: string): boolean {
    const f = this.followers.get(unitId);
    return f !== undefined && !f.stopped;
  }

  /** A unit's `resume` or `applied`. */
  onReport(unitId: string, report: UnitSyncReport): void {
    const { placement } = this.opts;
    if (!placement) {
      if (report.type === 'applied')
        this.followers.get(unitId)?.applied(report.cursor);
      else this.follow(unitId, report.cursor);
      return;
    }
    this.reports.set(unitId, report.cursor);
    if (report.type === 'resume') {
      this.awaiting.delete(unitId);
      if (this.owns(unitId)) this.follow(unitId, report.cursor);
      else this.release(unitId);
      return;
    }
    const f = this.followers.get(unitId);
    if (f && !f.stopped) f.applied(report.cursor);
    else this.place(unitId);
  }

  /** A unit's presence: `retained` when it was connected before this node heard it. */
  onStatus(unitId: string, online: boolean, retained: boolean): void {
    if (!online) {
      this.followers.get(unitId)?.stop();
      this.followers.delete(unitId);
      this.reports.delete(unitId);
      this.awaiting.delete(unitId);
      return;
    }
    if (!this.opts.placement) return;
    // Just connected: its `resume` follows at once and says where it is.
    if (!retained) this.awaiting.set(unitId, this.now());
    else this.place(unitId);
  }

  /** Takes or lets go of each online unit as the membership says. */
  rebalance(): void {
    const { placement } = this.opts;
    if (!placement) return;
    for (const unitId of placement.onlineUnits()) this.place(unitId);
    for (const unitId of [...this.followers.keys()])
      if (!placement.isOnline(unitId)) {
        this.followers.get(unitId)?.stop();
        this.followers.delete(unitId);
      } else if (!this.owns(unitId)) this.release(unitId);
  }

  private owns(unitId: string): boolean {
    const placement = this.opts.placement!;
    const members = placement.members();
    if (members !== this.ownersOf) {
      this.owners.clear();
      this.ownersOf = members;
    }
    let owner = this.owners.get(unitId);
    if (owner === undefined && !this.owners.has(unitId)) {
      owner = ownerOf(unitId, members);
      this.owners.set(unitId, owner);
    }
    return owner === placement.self;
  }

  private place(unitId: string): void {
    const placement = this.opts.placement!;
    if (!placement.isOnline(unitId)) return;
    if (!this.owns(unitId)) {
      this.release(unitId);
      return;
    }
    if (this.following(unitId) || this.starting.has(unitId)) {
      this.awaiting.delete(unitId);
      return;
    }
    const since = this.awaiting.get(unitId);
    if (
      since !== undefined &&
      this.now() - since < (this.opts.resumeGraceMs ?? 3000)
    )
      return;
    this.awaiting.delete(unitId);
    if (this.reports.has(unitId)) {
      this.takeOver(unitId, this.reports.get(unitId) ?? null);
      return;
    }
    if (since !== undefined) {
      // It connected and its resume never came (lost with a connection): it may have started
      // over without its state, so only a snapshot is sure to be right.
      this.takeOver(unitId, null);
      return;
    }
    // Connected before this node heard from it (this node just started): the database's
    // receipts say where it was, at most about a second behind — older is safe, only longer.
    // Read together: a node starting takes a third of the units at once.
    this.starting.add(unitId);
    this.needStored.add(unitId);
    if (this.needStored.size === 1) queueMicrotask(() => this.readStored());
  }

  private readStored(): void {
    const placement = this.opts.placement!;
    const all = [...this.needStored];
    this.needStored.clear();
    for (let i = 0; i < all.length; i += 500) {
      const ids = all.slice(i, i + 500);
      placement.storedCursors(ids).then(
        (stored) => {
          for (const unitId of ids) {
            this.starting.delete(unitId);
            if (!placement.isOnline(unitId) || this.following(unitId)) continue;
            if (!this.owns(unitId)) continue;
            this.takeOver(
              unitId,
              this.reports.has(unitId)
                ? (this.reports.get(unitId) ?? null)
                : (stored.get(unitId) ?? null),
            );
          }
        },
        (err) => {
          for (const unitId of ids) this.starting.delete(unitId);
          this.opts.log.warn(
            { category: 'sync', units: ids.length, err },
            'unit takeover: stored cursors unreadable (retried)',
          );
        },
      );
    }
  }

  private takeOver(unitId: string, cursor: string | null): void {
    this.follow(unitId, cursor);
    this.note('taken', `${unitId}@${cursor ?? 'snapshot'}`);
  }

  private follow(unitId: string, cursor: string | null): void {
    this.followers.get(unitId)?.stop();
    const follower = this.opts.create(unitId);
    this.followers.set(unitId, follower);
    follower.resume(cursor).catch((err) => {
      this.opts.log.warn(
        { category: 'sync', unitId, err },
        'unit resume failed',
      );
      // Cluster mode: the sweep starts it again from the last report.
      if (this.opts.placement && this.followers.get(unitId) === follower) {
        follower.stop();
        this.followers.delete(unitId);
      }
    });
  }

  private release(unitId: string): void {
    const f = this.followers.get(unitId);
    if (!f) return;
    f.stop();
    this.followers.delete(unitId);
    this.note('released', unitId);
  }

  /** One log line per burst of moves (a node dying moves a third of the units at once). */
  private note(kind: 'taken' | 'released', what: string): void {
    this.moved[kind].push(what);
    if (this.logScheduled) return;
    this.logScheduled = true;
    setImmediate(() => {
      this.logScheduled = false;
      const { taken, released } = this.moved;
      this.moved = { taken: [], released: [] };
      const members = this.opts.placement?.members() ?? [];
      if (taken.length)
        this.opts.log.info(
          {
            category: 'sync',
            units: taken.length,
            from: taken.slice(0, 20),
            nodes: members,
          },
          `took over ${taken.length} unit follower(s)`,
        );
      if (released.length)
        this.opts.log.info(
          {
            category: 'sync',
            units: released.length,
            released: released.slice(0, 20),
            nodes: members,
          },
          `handed ${released.length} unit follower(s) to another node`,
        );
    });
  }

  stop(): void {
    this.offRoster?.();
    clearInterval(this.sweep);
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
  }
}
