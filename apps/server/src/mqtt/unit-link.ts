import {
  type OpenCommand,
  parseUnitTopic,
  TOPIC_ROOT,
  UNIT_TOPICS,
  unitTopics,
} from '@keyway/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { newId } from '../ids';
import { AckWaits, type OpenOutcome } from './ack-waits';
import { NODES_ROOT, NodeRoster, nodeTopic } from './node-roster';
import {
  dispatchInbound,
  inboundTable,
  SUB,
  type UnitLinkHandlers,
} from './unit-inbound';

export type { OpenOutcome } from './ack-waits';
export type { UnitLinkHandlers } from './unit-inbound';

/** After (re)subscribing, how long the retained announcements get to arrive before this node announces itself. */
const SETTLE_MS = 250;
/** How long past a command's expiry its ack is still awaited (docs/unit-protocol.md §4.3). */
export const ACK_GRACE_MS = 250;
export const SHARE_GROUP = 'keyway';

function noDelay(client: MqttClient): void {
  const stream = client.stream as
    | { setNoDelay?: (on: boolean) => void }
    | undefined;
  stream?.setNoDelay?.(true);
}

/**
 * The server's side of the unit protocol, over any MQTT broker (embedded or external): it keeps
 * each unit's presence from the retained status topic, sends commands and matches their acks.
 */
export class UnitLink {
  private client?: MqttClient;
  private online = new Map<string, boolean>();
  /** MQTT messages by topic kind, in and out (metrics: keyway_mqtt_messages_total). */
  readonly traffic = {
    in: new Map<string, number>(),
    out: new Map<string, number>(),
  };
  private acks: AckWaits;
  /** This process among the server nodes: acks of its commands come to `…/acks/{nodeId}`. */
  readonly nodeId: string;
  private handlers?: UnitLinkHandlers;
  private stopped = false;
  /**
   * The live server nodes, from `_nodes/+` (external broker only; one process with an
   * embedded broker has no peers and follows every unit itself).
   */
  readonly roster?: NodeRoster;

