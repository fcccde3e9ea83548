import { type AccessEvent, ServerMessage } from '@keyway/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpsPayloads, opsJson } from './delta';
import { changeBytes, errorJson, heartbeatJson, snapshotJson } from './wire';

/** Property tests: what each encoder writes parses with the protocol's schema, to the same fields. */
const cursor = fc
  .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.nat())
  .map(([epoch, n]) => `${epoch}.${n}`);
const at = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());
/** View values as the change log holds them: any JSON, already serialized. */
const value = fc.jsonValue().map((v) => JSON.stringify(v));
const ops = fc
  .uniqueArray(fc.tuple(fc.string({ maxLength: 40 }), fc.option(value)), {
    selector: ([k]) => k,
    maxLength: 8,
  })
  .map((entries) => new Map(entries));
const event: fc.Arbitrary<AccessEvent> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 20 }),
  spaceId: fc.string({ minLength: 1, maxLength: 20 }),
  at,
  type: fc.constantFrom(
    'door.open',
    'door.state',
    'unit.online',
    'admin.change',
  ) as fc.Arbitrary<AccessEvent['type']>,
  doorId: fc.option(fc.string({ minLength: 1, maxLength: 20 })),
  unitId: fc.constant(null),
  userId: fc.option(fc.string({ minLength: 1, maxLength: 20 })),
  memberId: fc.constant(null),
  result: fc.option(fc.string()),
  reason: fc.option(fc.string()),
  data: fc.option(fc.dictionary(fc.string(), fc.jsonValue())),
});

describe('sync wire encoders', () => {
  it('a change, spliced around a payload of ops (shared or not) and events, parses as a ChangeMessage with those ops and events', () => {
    fc.assert(
      fc.property(
        cursor,
        at,
        ops,
        fc.array(event, { maxLength: 3 }),
        (c, when, entries, events) => {
          // The two ways changelog.ts writes a payload: ops alone (shared), or with events.
          const payload = events.length
            ? `{"ops":${opsJson(entries)},"events":${JSON.stringify(events)}}`
            : new OpsPayloads().get(entries);
          const parsed = ServerMessage.parse(
            JSON.parse(
              changeBytes({ cursor: c, at: when }, payload).toString(),
            ),
          );
          expect(parsed).toMatchObject({ type: 'change', cursor: c, at: when });
          if (parsed.type !== 'change') throw new Error('not a change');
          expect(parsed.ops).toEqual(
            [...entries.keys()].sort().map((key) => {
              const v = entries.get(key);
              return v === null || v === undefined
                ? { op: 'del', key }
                : { op: 'put', key, value: JSON.parse(v) };
            }),
          );
          if (events.length)
            expect(parsed.events).toEqual(JSON.parse(JSON.stringify(events)));
        },
      ),
      { seed: 2026, numRuns: 300 },
    );
  });

  it('a heartbeat, with or without its interval, parses as a HeartbeatMessage', () => {
    fc.assert(
      fc.property(
        cursor,
        at,
        fc.option(fc.integer({ min: 1, max: 3_600_000 }), { nil: undefined }),
        (c, when, intervalMs) => {
          const m = { cursor: c, at: when, ...(intervalMs && { intervalMs }) };
          expect(ServerMessage.parse(JSON.parse(heartbeatJson(m)))).toEqual({
            type: 'heartbeat',
            ...m,
          });
        },
      ),
      { seed: 2026, numRuns: 300 },
    );
  });

  it('a snapshot and an error parse as theirs', () => {
    fc.assert(
      fc.property(
        cursor,
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.option(cursor),
        fc.string(),
        (c, view, at, message) => {
          expect(
            ServerMessage.parse(JSON.parse(snapshotJson({ cursor: c, view }))),
          ).toEqual({
            type: 'snapshot',
            cursor: c,
            view: JSON.parse(JSON.stringify(view)),
          });
          const err = { cursor: at, code: 'slow_consumer' as const, message };
          expect(ServerMessage.parse(JSON.parse(errorJson(err)))).toEqual({
            type: 'error',
            ...err,
          });
        },
      ),
      { seed: 2026, numRuns: 200 },
    );
  });
});
