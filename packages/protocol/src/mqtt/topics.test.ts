import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UNIT_CHANNELS, UNIT_OPERATIONS } from './asyncapi';
import {
  parseUnitTopic,
  UNIT_PUBLISHES,
  UNIT_SUBSCRIBES,
  UNIT_TOPICS,
  type UnitTopicKind,
  unitTopics,
} from './topics';

/** The rows of docs/unit-protocol.md §3's topic table: topic, direction, unit may, QoS, retain. */
function docTable() {
  const doc = readFileSync(
    new URL('../../../../docs/unit-protocol.md', import.meta.url),
    'utf8',
  );
  return doc
    .split('\n')
    .filter((l) => l.startsWith('| `keyway/v1/units/'))
    .map((l) => {
      const [topic, direction, may, qos, retain] = l
        .split('|')
        .slice(1)
        .map((c) => c.trim());
      return {
        topic: topic!.replace(/`/g, ''),
        from: direction!.startsWith('unit') ? 'unit' : 'server',
        may: may!,
        qos: Number.parseInt(qos!, 10),
        retain: retain!.replace(/\*/g, '') === 'yes',
      };
    });
}

describe('the unit topic table (protocol UNIT_TOPICS)', () => {
  it('docs/unit-protocol.md §3 lists exactly its topics, with the same sender, QoS and retain', () => {
    const rows = docTable();
    const t = unitTopics('{unitId}');
    const expected = (Object.keys(UNIT_TOPICS) as UnitTopicKind[]).flatMap(
      (k) => {
        const spec = UNIT_TOPICS[k];
        const row = {
          from: spec.from,
          may: spec.from === 'unit' ? 'publish' : 'subscribe',
          qos: spec.qos,
          retain: spec.retain,
        };
        return k === 'acks'
          ? [
              { topic: t.acks, ...row },
              { topic: t.nodeAcks('{nodeId}'), ...row },
            ]
          : [{ topic: t[k], ...row }];
      },
    );
    expect(rows).toEqual(expected);
  });

  it('who may publish and subscribe follows from it', () => {
    expect([...UNIT_PUBLISHES].sort()).toEqual(
      ['acks', 'applied', 'events', 'status'].sort(),
    );
    expect([...UNIT_SUBSCRIBES].sort()).toEqual(['commands', 'sync']);
  });

  it('the AsyncAPI channels and operations agree with it', () => {
    for (const [id, op] of Object.entries(UNIT_OPERATIONS)) {
      const kind = (
        op.channel === 'nodeAcks' ? 'acks' : op.channel
      ) as UnitTopicKind;
      const spec = UNIT_TOPICS[kind];
      expect(op.action, id).toBe(spec.from === 'unit' ? 'send' : 'receive');
      expect(op.retain, id).toBe(spec.retain);
      // `applied` reports go at QoS 0 (docs §10.2); every other operation at its topic's QoS.
      if (id !== 'sendApplied') expect(op.qos, id).toBe(spec.qos);
    }
    for (const kind of Object.keys(UNIT_TOPICS) as UnitTopicKind[])
      expect(UNIT_CHANNELS[kind].address).toBe(unitTopics('{unitId}')[kind]);
  });

  it('parses every topic of a unit, and nothing else', () => {
    const t = unitTopics('unit_1');
    for (const kind of Object.keys(UNIT_TOPICS) as UnitTopicKind[])
      expect(parseUnitTopic(t[kind])).toEqual({ unitId: 'unit_1', kind });
    expect(parseUnitTopic(t.nodeAcks('n1'))).toEqual({
      unitId: 'unit_1',
      kind: 'acks',
      nodeId: 'n1',
    });
    for (const bad of [
      `${t.base}/other`,
      `${t.base}/status/x`,
      `${t.base}/events/n1`,
      'keyway/v2/units/unit_1/status',
      `${t.acks}/+`,
    ])
      expect(parseUnitTopic(bad), bad).toBeNull();
  });
});
