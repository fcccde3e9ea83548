import { isDeepStrictEqual } from 'node:util';
import { parseViewKey, ServerMessage } from '@keyway/protocol';
import { parseCursor } from '../sync/cursor';
import type { ChangeLogMirror } from './sync-backend';
import type { Connection, SyncPhone } from './sync-phone';
import { entryShapeErrors, isAdmin, seesSpace, type World } from './sync-world';

/** What the stream checks read from the walk. */
export interface StreamContext {
  mirror(): ChangeLogMirror;
  /** The model's versions, and which of them a commit with cursor n may reflect. */
  versions(): World[];
  versionsAt(n: number): number[];
  /** The keys a user may see just before or just after the commit with cursor n. */
  allowed(n: number, userId: string): Set<string>[];
  count(what: string): void;
  violation(what: string): void;
  strictOwnEvents(): boolean;
}

interface ConnState {
  pos: number | null;
  segAudiences: Set<string> | null;
  /** The last cursor of the current segment that was checked for gaps. */
  segPos: number | null;
  errored: boolean;
  /** Whether it resumed from a cursor of the current epoch, and what came first (for the stats). */
  resumed: boolean;
  first: boolean;
}

/**
 * The sync walk's checks on every message every phone received: valid messages, one epoch,
 * cursors that only grow, no change lost or repeated against the logged change rows, payloads
 * equal to the log's, and isolation — nothing outside what the user could see at that cursor.
 */
export class StreamChecker {
  private epoch: string | null = null;
  private connState = new WeakMap<Connection, ConnState>();

  constructor(private ctx: StreamContext) {}

  /** Stream and isolation checks on every message received since the last call. */
  async verify(phones: SyncPhone[]): Promise<void> {
    await this.ctx.mirror().pull();
    for (const p of phones) {
      for (const conn of p.connections) {
        let st = this.connState.get(conn);
        if (!st) {
          const c = parseCursor(conn.sent);
          const known =
            c !== null && (this.epoch === null || c.epoch === this.epoch);
          st = {
            pos: known ? c!.n : null,
            segAudiences: known ? conn.audiences : null,
            segPos: known ? c!.n : null,
            errored: false,
            resumed: known,
            first: true,
          };
          this.connState.set(conn, st);
        }
        for (; conn.checked < conn.messages.length; conn.checked++) {
          this.checkMessage(p, conn, st, conn.messages[conn.checked]!.msg);
        }
      }
    }
  }

