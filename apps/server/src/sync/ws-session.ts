import { ClientMessage } from '@keyway/protocol';
import type { WebSocket } from 'ws';
import type { CommittedChange } from './changelog';
import { formatCursor, parseCursor } from './cursor';
import { Follower, type FollowerDeps } from './follower';
import type { Beating } from './heartbeat';
import { audiencesOf } from './reader';
import type { Receipts } from './receipts';
import { memberAudience } from './views';
import { errorJson, heartbeatJson } from './wire';

export interface SessionDeps extends FollowerDeps {
  receipts: Receipts;
  now: () => Date;
  /** Close a socket whose unsent bytes pass this: a slow client never delays the others. */
  maxBufferedBytes: number;
  /** Told once when a session ends, however it ends. */
  closed(session: SyncSession): void;
}

/**
 * The socket's listeners are shared by every session (`this` is the socket; the session is
 * found through it): four closures per connection were a few hundred bytes of each idle phone.
 */
const SESSION = Symbol('keyway.syncSession');
type SessionSocket = WebSocket & { [SESSION]?: SyncSession };
function onSocketMessage(this: SessionSocket, data: unknown) {
  const s = this[SESSION];
  if (!s) return;
  s.lastHeard = performance.now();
  s.onMessage(String(data));
}
function onSocketPong(this: SessionSocket) {
  const s = this[SESSION];
  if (s) s.lastHeard = performance.now();
}
function onSocketGone(this: SessionSocket) {
  this[SESSION]?.end();
}

type CloseCode =
  | 'slow_consumer'
  | 'unauthorized'
  | 'server_shutdown'
  | 'node_isolated'
  | 'invalid_message'
  | 'resync';

/** One phone or dashboard on `GET /v1/sync`. */
export class SyncSession extends Follower implements Beating {
  // A getter, on the prototype: a field would cost every idle phone a slot.
  protected get kind() {
    return 'websocket' as const;
  }
  /** When a pong or a message last came from the client (performance.now()). */
  lastHeard = performance.now();

  constructor(
    private ws: WebSocket,
    protected override deps: SessionDeps,
    readonly userId: string,
    readonly sessionId: string,
  ) {
    super(deps);
    (ws as SessionSocket)[SESSION] = this;
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', onSocketGone);
    ws.on('error', onSocketGone);
  }

  /** The socket closed or failed. */
  end(): void {
    this.dispose();
  }

  protected override dispose(): void {
    if (this.closed) return;
    super.dispose();
    this.deps.closed(this);
  }

  async start(rawCursor: string | undefined): Promise<void> {
    await this.follow(rawCursor);
    // Resuming from a cursor acknowledges it: the client had applied everything up to there.
    const c = parseCursor(rawCursor);
    const acked = c && c.epoch === this.deps.epoch().epoch ? c.n : 0;
    this.deps.receipts.seen(
      this.sessionId,
      this.userId,
      [...this.audiences],
      acked,
    );
  }

  protected resolveAudiences(): Promise<string[]> {
    return audiencesOf(this.deps.db, this.userId);
  }

  /** Her admin spaces changed: follow the new audiences from a fresh snapshot. */
  protected override needsResync(change: CommittedChange): boolean {
    return (
      change.resync && change.audiences.includes(memberAudience(this.userId))
    );
  }

  protected write(message: string | Buffer): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount > this.deps.maxBufferedBytes) {
      this.close(
        'slow_consumer',
        'Too many unread messages; reconnect with your cursor to resume.',
      );
      return false;
    }
    this.ws.send(message, { binary: false });
    return true;
  }

  protected overflow(): void {
    this.close(
      'slow_consumer',
      'Too far behind; reconnect with your cursor to resume.',
    );
  }

  /**
   * A ping (answered by the client's WebSocket stack) and a heartbeat with the cursor and the
   * interval, so the client notices a stalled link within two of them as the server does.
   */
  heartbeat(_now: number, every: number): void {
    if (this.closed || this.buffer) return;
    this.ws.ping();
    const cursor = formatCursor(this.deps.epoch().epoch, this.last);
    this.write(
      heartbeatJson({
        cursor,
        at: this.deps.now().toISOString(),
        intervalMs: every,
      }),
    );
  }

  /** Silent for two intervals (a phone in a tunnel: bytes held, no close): drop it now. */
  expire(): void {
    this.ws.terminate();
    this.dispose();
  }

  revoke(): void {
    this.close('unauthorized', 'This session was revoked.');
  }

  close(code: CloseCode, message: string): void {
    if (this.closed) return;
    try {
      // Sent even past the buffer limit: the client needs to know why, and where it stopped.
      this.ws.send(errorJson({ cursor: this.cursor, code, message }));
    } catch {}
    this.dispose();
    // 1012 "service restart": reconnect now (another node, or this one once back).
    this.ws.close(
      code === 'unauthorized'
        ? 4401
        : code === 'server_shutdown'
          ? 1012
          : // 1013 "try again later": this node cannot vouch for its views now.
            code === 'node_isolated'
            ? 1013
            : 4000,
      code,
    );
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.close('invalid_message', 'Messages must be JSON.');
      return;
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      this.close('invalid_message', 'Unknown message.');
      return;
    }
    const c = parseCursor(parsed.data.cursor);
    if (c && c.epoch === this.deps.epoch().epoch && c.n <= this.last)
      this.deps.receipts.ack(this.sessionId, c.n);
  }
}
