import { z } from 'zod';
import * as common from '../common';
import * as events from '../http/events';
import * as messages from '../sync/messages';
import * as view from '../sync/view';
import { unitTopics } from './topics';
import * as unit from './unit';

type Json = Record<string, unknown>;
const SCHEMAS = '#/components/schemas/';
const MQTT_BINDING = '0.2.0';

/** The two reports of `applied`, named: they travel at different QoS (docs §10.2). */
export const UnitSyncResume = unit.UnitSyncReport.options[0];
export const UnitSyncApplied = unit.UnitSyncReport.options[1];

/**
 * Every message a unit sends or receives: the zod schema that validates it (the same one the
 * server and the unit parse with) and the example of docs/unit-protocol.md.
 */
export const UNIT_MESSAGES = {
  UnitStatus: {
    schema: unit.UnitStatus,
    summary:
      'Presence, retained. The last will `{"online":false}` is published here when the connection dies.',
    example: {
      online: true,
      at: '2027-01-05T11:00:00.000Z',
      agent: 'keyway-unit/0.1.0 (sim)',
      relays: 2,
      location: { lat: 41.3874, lon: 2.1686 },
    },
  },
  OpenCommand: {
    schema: unit.OpenCommand,
    summary:
      'Pulse a relay. Never act at or after `expiresAt`, never twice on one `id`; ack it once.',
    example: {
      type: 'open',
      id: 'cmd_0mz3xq7b2lk9dh4n',
      relay: 1,
      pulseMs: 500,
      issuedAt: '2027-01-05T11:00:00.000Z',
      expiresAt: '2027-01-05T11:00:05.000Z',
    },
  },
  UnitAck: {
    schema: unit.UnitAck,
    summary: 'The one answer to a command, by its `id`.',
    example: {
      commandId: 'cmd_0mz3xq7b2lk9dh4n',
      result: 'opened',
      at: '2027-01-05T11:00:00.041Z',
    },
  },
  DoorSensorEvent: {
    schema: unit.DoorSensorEvent,
    summary:
      'A door sensor changed; `at` is the unit clock when it changed, not when it was sent.',
    example: {
      type: 'door',
      relay: 1,
      state: 'open',
      at: '2027-01-05T11:00:00.040Z',
    },
  },
  PositionEvent: {
    schema: unit.PositionEvent,
    summary: 'Where the unit is: after every connect when known, and on moves.',
    example: {
      type: 'position',
      location: { lat: 41.3874, lon: 2.1686 },
      at: '2027-01-05T11:00:00.010Z',
    },
  },
  SnapshotMessage: {
    schema: messages.SnapshotMessage,
    summary:
      'Replace the whole view. Values by key kind: `UnitConfigEntry`, `UnitSpaceEntry`, `UnitAccessEntry` (components.schemas); ignore other kinds.',
    example: {
      type: 'snapshot',
      cursor: 'e1.5',
      view: {
        'sp_1/unit.space/sp_1': {
          spaceId: 'sp_1',
          timezone: 'Europe/Madrid',
          lockdown: false,
        },
      },
    },
  },
  ChangeMessage: {
    schema: messages.ChangeMessage,
    summary:
      'Apply `ops` in order, then take `cursor`. A unit ignores `events`; a change it already has is not applied again but still reported.',
    example: {
      type: 'change',
      cursor: 'e1.9',
      at: '2027-01-05T17:00:00.000Z',
      ops: [{ op: 'del', key: 'sp_1/unit.access/mem_1' }],
    },
  },
  UnitSyncResume: {
    schema: UnitSyncResume,
    summary:
      'After every connect: the cursor of the last update applied, or null for none.',
    example: { type: 'resume', cursor: 'e1.9' },
  },
  UnitSyncApplied: {
    schema: UnitSyncApplied,
    summary: 'After storing each update.',
    example: { type: 'applied', cursor: 'e1.9' },
  },
} satisfies Record<
  string,
  { schema: z.ZodType; summary: string; example: unknown }
>;
export type UnitMessageName = keyof typeof UNIT_MESSAGES;

/** Schemas that no payload refers to but a unit needs: the values of its sync view (docs §10.1). */
const VIEW_VALUES = ['UnitConfigEntry', 'UnitSpaceEntry', 'UnitAccessEntry'];

