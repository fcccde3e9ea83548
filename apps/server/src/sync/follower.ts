import type { Db, Dialect } from '../db/connect';
import type { CommittedChange } from './changelog';
import { formatCursor, parseCursor } from './cursor';
import type { Subscriber, SyncHub } from './hub';
import { readResume, readSnapshot } from './reader';
import { snapshotJson } from './wire';

export interface FollowerDeps {
  db: Db;
  dialect: Dialect;
  hub: SyncHub;
  epoch: () => { epoch: string; minCursor: number };
  /** Resume by replay up to this many changes; beyond, a fresh snapshot is cheaper. */
  maxReplay: number;
  /** Counts how each (re)connect caught up, for `keyway_sync_catchups_total`. */
  catchUps: CatchUps;
}

export type CatchUp = 'replay' | 'snapshot';

/**
 * How clients caught up when they (re)connected, by kind: a replay after their cursor or a full
 * snapshot. After a restart every client should replay; snapshots mean lost cursors (or clients
 * too far behind), and cost a view read each.
 */
export class CatchUps {
  readonly counts = new Map<string, number>();
  count(kind: 'websocket' | 'unit', how: CatchUp): void {
    const key = `${kind} ${how}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/**
 * What every sync client has in common, over WebSocket or MQTT: subscribe first, then catch up
 * from the database (replay after a cursor, or a snapshot) while live changes wait in a buffer;
 * both paths are deduplicated by cursor, so nothing is lost, repeated or reordered.
 */
export abstract class Follower implements Subscriber {
  audiences: ReadonlySet<string> = new Set();
  protected last = 0;
  protected buffer: CommittedChange[] | null = [];
  protected closed = false;

  constructor(protected deps: FollowerDeps) {}

  /** Which kind of client this is, for the catch-up counts. */
  protected abstract readonly kind: 'websocket' | 'unit';
  /** Sends a message (JSON text, or a change's shared bytes); false when it was not sent (the client is gone or too slow). */
  protected abstract write(message: string | Buffer): boolean;
  /** The audiences to follow (read again on resync). */
  protected abstract resolveAudiences(): Promise<string[]>;
  abstract revoke(): void;
  protected abstract overflow(): void;
  /** Whether a change asks this follower for a fresh snapshot. */
  protected needsResync(_change: CommittedChange): boolean {
    return false;
  }

  get cursor(): string | null {
    return this.last ? formatCursor(this.deps.epoch().epoch, this.last) : null;
  }

  protected async follow(rawCursor: string | null | undefined): Promise<void> {
    await this.subscribe();
    const { epoch, minCursor } = this.deps.epoch();
    const c = parseCursor(rawCursor);
    let replay: CommittedChange[] | null = null;
    if (c && c.epoch === epoch && c.n >= minCursor) {
      const r = await readResume(
        this.deps.db,
        this.deps.dialect,
        [...this.audiences],
        c.n,
        this.deps.maxReplay + 1,
      );
      // A cursor beyond the end of the log (a restored backup) or behind a compaction that ran
      // meanwhile is unknown: snapshot.
      const known = c.n <= r.maxCursor && c.n >= r.minCursor;
      if (
        known &&
        r.changes.length <= this.deps.maxReplay &&
        !r.changes.some((ch) => this.needsResync(ch))
      )
        replay = r.changes;
    }
    this.deps.catchUps.count(this.kind, replay && c ? 'replay' : 'snapshot');
    if (replay && c) {
      this.last = c.n;
      for (const ch of replay) this.send(ch, this.deps.hub.message(ch));
    } else {
      await this.sendSnapshot();
    }
    this.flush();
  }

  private async subscribe(): Promise<void> {
    const audiences = new Set(await this.resolveAudiences());
    this.deps.hub.remove(this);
    this.audiences = audiences;
    if (!this.closed) this.deps.hub.add(this);
  }

  private async sendSnapshot(): Promise<void> {
    const snap = await readSnapshot(this.deps.db, this.deps.dialect, [
      ...this.audiences,
    ]);
    this.last = snap.cursor;
    this.write(
      snapshotJson({
        cursor: formatCursor(this.deps.epoch().epoch, snap.cursor),
        view: snap.view,
      }),
    );
  }

  private flush(): void {
    const pending = this.buffer ?? [];
    this.buffer = null;
    for (const ch of pending) this.deliver(ch, this.deps.hub.message(ch));
  }

  deliver(change: CommittedChange, message: Buffer): void {
    if (this.closed) return;
    if (this.buffer) {
      if (this.buffer.length > this.deps.maxReplay) this.overflow();
      else this.buffer.push(change);
      return;
    }
    if (change.cursor <= this.last) return;
    if (this.needsResync(change)) {
      this.buffer = [];
      this.last = change.cursor;
      this.subscribe()
        .then(() => this.sendSnapshot())
        .then(() => this.flush())
        .catch(() => this.overflow());
      return;
    }
    this.send(change, message);
  }

  private send(change: CommittedChange, message: Buffer): void {
    if (change.cursor <= this.last) return;
    // The cursor moves only past what was really sent: a client closed as too slow is told
    // (and resumes from) the last change it got.
    if (this.write(message)) this.last = change.cursor;
  }

  protected dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.hub.remove(this);
  }
}
