import { randomUUID } from 'node:crypto';
import {
  type OpenCommand,
  parseUnitTopic,
  type UnitAck,
  type UnitEvent,
  type UnitStatus,
  type UnitSyncReport,
  unitTopics,
} from '@keyway/protocol';
import { connectAsync, type MqttClient } from 'mqtt';

/** A real mqtt.js client playing the Keyway server for one unit, recording what the unit sends. */
export interface FakeServer {
  acks: UnitAck[];
  events: UnitEvent[];
  statuses: UnitStatus[];
  /** What the unit sent on `applied`: resume and applied reports, in arrival order. */
  reports: UnitSyncReport[];
  /** The QoS each of `reports` was published at. */
  reportQos: number[];
  /** Called on each status as it arrives, to react the way the real server does. */
  onStatus?: (status: UnitStatus) => void;
  onReport?: (report: UnitSyncReport) => void;
  /** Publishes on `commands`. */
  send(payload: unknown): Promise<void>;
  /** Publishes on `sync`. */
  sync(payload: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function connectServer(
  url: string,
  unitId: string,
): Promise<FakeServer> {
  const client: MqttClient = await connectAsync(url, {
    clientId: `server-${randomUUID()}`,
    reconnectPeriod: 0,
  });
  const topics = unitTopics(unitId);
  const server: FakeServer = {
    acks: [],
    events: [],
    statuses: [],
    reports: [],
    reportQos: [],
    async send(payload) {
      await client.publishAsync(topics.commands, text(payload), { qos: 1 });
    },
    async sync(payload) {
      await client.publishAsync(topics.sync, text(payload), { qos: 1 });
    },
    async close() {
      await client.endAsync(true);
    },
  };
  client.on('message', (topic, payload, packet) => {
    const kind = parseUnitTopic(topic)?.kind;
    if (kind === 'commands' || kind === 'sync' || kind === undefined) return;
    const json = JSON.parse(payload.toString());
    if (kind === 'acks') server.acks.push(json);
    if (kind === 'events') server.events.push(json);
    if (kind === 'applied') {
      server.reports.push(json);
      server.reportQos.push(packet.qos);
      server.onReport?.(json);
    }
    if (kind === 'status') {
      server.statuses.push(json);
      server.onStatus?.(json);
    }
  });
  await client.subscribeAsync(`${topics.base}/+`, { qos: 1 });
  return server;
}

const text = (payload: unknown) =>
  typeof payload === 'string' ? payload : JSON.stringify(payload);

/** An open command valid for `validMs` from `now`. */
export function openCommand(
  overrides: Partial<OpenCommand> = {},
  now = Date.now(),
  validMs = 30_000,
): OpenCommand {
  return {
    type: 'open',
    id: randomUUID(),
    relay: 1,
    pulseMs: 100,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + validMs).toISOString(),
    ...overrides,
  };
}
