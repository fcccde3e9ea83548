import {
  isTopicLevel,
  type OpenCommand,
  type UnitAck,
  UnitCommand,
} from '@keyway/protocol';
import type { ExecutedCommands } from './dedupe';

export type Verdict =
  /** Nothing to acknowledge: the payload carries no readable id. */
  | { kind: 'drop'; reason: string }
  /** Refuse without touching the relay. */
  | { kind: 'refuse'; ack: UnitAck; ackTopic?: string | undefined }
  /** Safe to act on: record the id, then pulse. */
  | { kind: 'open'; command: OpenCommand; expiresAtMs: number };

export interface JudgeContext {
  now: number;
  relays: number;
  executed: ExecutedCommands;
}

const MAX_MESSAGE = 500;

/**
 * Decides what to do with one `commands` payload. The order matters: an id already executed is
 * a duplicate even once expired, and nothing reaches the relay after `expiresAt`.
 */
export function judgeCommand(
  payload: Buffer | string,
  { now, relays, executed }: JudgeContext,
): Verdict {
  const at = new Date(now).toISOString();
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    return { kind: 'drop', reason: 'payload is not JSON' };
  }
  const parsed = UnitCommand.safeParse(json);
  if (!parsed.success) {
    const commandId = readableId(json);
    if (commandId === undefined)
      return { kind: 'drop', reason: 'payload has no readable id' };
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ')
      .slice(0, MAX_MESSAGE);
    return {
      kind: 'refuse',
      ack: { commandId, result: 'invalid', at, message },
      ackTopic: readableAckTopic(json),
    };
  }
  const command = parsed.data;
  const commandId = command.id;
  const { ackTopic } = command;
  if (executed.has(commandId)) {
    return {
      kind: 'refuse',
      ack: { commandId, result: 'duplicate', at },
      ackTopic,
    };
  }
  const expiresAtMs = Date.parse(command.expiresAt);
  if (now >= expiresAtMs) {
    const message = `expired at ${command.expiresAt}, unit clock ${at}`;
    return {
      kind: 'refuse',
      ack: { commandId, result: 'expired', at, message },
      ackTopic,
    };
  }
  if (command.relay > relays) {
    const message = `relay ${command.relay} is not wired (this unit has ${relays})`;
    return {
      kind: 'refuse',
      ack: { commandId, result: 'failed', at, message },
      ackTopic,
    };
  }
  return { kind: 'open', command, expiresAtMs };
}

/** The id of a malformed command, if it is one an ack can carry (1..64 characters). */
function readableId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('id' in json))
    return undefined;
  const { id } = json;
  return typeof id === 'string' && id.length >= 1 && id.length <= 64
    ? id
    : undefined;
}

function readableAckTopic(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('ackTopic' in json))
    return undefined;
  const { ackTopic } = json;
  return typeof ackTopic === 'string' ? ackTopic : undefined;
}

/**
 * Where an ack goes: the command's `ackTopic` when it is one level below this unit's own
 * `acks` (the server node that waits for it, docs/unit-protocol.md 4.3), else `acks` itself.
 */
export function ackTopicFor(acks: string, requested: string | undefined) {
  if (!requested?.startsWith(`${acks}/`)) return acks;
  const level = requested.slice(acks.length + 1);
  return isTopicLevel(level) ? requested : acks;
}
