import { z } from 'zod';
import { AccessEvent } from '../http/events';

/**
 * `GET /v1/sync` (WebSocket) and the unit's `sync` topic share one model: a client's view is a
 * map from keys to JSON values. A snapshot gives the whole map; a change gives ordered ops on it.
 * Keys are `{spaceId}/{kind}/{id}`; see ./view.ts for each kind's value.
 *
 * Cursors are opaque strings (`{epoch}.{n}`): resume by sending the last one received.
 */
export const Cursor = z.string().min(1).max(80);

export const PutOp = z.object({
  op: z.literal('put'),
  key: z.string(),
  value: z.unknown(),
});
export const DelOp = z.object({ op: z.literal('del'), key: z.string() });
export const ViewOp = z.discriminatedUnion('op', [PutOp, DelOp]);
export type ViewOp = z.infer<typeof ViewOp>;

export const SnapshotMessage = z.object({
  type: z.literal('snapshot'),
  cursor: Cursor,
  view: z.record(z.string(), z.unknown()),
});
export const ChangeMessage = z.object({
  type: z.literal('change'),
  cursor: Cursor,
  /** When the change was committed (server clock). */
  at: z.string(),
  ops: z.array(ViewOp),
  /** Access-log entries that came with this change (dashboards: live events; phones: her own). */
  events: z.array(AccessEvent).optional(),
});
export const HeartbeatMessage = z.object({
  type: z.literal('heartbeat'),
  cursor: Cursor,
  at: z.string(),
  /**
   * The server's heartbeat interval (issue 22): a client that hears nothing for two of them has
   * a dead link (a stalled socket: bytes held, no close), drops it and resumes by cursor.
   * Optional: older servers do not send it.
   */
  intervalMs: z.number().int().positive().optional(),
});
/** Sent just before the server closes the socket; the client reconnects with its cursor (or not, for `unauthorized`). */
export const ErrorMessage = z.object({
  type: z.literal('error'),
  cursor: Cursor.nullable(),
  code: z.enum([
    'unauthorized',
    'slow_consumer',
    'server_shutdown',
    'node_isolated',
    'invalid_message',
    'resync',
  ]),
  message: z.string(),
});

export const ServerMessage = z.discriminatedUnion('type', [
  SnapshotMessage,
  ChangeMessage,
  HeartbeatMessage,
  ErrorMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;
export type ChangeMessage = z.infer<typeof ChangeMessage>;
export type HeartbeatMessage = z.infer<typeof HeartbeatMessage>;
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Client → server: the last cursor applied (feeds delivery receipts). */
export const AckMessage = z.object({ type: z.literal('ack'), cursor: Cursor });
export const ClientMessage = z.discriminatedUnion('type', [AckMessage]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** Applies one message to a view map in place; returns the new cursor. */
export function applyMessage(
  view: Map<string, unknown>,
  msg: SnapshotMessage | ChangeMessage,
): string {
  if (msg.type === 'snapshot') {
    view.clear();
    for (const [k, v] of Object.entries(msg.view)) view.set(k, v);
  } else {
    for (const op of msg.ops) {
      if (op.op === 'put') view.set(op.key, op.value);
      else view.delete(op.key);
    }
  }
  return msg.cursor;
}
