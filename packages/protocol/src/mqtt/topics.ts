/**
 * MQTT topics between the server and a door unit. A unit may only publish and subscribe
 * below its own prefix `keyway/v1/units/{unitId}/` (see docs/unit-protocol.md).
 */
import { z } from 'zod';
import { ChangeMessage, SnapshotMessage } from '../sync/messages';
import {
  UnitAck,
  UnitCommand,
  UnitEvent,
  UnitStatus,
  UnitSyncReport,
} from './unit';

export const TOPIC_ROOT = 'keyway/v1/units';

/** What the server publishes on a unit's `sync` topic. */
export const UnitSyncMessage = z.discriminatedUnion('type', [
  SnapshotMessage,
  ChangeMessage,
]);

/** Who publishes on a topic; the other side subscribes. */
export type TopicSender = 'unit' | 'server';

/**
 * Every topic below a unit's prefix, one row each (docs/unit-protocol.md §3, whose table a test
 * checks against this one): who publishes it, the schema of its payload (the one both ends parse
 * with), and the QoS and retain flag of that PUBLISH. The broker's ACL (embedded and Mosquitto),
 * the server's unit link (one handler per kind) and the unit agent all read it from here.
 */
export const UNIT_TOPICS = {
  /** Presence, retained; the last will publishes `{online:false}` here. */
  status: { from: 'unit', schema: UnitStatus, qos: 1, retain: true },
  /** Commands (open). */
  commands: { from: 'server', schema: UnitCommand, qos: 1, retain: false },
  /** One ack per command; also `…/acks/{nodeId}` when the command named it as its `ackTopic`. */
  acks: { from: 'unit', schema: UnitAck, qos: 1, retain: false },
  /** Door-sensor changes and position reports. */
  events: { from: 'unit', schema: UnitEvent, qos: 1, retain: false },
  /** The unit's view: snapshot / change, versioned by cursor; published at QoS 0, in order. */
  sync: { from: 'server', schema: UnitSyncMessage, qos: 0, retain: false },
  /** `resume` after each connect (QoS 1), `applied` after each update (QoS 0 is enough). */
  applied: { from: 'unit', schema: UnitSyncReport, qos: 1, retain: false },
} as const satisfies Record<
  string,
  { from: TopicSender; schema: z.ZodType; qos: 0 | 1; retain: boolean }
>;

export type UnitTopicKind = keyof typeof UNIT_TOPICS;
/** The payload of a topic kind, as its schema parses it. */
export type UnitTopicPayload<K extends UnitTopicKind> = z.output<
  (typeof UNIT_TOPICS)[K]['schema']
>;
const KINDS = Object.keys(UNIT_TOPICS) as UnitTopicKind[];
const sentBy = (from: TopicSender) =>
  KINDS.filter((k) => UNIT_TOPICS[k].from === from);
/** What a unit may publish; the rest below its prefix it may only subscribe. */
export const UNIT_PUBLISHES: readonly UnitTopicKind[] = sentBy('unit');
export const UNIT_SUBSCRIBES: readonly UnitTopicKind[] = sentBy('server');

/** The unit's topics by kind, its prefix (`base`), and the per-node ack topic. */
export const unitTopics = (
  unitId: string,
): Record<UnitTopicKind, string> & {
  base: string;
  nodeAcks: (nodeId: string) => string;
} => {
  const base = `${TOPIC_ROOT}/${unitId}`;
  const byKind = Object.fromEntries(
    KINDS.map((k) => [k, `${base}/${k}`]),
  ) as Record<UnitTopicKind, string>;
  return {
    ...byKind,
    base,
    nodeAcks: (nodeId: string) => `${byKind.acks}/${nodeId}`,
  };
};

/** A node id fit for one topic level: no wildcard, no separator. */
export const isTopicLevel = (s: string) =>
  s.length > 0 && s.length <= 64 && !/[/+#]/.test(s) && !s.includes('\0');

/**
 * Splits `keyway/v1/units/{unitId}/{kind}`, and `…/acks/{nodeId}` (an ack routed to the server
 * node that sent the command); null for anything else.
 */
export function parseUnitTopic(
  topic: string,
): { unitId: string; kind: UnitTopicKind; nodeId?: string } | null {
  const parts = topic.split('/');
  if (parts.length === 6 && parts[4] === 'acks') {
    const nodeId = parts[5]!;
    const base = parseUnitTopic(parts.slice(0, 5).join('/'));
    return base && isTopicLevel(nodeId) ? { ...base, nodeId } : null;
  }
  if (
    parts.length !== 5 ||
    `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT
  )
    return null;
  const kind = parts[4] as UnitTopicKind | undefined;
  if (!kind || !KINDS.includes(kind)) return null;
  const unitId = parts[3];
  if (!unitId) return null;
  return { unitId, kind };
}