  constructor(
    private opts: {
      /** This node's id (KEYWAY_NODE_ID: one topic level); random when absent. */
      nodeId?: string;
      url: string;
      username?: string | undefined;
      password?: string | undefined;
      log: Logger;
      clock: Clock;
      /** Drops a unit's live connection (embedded broker only). */
      kick?: (unitId: string) => void;
      /** Publishes into the embedded broker directly, instead of over the connection. */
      publish?: (
        topic: string,
        payload: string | Buffer,
        qos: 0 | 1,
      ) => Promise<void>;
      /** MQTT keepalive of this link, in seconds (KEYWAY_MQTT_KEEPALIVE_S). */
      keepaliveS?: number;
      /** The roster's re-announce period (node-roster.ts). */
      rosterRefreshMs?: number;
      /** Hears units' publishes from the embedded broker directly (not retained ones). */
      subscribe?: (
        topic: string,
        handler: (topic: string, payload: Buffer) => void,
      ) => Promise<void>;
    },
  ) {
    this.nodeId = opts.nodeId ?? newId('node');
    this.acks = new AckWaits({ clock: opts.clock, log: opts.log });
    if (!opts.subscribe)
      this.roster = new NodeRoster(
        { self: this.nodeId, log: opts.log, refreshMs: opts.rosterRefreshMs },
        // Only on a live connection (mqtt.js would queue it until a reconnect that may never
        // come: a shutdown must not wait for it), and at most a second.
        (topic, payload, expiry) => {
          const client = this.client;
          if (!client?.connected)
            return Promise.reject(new Error('not connected'));
          let timer: NodeJS.Timeout | undefined;
          return Promise.race([
            client
              .publishAsync(topic, payload, {
                qos: 1,
                retain: true,
                ...(expiry
                  ? { properties: { messageExpiryInterval: expiry } }
                  : {}),
              })
              .then(() => {}),
            new Promise<void>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error('no PUBACK in 1 s')),
                1000,
              );
            }),
          ]).finally(() => clearTimeout(timer));
        },
      );
  }

  /** Whether the link to the broker is up (readiness). */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(handlers: UnitLinkHandlers): Promise<void> {
    this.handlers = handlers;
    const external = !this.opts.subscribe;
    const client = mqtt.connect(this.opts.url, {
      clientId: `keyway-server-${this.nodeId}`,
      username: this.opts.username,
      password: this.opts.password,
      clean: true,
      reconnectPeriod: 1000,
      // A silent link (KEYWAY_MQTT_KEEPALIVE_S) is given up after 1.5 of these, a connect after one.
      keepalive: this.opts.keepaliveS ?? 30,
      connectTimeout: Math.max(5, this.opts.keepaliveS ?? 30) * 1000,
      // Shared subscriptions and subscription identifiers (external brokers: Mosquitto 2).
      ...(external
        ? {
            protocolVersion: 5 as const,
            // This node's death (a closed or silent connection) clears its announcement: the
            // other nodes take its units over (docs/cluster.md).
            will: {
              topic: nodeTopic(this.nodeId),
              payload: Buffer.alloc(0),
              qos: 1 as const,
              retain: true,
            },
          }
        : {}),
    });
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      const ids = packet.properties?.subscriptionIdentifier;
      this.onMessage(
        topic,
        payload,
        ids === undefined ? 'all' : Array.isArray(ids) ? ids : [ids],
        packet.retain,
      );
    });
    client.on('error', (err) =>
      this.opts.log.warn(
        { category: 'mqtt', err: err.message },
        'server MQTT client error',
      ),
    );
    // Commands are latency-critical small packets: no Nagle on this side either.
    client.on('connect', () => noDelay(client));
    // Link lost: this node follows no unit until it is back (node-roster.ts).
    client.on('close', () => this.roster?.linkDown());
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const { subscribe } = this.opts;
    if (!subscribe) {
      await this.subscribeExternal(client);
      // A clean session forgets subscriptions: make them again after a reconnect.
      client.on('connect', () => {
        this.subscribeExternal(client).catch((err: Error) =>
          this.opts.log.warn(
            { category: 'mqtt', err: err.message },
            'resubscribe failed',
          ),
        );
      });
      return;
    }
    // Presence comes from retained status messages: over the connection, which replays them.
    // Acks, events and sync reports: from the embedded broker directly.
    const live = [
      `${TOPIC_ROOT}/+/acks`,
      `${TOPIC_ROOT}/+/events`,
      `${TOPIC_ROOT}/+/applied`,
    ];
    for (const topic of live)
      await subscribe(topic, (t, payload) => this.onMessage(t, payload, 'all'));
    await client.subscribeAsync(`${TOPIC_ROOT}/+/status`, { qos: 1 });
  }

  private async subscribeExternal(client: MqttClient): Promise<void> {
    const roster = this.roster;
    roster?.linkUp(SETTLE_MS + 2000);
    const share = `$share/${SHARE_GROUP}/${TOPIC_ROOT}`;
    const groups: [number, string[]][] = [
      [SUB.presence, [`${TOPIC_ROOT}/+/status`]],
      // `…/acks` too: a unit from before issue 17 ignores ackTopic; every node hears its acks.
      [
        SUB.acks,
        [`${TOPIC_ROOT}/+/acks`, `${TOPIC_ROOT}/+/acks/${this.nodeId}`],
      ],
      [SUB.once, [`${share}/+/events`]],
      [SUB.reports, [`${TOPIC_ROOT}/+/applied`]],
    ];
    for (const [id, topics] of groups)
      await client.subscribeAsync(topics, {
        qos: 1,
        properties: { subscriptionIdentifier: id },
      });
    if (!roster) return;
    const refused = await client
      .subscribeAsync(`${NODES_ROOT}/+`, {
        qos: 1,
        properties: { subscriptionIdentifier: SUB.nodes },
      })
      .then(
        (granted) => granted.some((g) => g.qos >= 0x80),
        (err: { packet?: unknown }) => {
          if (!err.packet) throw err;
          return true;
        },
      );
    if (refused) {
      roster.solo();
      return;
    }
    // The retained announcements follow the SUBACK: let them arrive, then say this node is here.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    if (!this.stopped && client.connected) roster.connected();
  }

  /** The units whose last status said online. */
  onlineUnits(): string[] {
    const ids: string[] = [];
    for (const [id, on] of this.online) if (on) ids.push(id);
    return ids;
  }

  /**
   * A clean shutdown: clears this node's announcement first, so the other nodes take its
   * units over at once instead of after its connection closes.
   */
  async leave(): Promise<void> {
    await this.roster?.leave();
  }

  /** Units whose last status said online. */
  get onlineCount(): number {
    let n = 0;
    for (const v of this.online.values()) if (v) n++;
    return n;
  }

  isOnline(unitId: string): boolean {
    return this.online.get(unitId) === true;
  }

  /** Sends a short-lived open command and resolves with the unit's ack, or 'timeout' (ack-waits.ts). */
  open(
    unitId: string,
    relay: number,
    pulseMs: number,
    ttlMs: number,
  ): Promise<OpenOutcome> {
    const now = this.opts.clock.now();
    const cmd: OpenCommand = {
      type: 'open',
      id: newId('cmd'),
      relay,
      pulseMs,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      // Only on an external broker, where several nodes may be waiting for acks.
      ...(this.opts.subscribe
        ? {}
        : { ackTopic: unitTopics(unitId).nodeAcks(this.nodeId) }),
    };
    // Wait a little past expiry: an ack sent at the last moment is still worth hearing.
    const outcome = this.acks.wait(cmd.id, unitId, ttlMs + ACK_GRACE_MS);
    this.send(
      unitTopics(unitId).commands,
      JSON.stringify(cmd),
      UNIT_TOPICS.commands.qos,
      (err) =>
        this.opts.log.warn(
          { category: 'mqtt', unitId, err: err.message },
          'command publish failed',
        ),
    );
    return outcome;
  }

  /** A deleted unit: disconnect it and clear its retained status so nothing remembers it. */
  forget(unitId: string): void {
    this.online.delete(unitId);
    this.opts.kick?.(unitId);
    this.client?.publish(unitTopics(unitId).status, '', {
      qos: UNIT_TOPICS.status.qos,
      retain: UNIT_TOPICS.status.retain,
    });
  }

  /**
   * Configuration and access-list updates, in order on the unit's connection. QoS 0: across a
   * dropped connection the unit's `resume` with its cursor is what recovers them (a QoS 1
   * message in flight on a clean session is lost with the connection all the same), and QoS 0
   * spares the broker a stored copy and the unit a PUBACK per update.
   */
  publishSync(unitId: string, message: string | Buffer): void {
    this.send(unitTopics(unitId).sync, message, UNIT_TOPICS.sync.qos, (err) =>
      this.opts.log.warn(
        { category: 'mqtt', unitId, err: err.message },
        'sync publish failed',
      ),
    );
  }

  /** In call order: into the embedded broker directly when there is one. */
  private send(
    topic: string,
    payload: string | Buffer,
    qos: 0 | 1,
    failed: (err: Error) => void,
  ) {
    count(this.traffic.out, parseUnitTopic(topic)?.kind ?? 'other');
    if (this.opts.publish) {
      this.opts.publish(topic, payload, qos).catch(failed);
      return;
    }
    this.client?.publish(topic, payload, { qos }, (err) => {
      if (err) failed(err);
    });
  }

  /** `via`: the subscription identifiers the message came by, or 'all' (embedded broker). */
  private onMessage(
    topic: string,
    payload: Buffer,
    via: readonly number[] | 'all',
    retained = false,
  ): void {
    if (this.stopped) return;
    const by = (id: number) => via === 'all' || via.includes(id);
    if (topic.startsWith(`${NODES_ROOT}/`)) {
      const nodeId = topic.slice(NODES_ROOT.length + 1);
      if (this.roster && by(SUB.nodes) && nodeId && !nodeId.includes('/')) {
        count(this.traffic.in, 'nodes');
        this.roster.heard(nodeId, payload);
      }
      return;
    }
    const t = parseUnitTopic(topic);
    if (!t) return;
    count(this.traffic.in, t.kind);
    let json: unknown;
    try {
      json = payload.length ? JSON.parse(payload.toString()) : null;
    } catch {
      this.opts.log.warn(
        { category: 'mqtt', unitId: t.unitId, topic },
        'unit sent invalid JSON',
      );
      return;
    }
    if (t.kind === 'commands' || t.kind === 'sync') return; // the server's own
    dispatchInbound(
      this.inbound,
      t.kind,
      json,
      { unitId: t.unitId, topic, nodeId: t.nodeId, retained, via },
      (d) => this.invalid(d.unitId, d.topic),
    );
  }

  /** Each kind a unit publishes: the subscription it comes by, and what is done with it. */
  private readonly inbound = inboundTable({
    online: this.online,
    acks: () => this.acks,
    handlers: () => this.handlers,
  });

  private invalid(unitId: string, topic: string) {
    this.opts.log.warn(
      { category: 'mqtt', unitId, topic },
      'unit sent a payload that does not match the protocol',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.roster?.stop();
    this.acks.stop();
    await this.client?.endAsync(true);
  }
}

const count = (m: Map<string, number>, key: string) =>
  m.set(key, (m.get(key) ?? 0) + 1);
