import {
  UNIT_TOPICS,
  type UnitEvent,
  type UnitStatus,
  type UnitSyncReport,
  type UnitTopicKind,
  type UnitTopicPayload,
} from '@keyway/protocol';
import type { AckWaits } from './ack-waits';

/** What the rest of the server hears from the units, through the link. */
export interface UnitLinkHandlers {
  /** `retained`: replayed at subscribe (the unit was connected before), not just published. */
  onStatus(unitId: string, status: UnitStatus, retained: boolean): void;
  onEvent(unitId: string, event: UnitEvent): void;
  onSync?(unitId: string, report: UnitSyncReport): void;
}

/**
 * On an external broker (MQTT 5) each subscription carries an identifier, so a node knows why
 * a message reached it. What every node needs hears every message: presence (retained
 * status), its own acks, every unit's sync reports (`resume` and `applied`: any node may have
 * to take a unit over from where it is) and the other nodes' announcements (`_nodes/+`).
 * What must happen once in the cluster comes through a shared subscription
 * (`$share/keyway/…`, MQTT 5 §4.8.2), one node per message: unit events.
 */
export const SUB = {
  presence: 1,
  acks: 2,
  once: 3,
  reports: 4,
  nodes: 5,
} as const;

/** What a unit publishes (protocol UNIT_TOPICS `from: 'unit'`): the kinds the link takes in. */
export type InboundKind = Exclude<UnitTopicKind, 'commands' | 'sync'>;

/** One message from a unit, as it reached this node. */
export interface Delivery {
  unitId: string;
  topic: string;
  /** `…/acks/{nodeId}`: an ack addressed to one node. */
  nodeId?: string | undefined;
  /** Replayed at subscribe, not just published. */
  retained: boolean;
  /** The subscription identifiers it came by, or 'all' (embedded broker: no identifiers). */
  via: readonly number[] | 'all';
}

/** How the link takes one kind of message. */
export interface InboundHandler<K extends InboundKind> {
  /** The subscription it must have come by (the others bring it for another reason). */
  sub: number;
  /** What an empty payload stands for (a cleared retained status), if anything. */
  empty?: UnitTopicPayload<K>;
  /** A payload its schema accepts. */
  take(data: UnitTopicPayload<K>, d: Delivery): void;
  /** A payload off its schema, before it is logged as such. */
  refused?(json: unknown, d: Delivery): void;
}
export type InboundTable = { [K in InboundKind]: InboundHandler<K> };

/**
 * Parses one message by its topic's schema (the protocol's table) and hands it to its kind's
 * handler; a payload off the schema is `invalid`. One place for what four branches repeated.
 */
export function dispatchInbound<K extends InboundKind>(
  table: InboundTable,
  kind: K,
  json: unknown,
  d: Delivery,
  invalid: (d: Delivery) => void,
): void {
  const h = table[kind] as unknown as InboundHandler<K>;
  if (d.via !== 'all' && !d.via.includes(h.sub)) return;
  if (json === null && h.empty !== undefined) {
    h.take(h.empty, d);
    return;
  }
  const parsed = UNIT_TOPICS[kind].schema.safeParse(json);
  if (parsed.success) {
    h.take(parsed.data as UnitTopicPayload<K>, d);
    return;
  }
  h.refused?.(json, d);
  invalid(d);
}

/**
 * The server's handlers: presence sets the unit online or offline, acks settle the waiting
 * command, `applied` reports and sensor events go to the sync and the event processors.
 */
export function inboundTable(link: {
  online: Map<string, boolean>;
  acks: () => AckWaits;
  handlers: () => UnitLinkHandlers | undefined;
}): InboundTable {
  return {
    status: {
      sub: SUB.presence,
      // An empty retained payload clears the status (unit deleted): offline.
      empty: { online: false },
      take: (status, d) => {
        link.online.set(d.unitId, status.online);
        link.handlers()?.onStatus(d.unitId, status, d.retained);
      },
    },
    acks: {
      sub: SUB.acks,
      take: (ack, d) => {
        link
          .acks()
          .heard(d.unitId, ack, d.via === 'all' || d.nodeId !== undefined);
      },
      // A waiting command is answered at once as a protocol error (issue 25 item 4).
      refused: (json, d) => {
        link.acks().heard(d.unitId, json, true);
      },
    },
    // Every node hears every report: the unit's follower answers a resume and counts its
    // applied; the others keep the cursor, to take the unit over from there (sync/unit-followers.ts).
    applied: {
      sub: SUB.reports,
      take: (report, d) => link.handlers()?.onSync?.(d.unitId, report),
    },
    events: {
      sub: SUB.once,
      take: (event, d) => link.handlers()?.onEvent(d.unitId, event),
    },
  };
}