  private checkMessage(
    p: SyncPhone,
    conn: Connection,
    st: ConnState,
    msg: any,
  ) {
    const where = `${p.label} conn ${conn.id} (${conn.mode}, sent ${conn.sent})`;
    const bad = (what: string) =>
      this.ctx.violation(
        `${where}: ${what}: ${JSON.stringify(msg).slice(0, 400)}`,
      );
    this.ctx.count(`msg ${msg.type}`);
    if (st.first && msg.type !== 'heartbeat') {
      st.first = false;
      this.ctx.count(
        `${st.resumed ? 'resumed' : 'no valid cursor'}, first ${msg.type}`,
      );
    } else if (msg.type === 'snapshot')
      this.ctx.count('snapshot mid-connection (resync)');
    const parsed = ServerMessage.safeParse(msg);
    if (!parsed.success)
      return bad(
        `not a valid server message (${parsed.error.message.slice(0, 200)})`,
      );
    if (msg.type !== 'error' && st.errored)
      bad('message after an error message');
    const c = msg.cursor === null ? null : parseCursor(msg.cursor);
    if (msg.cursor !== null && !c) return bad('unparseable cursor');
    if (c) {
      this.epoch ??= c.epoch;
      if (c.epoch !== this.epoch)
        return bad(`epoch changed from ${this.epoch}`);
    }
    switch (msg.type) {
      case 'heartbeat':
        if (st.pos === null || c!.n !== st.pos)
          bad(`heartbeat cursor is not the position ${st.pos}`);
        return;
      case 'error':
        st.errored = true;
        if (c && st.pos !== null && c.n < st.pos)
          bad(`error cursor behind the position ${st.pos}`);
        return;
      case 'snapshot': {
        const n = c!.n;
        if (st.pos !== null && n <= st.pos)
          bad(`snapshot cursor not above the position ${st.pos}`);
        st.pos = n;
        st.segPos = n;
        st.segAudiences = new Set([`u:${p.userId}`]);
        for (const key of Object.keys(msg.view)) {
          const k = parseViewKey(key);
          if (k?.kind === 'admin.space') st.segAudiences.add(`a:${k.spaceId}`);
        }
        const allowed = this.ctx.allowed(n, p.userId);
        for (const [key, value] of Object.entries(msg.view)) {
          if (!allowed.some((a) => a.has(key)))
            bad(`isolation: snapshot holds ${key}, not hers at cursor ${n}`);
          for (const e of entryShapeErrors(key, value)) bad(e);
        }
        return;
      }
      case 'change': {
        const n = c!.n;
        if (st.pos === null || st.segAudiences === null || st.segPos === null)
          return bad('change before any position');
        if (n <= st.pos) bad(`cursor not increasing (position ${st.pos})`);
        if ('resync' in msg)
          bad('a resync payload reached the client as a change');
        // No loss: the next logged row for this connection's audiences is this one.
        const expected = this.nextTargeted(st.segPos, st.segAudiences);
        if (expected === null || expected > n)
          bad(`change ${n} is not a logged row for ${[...st.segAudiences]}`);
        else if (expected < n) {
          const missing: number[] = [];
          for (
            let x: number | null = expected;
            x !== null && x < n;
            x = this.nextTargeted(x, st.segAudiences)
          )
            missing.push(x);
          bad(
            `missed ${missing.length} change(s) for ${[...st.segAudiences]} between ${st.segPos} and ${n}: ${missing.slice(0, 10)}`,
          );
        }
        const row = this.ctx.mirror().get(n);
        if (row) {
          const { ops, events, at } = msg;
          const logged = JSON.parse(row.payload);
          if (
            !isDeepStrictEqual(
              { ops, events },
              { ops: logged.ops, events: logged.events },
            ) ||
            at !== row.at
          )
            bad(
              `payload differs from the logged row ${row.payload.slice(0, 300)}`,
            );
        }
        st.pos = n;
        st.segPos = n;
        // Isolation: keys and events the user could see just before or just after this commit.
        const versions = this.ctx
          .versionsAt(n)
          .map((v) => this.ctx.versions()[v]!);
        const allowed = this.ctx.allowed(n, p.userId);
        for (const op of msg.ops) {
          if (op.op !== 'put') continue;
          if (!allowed.some((a) => a.has(op.key)))
            bad(`isolation: put ${op.key}, not hers at cursor ${n}`);
          for (const e of entryShapeErrors(op.key, op.value)) bad(e);
        }
        for (const e of msg.events ?? []) {
          if (versions.some((w) => isAdmin(w, p.userId, e.spaceId))) continue;
          const own = e.type === 'door.open' && e.userId === p.userId;
          if (
            own &&
            (!this.ctx.strictOwnEvents() ||
              versions.some((w) => seesSpace(w, p.userId, e.spaceId)))
          )
            continue;
          bad(
            own
              ? `isolation: her own door.open event in space ${e.spaceId}, which she neither belongs to nor administers`
              : `isolation: ${e.type} event of space ${e.spaceId} (user ${e.userId}), not an admin there`,
          );
        }
        return;
      }
    }
  }

  /** The first logged cursor after `after` that targets one of these audiences. */
  private nextTargeted(after: number, audiences: Set<string>): number | null {
    const rows = this.ctx.mirror().rows;
    for (let i = this.ctx.mirror().firstAfter(after); i < rows.length; i++) {
      if (rows[i]!.audiences.some((a) => audiences.has(a)))
        return rows[i]!.cursor;
    }
    return null;
  }
}
