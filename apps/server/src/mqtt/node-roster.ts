import type { Logger } from 'pino';
import { newId } from '../ids';

/**
 * Cluster membership through the broker (docs/cluster.md, "Unit followers"). Each node keeps a
 * retained announcement on `_nodes/{nodeId}`, refreshed every `refreshMs`, with a last will
 * that clears it (an empty retained message) when its connection dies. Units may neither read
 * nor write below `_nodes/` (dynsec-acl.ts, broker.ts).
 */
export const NODES_ROOT = '_nodes';
export const nodeTopic = (nodeId: string) => `${NODES_ROOT}/${nodeId}`;

/** What a node says about itself, retained on its topic. */
interface Announcement {
  node: string;
  /** One process: another process announcing the same node id is a misconfiguration. */
  instance: string;
  startedAt: string;
  /** Peers forget the node when they hear nothing for 3 periods (a stale retained message). */
  refreshMs: number;
}

export interface RosterOptions {
  self: string;
  log: Logger;
  /** Re-announce period; peers forget a node they have not heard for 3 periods and a second. */
  refreshMs?: number;
  /** Monotonic milliseconds (tests). */
  now?: () => number;
}

export type RosterSend = (
  topic: string,
  payload: string,
  expirySeconds: number | undefined,
) => Promise<void>;

/**
 * The live nodes, as this node hears them. `members()` includes this node once it has
 * announced itself (after the retained announcements of the others had time to arrive), so a
 * starting node follows no unit before it knows who else is there.
 */
export class NodeRoster {
  private peers = new Map<string, { heard: number; expireMs: number }>();
  private listeners = new Set<() => void>();
  private announced = false;
  private unavailable = false;
  /** Subscribed on a live link (`connected` since the last `linkDown`). */
  private linked = false;
  /** Fenced (cut off from the change log): out of the roster until `rejoin`. */
  private standingDown = false;
  private timer?: NodeJS.Timeout;
  private readonly instance = newId('inst', 8);
  private readonly startedAt = new Date().toISOString();
  private readonly refreshMs: number;
  private readonly now: () => number;
  private cached?: readonly string[];
  private lastAnnounce = Number.NEGATIVE_INFINITY;

  constructor(
    private opts: RosterOptions,
    private send: RosterSend,
  ) {
    this.refreshMs = opts.refreshMs ?? 2000;
    this.now = opts.now ?? (() => performance.now());
  }

  get self(): string {
    return this.opts.self;
  }

  /** The live nodes, sorted; this one among them once announced. */
  members(): readonly string[] {
    if (this.cached) return this.cached;
    const ids = [...this.peers.keys()];
    if (this.announced) ids.push(this.opts.self);
    this.cached = ids.sort();
    return this.cached;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The link (re)connected, before it subscribes: the retained announcements are about to be
   * replayed, and a peer missing from them is gone (its will cleared it while this node was
   * away). Each known peer must be heard again within `graceMs`.
   */
  linkUp(graceMs: number): void {
    const t = this.now();
    for (const p of this.peers.values())
      p.heard = Math.min(p.heard, t - p.expireMs + graceMs);
  }

  /**
   * Subscribed to `_nodes/+`, and the retained announcements of the others had time to
   * arrive: this node announces itself, and keeps doing so.
   */
  connected(): void {
    this.linked = true;
    clearInterval(this.timer);
    this.timer = setInterval(
      () => {
        if (!this.standingDown) this.announce();
        this.expire();
      },
      Math.min(this.refreshMs, 1000),
    );
    this.timer.unref();
    if (!this.standingDown) this.join();
  }

  private join(): void {
    this.lastAnnounce = Number.NEGATIVE_INFINITY;
    this.announce();
    if (!this.announced) {
      this.announced = true;
      this.changed();
    }
  }

  /**
   * The link to the broker closed (a silent link given up, the broker gone): this node follows
   * no unit until it is subscribed again. The broker's last will tells the others.
   */
  linkDown(): void {
    this.linked = false;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.unavailable || !this.announced) return;
    this.announced = false;
    this.changed();
  }

  /**
   * This node cannot vouch for what it would send (fenced: sync/fence.ts): it clears its
   * announcement, so the others take its units at once, and follows none itself until `rejoin`.
   */
  async standDown(): Promise<void> {
    if (this.standingDown || this.unavailable) return;
    this.standingDown = true;
    if (this.announced) {
      this.announced = false;
      this.changed();
    }
    await this.send(nodeTopic(this.opts.self), '', undefined).catch(() => {});
  }

  /** Serving again: announces itself (now, or once the link is back) and takes its units back. */
  rejoin(): void {
    if (!this.standingDown) return;
    this.standingDown = false;
    if (this.linked) this.join();
  }