const t = unitTopics('{unitId}');
/** The unit's topics (topics.ts), by channel id. */
export const UNIT_CHANNELS = {
  status: { address: t.status, messages: ['UnitStatus'] },
  commands: { address: t.commands, messages: ['OpenCommand'] },
  acks: { address: t.acks, messages: ['UnitAck'] },
  nodeAcks: { address: t.nodeAcks('{nodeId}'), messages: ['UnitAck'] },
  events: {
    address: t.events,
    messages: ['DoorSensorEvent', 'PositionEvent'],
  },
  sync: { address: t.sync, messages: ['SnapshotMessage', 'ChangeMessage'] },
  applied: {
    address: t.applied,
    messages: ['UnitSyncResume', 'UnitSyncApplied'],
  },
} satisfies Record<string, { address: string; messages: UnitMessageName[] }>;
type ChannelId = keyof typeof UNIT_CHANNELS;

/**
 * What the unit does on each topic (docs §3): `send` is a PUBLISH by the unit, `receive` a
 * message it gets on a subscription; QoS and retain of that PUBLISH.
 */
export const UNIT_OPERATIONS: Record<
  string,
  {
    action: 'send' | 'receive';
    channel: ChannelId;
    qos: 0 | 1;
    retain: boolean;
    messages?: UnitMessageName[];
    summary: string;
  }
> = {
  sendStatus: {
    action: 'send',
    channel: 'status',
    qos: 1,
    retain: true,
    summary:
      'After every connect, once subscribed (`online: true`), and `online: false` just before a clean DISCONNECT. The will carries `{"online":false}`.',
  },
  receiveCommand: {
    action: 'receive',
    channel: 'commands',
    qos: 1,
    retain: false,
    summary:
      'Subscribe at QoS 1 after every connect, before announcing online.',
  },
  sendAck: {
    action: 'send',
    channel: 'acks',
    qos: 1,
    retain: false,
    summary: 'One ack per identifiable command, unless it named an `ackTopic`.',
  },
  sendNodeAck: {
    action: 'send',
    channel: 'nodeAcks',
    qos: 1,
    retain: false,
    summary:
      "The ack of a command whose `ackTopic` is exactly one level below the unit's `acks`.",
  },
  sendEvent: {
    action: 'send',
    channel: 'events',
    qos: 1,
    retain: false,
    summary:
      'Door-sensor changes and positions; kept while offline and sent again in order.',
  },
  receiveSync: {
    action: 'receive',
    channel: 'sync',
    qos: 0,
    retain: false,
    summary:
      'Subscribe at QoS 1; the server publishes at QoS 0, in cursor order. A `resume` recovers what a dropped connection lost.',
  },
  sendResume: {
    action: 'send',
    channel: 'applied',
    qos: 1,
    retain: false,
    messages: ['UnitSyncResume'],
    summary: 'After every connect, on that connection only.',
  },
  sendApplied: {
    action: 'send',
    channel: 'applied',
    qos: 0,
    retain: false,
    messages: ['UnitSyncApplied'],
    summary: 'After each update is stored. QoS 0; the server takes either QoS.',
  },
};

/** Every zod schema the protocol exports that a unit's payloads can reach, by export name. */
function registry() {
  const reg = z.registry<{ id: string }>();
  const named = new Set<z.ZodType>();
  const add = (name: string, s: unknown) => {
    if (s instanceof z.ZodType && !named.has(s)) {
      named.add(s);
      reg.add(s, { id: name });
    }
  };
  for (const [name, m] of Object.entries(UNIT_MESSAGES)) add(name, m.schema);
  for (const mod of [unit, messages, view, events, common])
    for (const [name, s] of Object.entries(mod)) add(name, s);
  return reg;
}

/**
 * JSON Schemas (draft-07, what AsyncAPI's schema format extends) of the payloads and what they
 * reach, as a receiver parses them (zod's input side: unknown fields are allowed, docs §1).
 */
export function unitSchemas(io: 'input' | 'output' = 'input') {
  const all = z.toJSONSchema(registry(), {
    target: 'draft-7',
    io,
    unrepresentable: 'any',
    uri: (id) => `${SCHEMAS}${id}`,
  }).schemas as Record<string, Json>;
  const keep: Record<string, Json> = {};
  const visit = (id: string) => {
    const s = all[id];
    if (keep[id] || !s) return;
    const { $schema: _s, $id: _i, ...rest } = s;
    keep[id] = rest;
    for (const [, ref] of JSON.stringify(rest).matchAll(
      /"#\/components\/schemas\/([^"]+)"/g,
    ))
      visit(ref as string);
  };
  for (const id of [...Object.keys(UNIT_MESSAGES), ...VIEW_VALUES]) visit(id);
  return Object.fromEntries(
    Object.entries(keep).sort(([a], [b]) => a.localeCompare(b)),
  );
}

const ref = (section: string, id: string) => ({
  $ref: `#/${section}/${id}`,
});
const PARAMETERS: Record<string, Json> = {
  unitId: {
    description:
      "The unit id: the unit's MQTT username (docs/unit-protocol.md §2). The broker refuses any other unit's topics.",
    examples: ['unit_8mj2kq9xr4ab5tc1'],
  },
  nodeId: {
    description:
      'The server node waiting for the ack, as named by the command’s `ackTopic`: one topic level, no `/`, `+` or `#`.',
    examples: ['node-a'],
  },
};

