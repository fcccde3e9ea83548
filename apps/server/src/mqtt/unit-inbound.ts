import {
  UNIT_TOPICS,
  type UnitTopicKind,
  type UnitTopicPayload,
} from '@keyway/protocol';

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
