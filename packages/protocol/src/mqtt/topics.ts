/**
 * MQTT topics between the server and a door unit. A unit may only publish and subscribe
 * below its own prefix `keyway/v1/units/{unitId}/` (see docs/unit-protocol.md).
 */
export const TOPIC_ROOT = 'keyway/v1/units';

export const unitTopics = (unitId: string) => {
  const base = `${TOPIC_ROOT}/${unitId}`;
  return {
    base,
    /** unit → server, retained; the last will publishes `{online:false}` here. */
    status: `${base}/status`,
    /** server → unit: commands (open). QoS 1. */
    commands: `${base}/commands`,
    /** unit → server: one acknowledgement per command. QoS 1. */
    acks: `${base}/acks`,
    /** unit → one server node: the ack of a command that named this topic as its `ackTopic`. */
    nodeAcks: (nodeId: string) => `${base}/acks/${nodeId}`,
    /** unit → server: door-sensor changes and position reports. QoS 1. */
    events: `${base}/events`,
    /** server → unit: configuration and access-list updates (snapshot / change), versioned by cursor. QoS 1. */
    sync: `${base}/sync`,
    /** unit → server: `resume` after each connect, `applied` after each update. QoS 1. */
    applied: `${base}/applied`,
  };
};

export type UnitTopicKind =
  | 'status'
  | 'commands'
  | 'acks'
  | 'events'
  | 'sync'
  | 'applied';
const KINDS: readonly string[] = [
  'status',
  'commands',
  'acks',
  'events',
  'sync',
  'applied',
];
/** What a unit may publish; everything else below its prefix it may only subscribe. */
export const UNIT_PUBLISHES: readonly UnitTopicKind[] = [
  'status',
  'acks',
  'events',
  'applied',
];
export const UNIT_SUBSCRIBES: readonly UnitTopicKind[] = ['commands', 'sync'];

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
  const kind = parts[4];
  if (!kind || !KINDS.includes(kind)) return null;
  const unitId = parts[3];
  if (!unitId) return null;
  return { unitId, kind: kind as UnitTopicKind };
}
