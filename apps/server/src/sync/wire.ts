import type {
  ChangeMessage,
  ErrorMessage,
  HeartbeatMessage,
  SnapshotMessage,
} from '@keyway/protocol';

/**
 * Every message the server sends a phone, dashboard or unit (docs/sync.md), each built by one
 * encoder from its type's fields; wire.property.test.ts parses what each one writes with the
 * protocol's schema. The two hot ones are spliced from strings instead of serialized whole:
 * a change goes to thousands of sockets with its payload already JSON (changelog.ts), a
 * heartbeat to every socket every interval.
 */

/**
 * `{"type":"change",…}` around a committed payload (`{"ops":[…],"events"?:[…]}`, never empty),
 * as bytes: the fan-out writes the same buffer to every socket and unit.
 */
export function changeBytes(
  m: Pick<ChangeMessage, 'cursor' | 'at'>,
  payload: string,
): Buffer {
  return Buffer.from(
    `{"type":"change","cursor":${JSON.stringify(m.cursor)},"at":${JSON.stringify(m.at)},${payload.slice(1)}`,
  );
}

/** The whole view at a cursor. */
export const snapshotJson = (m: Omit<SnapshotMessage, 'type'>): string =>
  JSON.stringify({ type: 'snapshot', ...m } satisfies SnapshotMessage);

/** A heartbeat: the cursor the client holds, the server clock and the interval. */
export const heartbeatJson = (m: Omit<HeartbeatMessage, 'type'>): string =>
  `{"type":"heartbeat","cursor":${JSON.stringify(m.cursor)},"at":${JSON.stringify(m.at)}${m.intervalMs === undefined ? '' : `,"intervalMs":${m.intervalMs}`}}`;

/** Why the server closes the socket, and the cursor to resume from. */
export const errorJson = (m: Omit<ErrorMessage, 'type'>): string =>
  JSON.stringify({ type: 'error', ...m } satisfies ErrorMessage);
