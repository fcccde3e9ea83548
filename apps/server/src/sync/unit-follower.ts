import { parseCursor } from './cursor';
import { Follower, type FollowerDeps } from './follower';
import type { Receipts } from './receipts';
import { unitAudience } from './views';

/**
 * A unit following its own view over MQTT (issue #3 item 4): after each connect it says `resume`
 * with the last version it applied; it gets the changes it missed, in order, or a snapshot.
 */
export class UnitFollower extends Follower {
  protected get kind() {
    return 'unit' as const;
  }

  constructor(
    deps: FollowerDeps,
    private receipts: Receipts,
    readonly unitId: string,
    private publish: (message: string | Buffer) => void,
  ) {
    super(deps);
  }

  async resume(cursor: string | null): Promise<void> {
    await this.follow(cursor);
    const c = parseCursor(cursor);
    const applied = c && c.epoch === this.deps.epoch().epoch ? c.n : 0;
    this.receipts.seen(
      this.unitId,
      { unitId: this.unitId },
      [...this.audiences],
      applied,
    );
  }

  applied(cursor: string): void {
    const c = parseCursor(cursor);
    if (c && c.epoch === this.deps.epoch().epoch)
      this.receipts.ack(this.unitId, c.n);
  }

  protected resolveAudiences(): Promise<string[]> {
    return Promise.resolve([unitAudience(this.unitId)]);
  }

  protected write(message: string | Buffer): boolean {
    this.publish(message);
    return true;
  }

  /** A unit too far behind starts over from a snapshot at its next resume. */
  protected overflow(): void {
    this.dispose();
  }

  revoke(): void {
    this.dispose();
  }

  /** Closed: stopped, or too far behind (overflow). */
  get stopped(): boolean {
    return this.closed;
  }

  stop(): void {
    this.dispose();
  }
}
