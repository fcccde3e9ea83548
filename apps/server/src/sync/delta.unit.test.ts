import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  audiencesWith,
  type Delta,
  diffViews,
  OpsPayloads,
  opsJson,
  setEntry,
  unitAudiences,
} from './delta';
import { focusedDelta } from './focus';
import type { Views } from './views';

const views = fc
  .dictionary(
    fc.constantFrom('u:1', 'u:2', 'a:sp', 'n:unit'),
    fc.dictionary(
      fc.constantFrom(
        'sp/door/d1',
        'sp/door/d2',
        'sp/access/m1',
        'sp/space/sp',
      ),
      fc.constantFrom('{"v":1}', '{"v":2}', '{"v":3}'),
      { minKeys: 1 },
    ),
  )
  .map(
    (o): Views =>
      new Map(
        Object.entries(o).map(([a, e]) => [a, new Map(Object.entries(e))]),
      ),
  );

const clone = (v: Views): Views =>
  new Map([...v].map(([a, e]) => [a, new Map(e)]));

describe('delta', () => {
  it('diff then apply turns any views into any other, and holds only real changes', () => {
    fc.assert(
      fc.property(views, views, (before, after) => {
        const delta = diffViews(before, after);
        const applied = clone(before);
        applyDelta(applied, delta);
        expect(applied).toEqual(after);
        for (const [audience, entries] of delta)
          for (const [key, value] of entries)
            expect(value).not.toBe(before.get(audience)?.get(key) ?? null);
      }),
    );
  });

  it('setting an entry back to its published value drops it from the delta', () => {
    const published: Views = new Map([['u:1', new Map([['k', '1']])]]);
    const delta = new Map();
    setEntry(published, delta, 'u:1', 'k', '2');
    expect(delta.get('u:1')?.get('k')).toBe('2');
    setEntry(published, delta, 'u:1', 'k', '1');
    expect(delta.size).toBe(0);
  });

  it('writes ops in key order with the serialized values spliced in', () => {
    const ops = JSON.parse(
      opsJson(
        new Map([
          ['sp/door/b', null],
          ['sp/door/a', '{"name":"Gate \\"1\\""}'],
        ]),
      ),
    );
    expect(ops).toEqual([
      { op: 'put', key: 'sp/door/a', value: { name: 'Gate "1"' } },
      { op: 'del', key: 'sp/door/b' },
    ]);
  });

  it('serializes a payload of ops once per distinct entries, and each as a fresh build would', () => {
    const entries = fc.dictionary(
      fc.constantFrom('sp/door/a', 'sp/door/b', 'sp/group/g'),
      fc.constantFrom(null, '{"v":1}', '{"v":2}'),
      { minKeys: 1 },
    );
    fc.assert(
      fc.property(fc.array(entries, { minLength: 1, maxLength: 8 }), (all) => {
        const shared = new OpsPayloads();
        for (const o of all) {
          const m = new Map(Object.entries(o)) as Map<string, string | null>;
          const fresh = `{"ops":${opsJson(m)}}`;
          expect(shared.get(m)).toBe(fresh);
          // The same entries inserted in another order: the same payload again.
          expect(shared.get(new Map([...m].reverse()))).toBe(fresh);
        }
      }),
    );
  });
});

describe('indexes over published views', () => {
  it('know which audiences show a door, and follow entries that appear and go', () => {
    const views: Views = new Map([
      ['u:1', new Map([['sp/door/d1', '{}']])],
      ['a:sp', new Map([['sp/admin.door/d1', '{}']])],
      ['n:unit1', new Map([['sp/unit.config/unit1', '{}']])],
    ]);
    expect(audiencesWith(views, 'sp/door/d1')).toEqual(['u:1']);
    expect(unitAudiences(views)).toEqual(['n:unit1']);
    const entry = (key: string, value: string | null) =>
      new Map<string, string | null>([[key, value]]);
    const delta: Delta = new Map([
      ['u:2', entry('sp/door/d1', '{}')],
      ['u:1', entry('sp/door/d1', null)],
      ['n:unit2', entry('sp/unit.config/unit2', '{}')],
    ]);
    applyDelta(views, delta);
    expect(audiencesWith(views, 'sp/door/d1')).toEqual(['u:2']);
    expect(unitAudiences(views).sort()).toEqual(['n:unit1', 'n:unit2']);
    // A new value for an entry already shown keeps the index.
    applyDelta(views, new Map([['u:2', new Map([['sp/door/d1', '{"v":2}']])]]));
    expect(audiencesWith(views, 'sp/door/d1')).toEqual(['u:2']);
  });
});

describe('focused delta', () => {
  const member = (id: string, userId: string) => JSON.stringify({ id, userId });
  const published: Views = new Map([
    [
      'a:sp',
      new Map([
        ['sp/admin.member/m1', member('m1', 'usr1')],
        ['sp/admin.member/m2', member('m2', 'usr2')],
        ['sp/admin.door/d1', '{"name":"old"}'],
      ]),
    ],
    ['u:usr1', new Map([['sp/door/d1', '{"name":"old"}']])],
    ['u:usr2', new Map([['sp/door/d1', '{"name":"old"}']])],
    ['n:unit', new Map([['sp/unit.access/m2', '{"relays":[1]}']])],
  ]);

  it('takes only the entries the focus owns from the partial rebuild', () => {
    // Rebuilt with m1 only: m2 is absent from the partial views, and must not be removed.
    const partial: Views = new Map([
      [
        'a:sp',
        new Map([
          ['sp/admin.member/m1', member('m1', 'usr1')],
          ['sp/admin.door/d1', '{"name":"new"}'],
        ]),
      ],
      ['u:usr1', new Map([['sp/door/d1', '{"name":"new"}']])],
    ]);
    const focus = {
      members: new Set(['m1']),
      units: new Set<string>(),
      doors: new Set<string>(),
      groups: new Set<string>(),
    };
    const delta = focusedDelta(
      'sp',
      focus,
      published,
      partial,
      new Map([['m1', 'usr1']]),
    );
    // Her phone changes; the door's dashboard entry is not hers, nor is m2's phone or unit entry.
    expect([...delta.keys()]).toEqual(['u:usr1']);
    expect(delta.get('u:usr1')?.get('sp/door/d1')).toBe('{"name":"new"}');
  });

  it('removes a deleted member everywhere she was, found by her published entry', () => {
    const partial: Views = new Map();
    const focus = {
      members: new Set(['m2']),
      units: new Set<string>(),
      doors: new Set<string>(),
      groups: new Set<string>(),
    };
    const delta = focusedDelta('sp', focus, published, partial, new Map());
    expect(delta.get('a:sp')?.get('sp/admin.member/m2')).toBeNull();
    expect(delta.get('u:usr2')?.get('sp/door/d1')).toBeNull();
    expect(delta.get('n:unit')?.get('sp/unit.access/m2')).toBeNull();
    expect(delta.has('u:usr1')).toBe(false);
  });
});
