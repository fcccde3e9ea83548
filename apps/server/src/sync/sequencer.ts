import type { ChangeBatch } from './bus';
import type { CommittedChange } from './changelog';

export interface SequencerDeps {
  /** Changes with cursors in (after, upTo], in commit order, at most a page of them. */
  readRange(after: number, upTo: number): Promise<CommittedChange[]>;
  /** The highest committed cursor. */
  readHead(): Promise<number>;
  deliver(batch: ChangeBatch): void;
  /** A gap was read from the log: what the bus would have said beside it (timers) is unknown. */
  onGap?(): void;
  onError(err: unknown): void;
}

/**
 * Hands batches of committed changes to this node's hub in cursor order, each change once,
 * whatever order the bus brings them in and whatever it loses. A batch says the log's head
 * before it (`prev`): when this node has not delivered up to there, the missing changes are read
 * from the log first. A change whose message never comes (its writer died before publishing, the
 * bus was down) is found by `poll()`, which reads the log's head: what stays past the delivered
 * cursor for a whole poll period is read from the log. The log is the truth; the bus only makes
 * it quick.
 */
export class ChangeSequencer {
  private last: number;
  private queue: ChangeBatch[] = [];
  private busy = false;
  /** The head seen by the previous poll, if it was ahead of what had been delivered. */
  private suspect: number | null = null;

  constructor(
    private deps: SequencerDeps,
    start: number,
  ) {
    this.last = start;
  }

  /** The cursor up to which every change has been delivered. */
  get delivered(): number {
    return this.last;
  }

  offer(batch: ChangeBatch): void {
    if (!batch.changes.length) {
      this.deps.deliver(batch); // timers or revocations only: no order to keep
      return;
    }
    this.queue.push(batch);
    void this.pump();
  }

  /** Reads the log's head; a head that was already ahead at the previous poll is read from the log. */
  async poll(): Promise<void> {
    const head = await this.deps.readHead();
    const due = this.suspect;
    this.suspect = head > this.last ? head : null;
    if (due !== null && due > this.last) this.queue.push(upTo(due));
    // Also retries what a failed read of the log left in the queue.
    if (this.queue.length) await this.pump();
  }

  /** Delivers every change up to this cursor, read from the log (a batch too big for the bus). */
  catchUp(cursor: number): void {
    if (cursor <= this.last) return;
    this.queue.push(upTo(cursor));
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        this.queue.sort((a, b) => first(a) - first(b));
        const batch = this.queue[0]!;
        const prev = batch.prev ?? this.last;
        if (prev > this.last) {
          await this.fill(prev);
          continue;
        }
        this.queue.shift();
        const fresh = batch.changes.filter((c) => c.cursor > this.last);
        const end = batch.changes.at(-1)?.cursor;
        if (end !== undefined && end > this.last) this.last = end;
        if (fresh.length || batch.nextChangeAt.size || batch.revokedSessions)
          this.deps.deliver({ ...batch, changes: fresh });
      }
    } catch (err) {
      this.deps.onError(err);
    } finally {
      this.busy = false;
    }
  }

  /** Reads and delivers every change in (last, upTo] from the log. */
  private async fill(upTo: number): Promise<void> {
    while (this.last < upTo) {
      const changes = await this.deps.readRange(this.last, upTo);
      const end = changes.at(-1)?.cursor ?? upTo;
      this.last = Math.max(this.last, changes.length ? end : upTo);
      if (changes.length)
        this.deps.deliver({ changes, nextChangeAt: new Map() });
    }
    this.deps.onGap?.();
  }
}

/** A batch of nothing whose `prev` makes the pump read the log up to the cursor. */
function upTo(cursor: number): ChangeBatch {
  return { changes: [], prev: cursor, nextChangeAt: new Map() };
}

function first(batch: ChangeBatch): number {
  return batch.changes[0]?.cursor ?? batch.prev ?? 0;
}
