import {
  type LatLon,
  UNIT_SUBSCRIBES,
  UNIT_TOPICS,
  type UnitEvent,
  type UnitStatus,
  unitTopics,
} from '@keyway/protocol';
import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff';
import { ackTopicFor } from './commands';
import type { Driver } from './drivers/driver';
import { createExecutor } from './executor';
import { createLink } from './link';
import { category } from './log';
import { Outbox } from './outbox';
import { createUnitSync } from './sync';
import type { UnitConfigEntry, UnitView } from './view';

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  /** Broker URL, e.g. `mqtts://keyway.example.com:8483`. */
  url: string;
  /**
   * mqtts://: the CA the server's certificate must be signed by (`--ca`), instead of the
   * system's CAs. The certificate is always verified, and must name the URL's host.
   */
  ca?: { pem: Buffer; file: string } | undefined;
  /** The unit id, which is also the MQTT username. */
  unitId: string;
  password: string;
  driver: Driver;
  /** Shown in the status `agent` string, e.g. "sim". */
  driverName: string;
  /** The unit's configured position, reported in its status and after each connect. */
  location?: LatLon;
  log: Logger;
  /** Clock used for expiry checks and timestamps; tests move it. */
  now?: () => number;
  keepaliveSec?: number;
  backoff?: BackoffOptions;
  /** Bound on acks, events and sync reports kept while offline. */
  outboxLimit?: number;
  /** Keeps the synced view across restarts (CLI default `./keyway-unit-{unitId}.json`); else memory only. */
  stateFile?: string;
}

export interface Agent {
  /** Connects, and keeps reconnecting until stop(). Returns at once. */
  start(): void;
  /** Publishes retained `{online:false}`, disconnects cleanly. Does not close the driver. */
  stop(): Promise<void>;
  readonly online: boolean;
  /** The synced view (`unit.config`, `unit.access` entries), for offline decisions. */
  readonly view: UnitView;
  /** The cursor of the last update applied; null before the first. */
  readonly cursor: string | null;
  /** This unit's synced configuration; null until one arrives. */
  readonly config: UnitConfigEntry | null;
  /** The space is locked down. Server commands are still obeyed: the server decides. */
  readonly lockdown: boolean;
}

export function createAgent(opts: AgentOptions): Agent {
  const { driver, location, unitId } = opts;
  const now = opts.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const topics = unitTopics(unitId);
  const log = category(opts.log, 'agent');
  const sensorLog = category(opts.log, 'sensor');
  let unsubscribeSensor: (() => void) | undefined;

  const link = createLink({
    url: opts.url,
    ca: opts.ca,
    clientId: `unit-${unitId}`,
    username: unitId,
    password: opts.password,
    will: {
      topic: topics.status,
      payload: JSON.stringify({ online: false } satisfies UnitStatus),
    },
    keepaliveSec: opts.keepaliveSec ?? 15,
    backoff: opts.backoff ?? { minMs: 500, maxMs: 30_000 },
    log: category(opts.log, 'mqtt'),
    onConnect,
    onMessage,
  });
  const outbox = new Outbox({
    send: (item) => link.publish(item.topic, item.payload, {}),
    session: link.session,
    limit: opts.outboxLimit,
    log: category(opts.log, 'mqtt'),
  });
  const event = (e: UnitEvent) =>
    outbox.push({ topic: topics.events, payload: JSON.stringify(e) });
  const syncLog = category(opts.log, 'sync');
  const sync = createUnitSync({
    unitId,
    relays: driver.relays,
    log: syncLog,
    // QoS 0 and not through the outbox: an `applied` names the unit's whole state (its cursor),
    // and one a dropped connection loses, the next connect's `resume` names again. No PUBACK per
    // update: 5,000 units answering one space change spare the server 5,000 packets to write.
    report: (r) =>
      link
        .publish(topics.applied, JSON.stringify(r), { qos: 0 })
        .catch((err: Error) =>
          syncLog.debug(
            { cursor: r.cursor, err: err.message },
            'applied not sent: the next resume reports it',
          ),
        ),
    stateFile: opts.stateFile,
  });
  const execute = createExecutor({
    driver,
    now,
    log: category(opts.log, 'command'),
    ack: (a, requested) =>
      outbox.push({
        topic: ackTopicFor(topics.acks, requested),
        payload: JSON.stringify(a),
      }),
    config: () => sync.config,
  });

  async function onConnect(session: number) {
    // Subscribed before announcing online: the server sends commands as soon as it sees the
    // status, and one sent before the SUBACK would be lost.
    try {
      const refused = await link.subscribe(
        UNIT_SUBSCRIBES.map((k) => topics[k]),
      );
      if (refused.length > 0)
        log.warn(
          { refused },
          `broker refused subscribing ${refused.join(', ')}`,
        );
    } catch (err) {
      // The connection dropped; the next connect starts over.
      log.warn(`subscribe failed: ${(err as Error).message}`);
      return;
    }
    if (link.session() !== session) return;
    const status: UnitStatus = {
      online: true,
      at: iso(),
      agent: `keyway-unit/${AGENT_VERSION} (${opts.driverName})`,
      relays: driver.relays,
      ...(location && { location }),
    };
    link
      .publish(topics.status, JSON.stringify(status), {
        qos: UNIT_TOPICS.status.qos,
        retain: UNIT_TOPICS.status.retain,
      })
      .catch((err: Error) => log.warn(`status failed: ${err.message}`));
    outbox.flush();
    // Not through the outbox: a resume is only meaningful on the connection it was made for.
    link
      .publish(topics.applied, JSON.stringify(sync.resume()), {})
      .catch((err: Error) => log.warn(`resume failed: ${err.message}`));
    if (location) event({ type: 'position', location, at: iso() });
    reportBootState();
  }

  /**
   * Boot state (§4.4): each sensor's state once after every connect, so the server knows a
   * fresh unit's doors, and what they did while the server did not hear. A repeat of the
   * state the server has is not a change there.
   */
  function reportBootState() {
    const at = iso();
    for (let relay = 1; relay <= driver.relays; relay++) {
      if (driver.hasSensor && !driver.hasSensor(relay)) continue;
      event({ type: 'door', relay, state: driver.sensorState(relay), at });
    }
  }

  function onMessage(topic: string, payload: Buffer) {
    if (topic === topics.sync) sync.handle(payload);
    if (topic === topics.commands) execute(payload);
  }

  return {
    start() {
      log.info(
        { relays: driver.relays, driver: opts.driverName },
        `starting unit ${unitId}`,
      );
      unsubscribeSensor ??= driver.onSensorChange((relay, state) => {
        if (driver.hasSensor && !driver.hasSensor(relay)) return;
        sensorLog.info({ relay, state }, `door ${relay} ${state}`);
        event({ type: 'door', relay, state, at: iso() });
      });
      link.start();
    },
    async stop() {
      unsubscribeSensor?.();
      unsubscribeSensor = undefined;
      const farewell: UnitStatus = { online: false, at: iso() };
      await sync.settled();
      await link.stop({
        topic: topics.status,
        payload: JSON.stringify(farewell),
      });
    },
    get online() {
      return link.session() !== null;
    },
    get view() {
      return sync.view;
    },
    get cursor() {
      return sync.cursor;
    },
    get config() {
      return sync.config;
    },
    get lockdown() {
      return sync.config?.lockdown === true;
    },
  };
}