  /**
   * The broker refused this node `_nodes/+` (its user lacks the role): it cannot know the
   * others, so it follows every unit itself (each unit then gets its changes from every node,
   * deduplicated by cursor: correct, only wasteful).
   */
  solo(): void {
    if (this.unavailable) return;
    this.unavailable = true;
    this.opts.log.error(
      { category: 'mqtt', node: this.opts.self },
      `the broker refused ${NODES_ROOT}/+ to this node: it cannot see the other nodes and follows every unit itself (grant the server user ${NODES_ROOT}/#: docs/cluster.md)`,
    );
    this.peers.clear();
    this.announced = true;
    this.changed();
  }

  private announce(): void {
    const t = this.now();
    if (t - this.lastAnnounce < this.refreshMs - 50) return;
    this.lastAnnounce = t;
    this.publish();
  }

  private publish(): void {
    const a: Announcement = {
      node: this.opts.self,
      instance: this.instance,
      startedAt: this.startedAt,
      refreshMs: this.refreshMs,
    };
    this.send(
      nodeTopic(this.opts.self),
      JSON.stringify(a),
      Math.ceil(this.expiryMs(this.refreshMs) / 1000),
    ).catch((err: Error & { code?: number }) => {
      if (err.code === 0x87)
        this.opts.log.error(
          { category: 'mqtt', node: this.opts.self },
          `the broker refused this node's announcement on ${NODES_ROOT}/: the other nodes cannot see it (grant the server user ${NODES_ROOT}/#: docs/cluster.md)`,
        );
      else
        this.opts.log.warn(
          { category: 'mqtt', err: err.message },
          'node announcement not sent',
        );
    });
  }

  private expiryMs(refreshMs: number): number {
    return 3 * refreshMs + 1000;
  }

  /** A message on `_nodes/{nodeId}`: an announcement, or empty (the node is gone). */
  heard(nodeId: string, payload: Buffer): void {
    if (this.unavailable) return;
    if (nodeId === this.opts.self) {
      if (!payload.length && this.announced) {
        // The will of an earlier process with this id (its connection just taken over), or
        // another process's leave: say again that this one is here.
        this.lastAnnounce = Number.NEGATIVE_INFINITY;
        this.publish();
        return;
      }
      if (payload.length && this.standingDown) {
        // Still retained (the clear was lost): clear it again.
        this.send(nodeTopic(nodeId), '', undefined).catch(() => {});
        return;
      }
      if (payload.length) {
        const a = parse(payload);
        if (a && a.instance !== this.instance && a.startedAt > this.startedAt)
          this.opts.log.error(
            { category: 'mqtt', node: nodeId, other: a.startedAt },
            'another process announces this node id: give every node its own KEYWAY_NODE_ID',
          );
      }
      return;
    }
    if (!payload.length) {
      if (this.peers.delete(nodeId)) {
        this.opts.log.info(
          { category: 'cluster', node: nodeId },
          `node ${nodeId} is gone`,
        );
        this.changed();
      }
      return;
    }
    const a = parse(payload);
    if (!a) {
      this.opts.log.warn(
        { category: 'mqtt', node: nodeId },
        'unreadable node announcement',
      );
      return;
    }
    const known = this.peers.has(nodeId);
    this.peers.set(nodeId, {
      heard: this.now(),
      expireMs: this.expiryMs(a.refreshMs),
    });
    if (!known) {
      this.opts.log.info(
        { category: 'cluster', node: nodeId },
        `node ${nodeId} is live`,
      );
      this.changed();
    }
  }

  /** Peers not heard for their expiry: gone without a will (a broker restart lost it). */
  private expire(): void {
    const t = this.now();
    let gone = false;
    for (const [id, p] of this.peers)
      if (t - p.heard > p.expireMs) {
        this.peers.delete(id);
        gone = true;
        this.opts.log.warn(
          { category: 'cluster', node: id },
          `node ${id} not heard for ${Math.round(p.expireMs / 1000)} s: gone`,
        );
      }
    if (gone) this.changed();
  }

  /** Clears this node's announcement (a clean shutdown): the others take its units now. */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.linked = false;
    if (!this.announced || this.unavailable) return;
    this.announced = false;
    this.changed();
    await this.send(nodeTopic(this.opts.self), '', undefined).catch(() => {});
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private changed(): void {
    this.cached = undefined;
    for (const l of this.listeners) l();
  }
}

function parse(payload: Buffer): Announcement | null {
  try {
    const a = JSON.parse(payload.toString()) as Partial<Announcement>;
    if (
      typeof a.node !== 'string' ||
      typeof a.instance !== 'string' ||
      typeof a.startedAt !== 'string' ||
      typeof a.refreshMs !== 'number' ||
      !(a.refreshMs > 0)
    )
      return null;
    return a as Announcement;
  } catch {
    return null;
  }
}
