import {
  applyMessage,
  type ChangeMessage,
  ServerMessage,
  type SnapshotMessage,
} from '@keyway/protocol';
import { isAlreadyApplied } from './cursor';

export type SyncOutcome =
  /** Not a snapshot or a change (heartbeat, error, or not a valid message): nothing to do. */
  | { kind: 'ignored'; reason: string }
  /** A change already applied (same epoch, n not newer): acknowledge again, change nothing. */
  | { kind: 'duplicate'; cursor: string }
  | {
      kind: 'applied';
      cursor: string;
      message: SnapshotMessage | ChangeMessage;
    };

/**
 * The unit's copy of its view: keys to JSON values, and the cursor of the last update applied.
 * Values are kept as the server sent them; readers validate what they use (see ./view.ts).
 */
export class Replica {
  readonly view: Map<string, unknown>;
  #cursor: string | null;

  constructor(
    view: Map<string, unknown> = new Map(),
    cursor: string | null = null,
  ) {
    this.view = view;
    this.#cursor = cursor;
  }

  get cursor(): string | null {
    return this.#cursor;
  }

  /** Applies one `sync` payload. A snapshot always replaces the view; changes apply in order. */
  receive(payload: Buffer | string): SyncOutcome {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      return { kind: 'ignored', reason: 'payload is not JSON' };
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success)
      return { kind: 'ignored', reason: 'not a sync message' };
    const message = parsed.data;
    if (message.type === 'heartbeat' || message.type === 'error') {
      return {
        kind: 'ignored',
        reason: `${message.type} is not used over MQTT`,
      };
    }
    if (
      message.type === 'change' &&
      isAlreadyApplied(this.#cursor, message.cursor)
    ) {
      return { kind: 'duplicate', cursor: message.cursor };
    }
    this.#cursor = applyMessage(this.view, message);
    return { kind: 'applied', cursor: message.cursor, message };
  }
}
