import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import {
  buildAsyncApi,
  UNIT_CHANNELS,
  UNIT_MESSAGES,
  UNIT_OPERATIONS,
  unitSchemas,
} from './asyncapi';
import { parseUnitTopic, UNIT_PUBLISHES, UNIT_SUBSCRIBES } from './topics';

const COMMITTED = new URL(
  '../../../../docs/unit-protocol.asyncapi.json',
  import.meta.url,
);

describe('the AsyncAPI document of the unit protocol', () => {
  // Read as a vendor reads it: plain JSON.
  const doc: any = JSON.parse(JSON.stringify(buildAsyncApi()));

  it('is valid AsyncAPI 3.0 (the official parser, errors and warnings)', async () => {
    const { document, diagnostics } = await new Parser().parse(
      structuredClone(doc),
    );
    // Severity 0 is an error, 1 a warning; 2-3 are hints (e.g. "3.1.0 exists").
    const problems = diagnostics
      .filter((d) => d.severity <= 1)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().length).toBe(Object.keys(UNIT_CHANNELS).length);
  });

  it('the parser refuses a broken document (the test above can fail)', async () => {
    const broken = structuredClone(doc);
    broken.operations.sendAck.channel = { $ref: '#/channels/nope' };
    delete broken.info;
    const { diagnostics } = await new Parser().parse(broken);
    expect(diagnostics.some((d) => d.severity === 0)).toBe(true);
  });

  it('docs/unit-protocol.asyncapi.json is the generated document (npx tsx scripts/asyncapi.ts --write)', () => {
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    expect(committed).toEqual(doc);
  });

  it('every topic of topics.ts, in the direction the broker enforces', () => {
    const byKind = new Map<string, Set<string>>();
    for (const o of Object.values(UNIT_OPERATIONS)) {
      const address = UNIT_CHANNELS[o.channel].address
        .replace('{unitId}', 'unit_1')
        .replace('{nodeId}', 'node-a');
      const topic = parseUnitTopic(address);
      expect(topic, address).not.toBeNull();
      byKind.set(
        topic!.kind,
        (byKind.get(topic!.kind) ?? new Set()).add(o.action),
      );
    }
    const expected = new Map<string, Set<string>>([
      ...UNIT_PUBLISHES.map((k) => [k, new Set(['send'])] as const),
      ...UNIT_SUBSCRIBES.map((k) => [k, new Set(['receive'])] as const),
    ]);
    expect(byKind).toEqual(expected);
    expect(doc.channels.nodeAcks.address).toBe(
      'keyway/v1/units/{unitId}/acks/{nodeId}',
    );
    expect(Object.keys(doc.channels.nodeAcks.parameters)).toEqual([
      'unitId',
      'nodeId',
    ]);
  });

  it('QoS and retain as docs/unit-protocol.md §3 says', () => {
    const b = (id: string) => doc.operations[id].bindings.mqtt;
    expect(b('sendStatus')).toMatchObject({ qos: 1, retain: true });
    expect(b('receiveCommand')).toMatchObject({ qos: 1, retain: false });
    expect(b('receiveSync')).toMatchObject({ qos: 0, retain: false });
    expect(b('sendResume')).toMatchObject({ qos: 1 });
    expect(b('sendApplied')).toMatchObject({ qos: 0 });
    expect(doc.servers.broker.bindings.mqtt.lastWill).toEqual({
      topic: 'keyway/v1/units/{unitId}/status',
      qos: 1,
      message: '{"online":false}',
      retain: true,
    });
  });

  it('each payload is its zod schema, and each example parses with it', () => {
    for (const [name, m] of Object.entries(UNIT_MESSAGES)) {
      expect(doc.components.messages[name].payload).toEqual({
        $ref: `#/components/schemas/${name}`,
      });
      expect(m.schema.safeParse(m.example).success, name).toBe(true);
    }
    for (const [, ref] of JSON.stringify(doc).matchAll(
      /"#\/components\/schemas\/([^"]+)"/g,
    ))
      expect(doc.components.schemas, ref).toHaveProperty(ref as string);
    expect(doc.components.schemas.UnitAck.properties.result).toEqual({
      $ref: '#/components/schemas/AckResult',
    });
    expect(doc.components.schemas.AckResult.enum).toEqual([
      'opened',
      'expired',
      'duplicate',
      'failed',
      'invalid',
    ]);
  });

  it('as a receiver reads payloads: unknown fields allowed, otherwise as zod outputs them', () => {
    const input = JSON.stringify(unitSchemas('input'));
    expect(input).not.toContain('"additionalProperties":false');
    expect(input).toBe(
      JSON.stringify(unitSchemas('output')).replaceAll(
        ',"additionalProperties":false',
        '',
      ),
    );
  });

  it("names the deployment's broker when it knows it", () => {
    expect(doc.servers.broker).toMatchObject({
      host: '{broker}',
      protocol: 'secure-mqtt',
      protocolVersion: '3.1.1',
    });
    expect(
      buildAsyncApi({ mqttUrl: 'mqtt://127.0.0.1:41883' }).servers.broker,
    ).toMatchObject({ host: '127.0.0.1:41883', protocol: 'mqtt' });
    const tls = buildAsyncApi({ mqttUrl: 'mqtts://k.example' }).servers.broker;
    expect(tls).toMatchObject({
      host: 'k.example:8883',
      protocol: 'secure-mqtt',
    });
    expect(tls).not.toHaveProperty('variables');
  });
});