/** What each deployment's broker speaks (docs/unit-protocol.md §1). */
const SPEAKS = {
  embedded:
    'The embedded broker (a single server) speaks MQTT 3.1.1 only: an MQTT 5 CONNECT is refused (unacceptable protocol version).',
  mosquitto:
    'Mosquitto (a cluster, KEYWAY_MQTT_URL) speaks MQTT 3.1.1 and MQTT 5.',
};

/** The broker a unit connects to: the `mqttUrl` of its credentials when known. */
function server(
  mqttUrl: string | undefined,
  broker: keyof typeof SPEAKS | undefined,
): Json {
  const url = mqttUrl && URL.canParse(mqttUrl) ? new URL(mqttUrl) : undefined;
  const secure = url ? url.protocol === 'mqtts:' : true;
  const host = url
    ? `${url.hostname}:${url.port || (secure ? 8883 : 1883)}`
    : '{broker}';
  return {
    host,
    protocol: secure ? 'secure-mqtt' : 'mqtt',
    protocolVersion: '3.1.1',
    description: `The broker of the unit's credentials (\`mqttUrl\`). Username: the unit id; password: from the credentials; client id \`unit-{unitId}\`; clean session; keep alive 15 s; will on \`status\`, \`{"online":false}\`, QoS 1, retained (docs/unit-protocol.md §2). ${broker ? SPEAKS[broker] : `${SPEAKS.embedded} ${SPEAKS.mosquitto}`} MQTT 3.1.1 works with every deployment.`,
    ...(url
      ? {}
      : {
          variables: {
            broker: {
              default: 'keyway.example.com:8883',
              description:
                "Host and port of the `mqttUrl` in the unit's credentials.",
            },
          },
        }),
    bindings: {
      mqtt: {
        cleanSession: true,
        keepAlive: 15,
        lastWill: {
          topic: t.status,
          qos: 1,
          message: '{"online":false}',
          retain: true,
        },
        bindingVersion: MQTT_BINDING,
      },
    },
  };
}

/**
 * AsyncAPI 3.0 for the unit side of the protocol, from the point of view of the unit, generated
 * from the zod schemas the server and the unit parse with (docs/unit-protocol.md is the prose).
 */
export function buildAsyncApi(
  opts: {
    mqttUrl?: string | undefined;
    /** Which broker this deployment runs; unknown (the committed document), both are named. */
    broker?: keyof typeof SPEAKS;
  } = {},
) {
  const channels: Record<string, Json> = {};
  for (const [id, c] of Object.entries(UNIT_CHANNELS))
    channels[id] = {
      address: c.address,
      messages: Object.fromEntries(
        c.messages.map((m) => [m, ref('components/messages', m)]),
      ),
      parameters: Object.fromEntries(
        [...c.address.matchAll(/\{(\w+)\}/g)].map(([, p]) => [
          p,
          ref('components/parameters', p as string),
        ]),
      ),
    };
  const operations: Record<string, Json> = {};
  for (const [id, o] of Object.entries(UNIT_OPERATIONS))
    operations[id] = {
      action: o.action,
      channel: ref('channels', o.channel),
      summary: o.summary,
      messages: (o.messages ?? UNIT_CHANNELS[o.channel].messages).map((m) =>
        ref(`channels/${o.channel}/messages`, m),
      ),
      bindings: {
        mqtt: { qos: o.qos, retain: o.retain, bindingVersion: MQTT_BINDING },
      },
    };
  const componentMessages: Record<string, Json> = {};
  for (const [name, m] of Object.entries(UNIT_MESSAGES))
    componentMessages[name] = {
      name,
      summary: m.summary,
      contentType: 'application/json',
      payload: ref('components/schemas', name),
      examples: [{ payload: m.example }],
    };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Keyway unit protocol',
      version: '1.0.0',
      description:
        'MQTT between a Keyway server and its door units, from the unit’s side: `send` is what the unit publishes, `receive` what it gets on its subscriptions. Generated from the zod schemas in packages/protocol (`npx tsx scripts/asyncapi.ts --write`); docs/unit-protocol.md is the prose, with the rules this document cannot say. Every payload is one UTF-8 JSON object; receivers ignore fields they do not know.',
    },
    defaultContentType: 'application/json',
    servers: { broker: server(opts.mqttUrl, opts.broker) },
    channels,
    operations,
    components: {
      schemas: unitSchemas(),
      messages: componentMessages,
      parameters: PARAMETERS,
    },
  };
}
