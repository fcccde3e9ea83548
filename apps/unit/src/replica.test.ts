import { describe, expect, it } from 'vitest';
import { isAlreadyApplied, parseCursor } from './cursor';
import { Replica } from './replica';

const change = (cursor: string, ops: unknown[]) =>
  JSON.stringify({ type: 'change', cursor, at: 'now', ops });
const put = (key: string, value: unknown) => ({ op: 'put', key, value });

describe('cursors', () => {
  it('parses {epoch}.{n}', () => {
    expect(parseCursor('e1.12')).toEqual({ epoch: 'e1', n: 12 });
    expect(parseCursor('a.b.3')).toEqual({ epoch: 'a.b', n: 3 });
    expect(parseCursor('opaque')).toBeNull();
  });

  it.each([
    [null, 'e1.1', false],
    ['e1.9', 'e1.9', true],
    ['e1.9', 'e1.7', true],
    ['e1.9', 'e1.10', false],
    ['e1.9', 'e2.1', false],
    ['e2.1', 'e1.9', false],
    ['opaque', 'opaque', true],
    ['opaque', 'other', false],
  ] as const)(
    'after %s, %s already applied: %s',
    (current, incoming, expected) => {
      expect(isAlreadyApplied(current, incoming)).toBe(expected);
    },
  );
});

describe('Replica', () => {
  it('replaces the view on a snapshot and applies changes in order', () => {
    const r = new Replica(new Map([['old', 1]]), 'e0.3');
    expect(
      r.receive(
        JSON.stringify({
          type: 'snapshot',
          cursor: 'e1.5',
          view: { a: 1, b: 2 },
        }),
      ),
    ).toMatchObject({
      kind: 'applied',
      cursor: 'e1.5',
    });
    expect(Object.fromEntries(r.view)).toEqual({ a: 1, b: 2 });
    r.receive(
      change('e1.9', [
        put('a', 10),
        { op: 'del', key: 'b' },
        put('c', 3),
        put('c', 4),
      ]),
    );
    expect(Object.fromEntries(r.view)).toEqual({ a: 10, c: 4 });
    expect(r.cursor).toBe('e1.9');
  });

  it('reports a change not newer than its cursor as duplicate and leaves the view alone', () => {
    const r = new Replica(new Map([['a', 1]]), 'e1.9');
    expect(r.receive(change('e1.9', [put('a', 2)]))).toEqual({
      kind: 'duplicate',
      cursor: 'e1.9',
    });
    expect(r.receive(change('e1.4', [put('a', 3)]))).toEqual({
      kind: 'duplicate',
      cursor: 'e1.4',
    });
    expect(r.view.get('a')).toBe(1);
    expect(r.receive(change('e2.1', [put('a', 4)]))).toMatchObject({
      kind: 'applied',
      cursor: 'e2.1',
    });
    expect(r.view.get('a')).toBe(4);
  });

  it('a snapshot always replaces, even one not newer', () => {
    const r = new Replica(new Map([['a', 1]]), 'e1.9');
    expect(
      r.receive(JSON.stringify({ type: 'snapshot', cursor: 'e1.7', view: {} }))
        .kind,
    ).toBe('applied');
    expect(r.view.size).toBe(0);
    expect(r.cursor).toBe('e1.7');
  });

  it.each([
    ['not json', 'payload is not JSON'],
    [
      JSON.stringify({ type: 'heartbeat', cursor: 'e1.1', at: 'now' }),
      'heartbeat is not used over MQTT',
    ],
    [
      JSON.stringify({
        type: 'error',
        cursor: null,
        code: 'resync',
        message: 'x',
      }),
      'error is not used over MQTT',
    ],
    [
      JSON.stringify({ type: 'change', cursor: 'e1.1', ops: [] }),
      'not a sync message',
    ],
    [JSON.stringify({ type: 'open', id: 'x' }), 'not a sync message'],
  ])('ignores %s', (payload, reason) => {
    const r = new Replica();
    expect(r.receive(payload)).toEqual({ kind: 'ignored', reason });
    expect(r.cursor).toBeNull();
  });
});
