import {
  applyMessage,
  type ChangeMessage,
  type SnapshotMessage,
  type ViewOp,
} from '@keyway/protocol';
import { parseCursor } from '../cursor';
import type { FakeServer } from './server';

/** The server side of configuration sync for one unit: a change log replayed on `resume`. */
export interface SyncLog {
  /** The server's truth: what the unit's view must converge to. */
  readonly view: Map<string, unknown>;
  /** The cursor of the last change committed. */
  readonly cursor: string;
  /** Whether the unit has resumed on its current connection, so changes go out at once. */
  readonly live: boolean;
  /** What was sent on `sync`, in order. */
  readonly sent: { type: string; cursor: string }[];
  /** Commits a change at `n` (default: the next number); sends it at once if the unit is live. */
  commit(ops: ViewOp[], n?: number): Promise<ChangeMessage>;
}

export interface SyncLogOptions {
  epoch?: string;
  /** The cursor number of `view`, the state before any commit. */
  n?: number;
  view?: Record<string, unknown>;
}

/**
 * Answers each `resume` the way the real server does: the changes after the unit's cursor, in
 * order, or a snapshot when the unit has none or one from another epoch or before the log's start.
 * While the unit is offline (its status says so), commits are only logged.
 */
export function serveSync(
  server: FakeServer,
  opts: SyncLogOptions = {},
): SyncLog {
  const epoch = opts.epoch ?? 'e1';
  const start = opts.n ?? 0;
  const view = new Map(Object.entries(opts.view ?? {}));
  const changes: ChangeMessage[] = [];
  const sent: { type: string; cursor: string }[] = [];
  let n = start;
  let live = false;

  const send = (msg: SnapshotMessage | ChangeMessage) => {
    sent.push({ type: msg.type, cursor: msg.cursor });
    return server.sync(msg);
  };
  const onStatus = server.onStatus;
  server.onStatus = (status) => {
    onStatus?.(status);
    if (!status.online) live = false;
  };
  server.onReport = (report) => {
    if (report.type !== 'resume') return;
    const c = report.cursor === null ? null : parseCursor(report.cursor);
    if (!c || c.epoch !== epoch || c.n < start) {
      void send({
        type: 'snapshot',
        cursor: `${epoch}.${n}`,
        view: Object.fromEntries(view),
      });
    } else {
      for (const change of changes)
        if ((parseCursor(change.cursor)?.n ?? 0) > c.n) void send(change);
    }
    live = true;
  };

  return {
    view,
    get cursor() {
      return `${epoch}.${n}`;
    },
    get live() {
      return live;
    },
    sent,
    async commit(ops, at = n + 1) {
      n = at;
      const change: ChangeMessage = {
        type: 'change',
        cursor: `${epoch}.${n}`,
        at: new Date().toISOString(),
        ops,
      };
      applyMessage(view, change);
      changes.push(change);
      if (live) await send(change);
      return change;
    },
  };
}
