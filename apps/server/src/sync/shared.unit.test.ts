import { describe, expect, it } from 'vitest';
import type { Delta } from './delta';
import { isSharedKey, viewStateWrites } from './shared';
import type { Views } from './views';

const views = (): Views =>
  new Map([
    [
      'u:1',
      new Map([
        ['sp/group/g1', '{"name":"G"}'],
        ['sp/door/d1', '{}'],
      ]),
    ],
    ['u:2', new Map([['sp/group/g1', '{"name":"G"}']])],
  ]);
const delta = (entries: [string, string, string | null][]): Delta => {
  const d: Delta = new Map();
  for (const [audience, key, value] of entries) {
    const m = d.get(audience) ?? new Map<string, string | null>();
    m.set(key, value);
    d.set(audience, m);
  }
  return d;
};

describe('shared view entries', () => {
  it('are the space, group and unit.space kinds', () => {
    expect(isSharedKey('sp/group/g1')).toBe(true);
    expect(isSharedKey('sp/space/sp')).toBe(true);
    expect(isSharedKey('sp/unit.space/sp')).toBe(true);
    expect(isSharedKey('sp/admin.group/g1')).toBe(false);
    expect(isSharedKey('sp/door/d1')).toBe(false);
  });

  it('write one value for a rename and no per-audience row', () => {
    const w = viewStateWrites(
      views(),
      delta([
        ['u:1', 'sp/group/g1', '{"name":"H"}'],
        ['u:2', 'sp/group/g1', '{"name":"H"}'],
      ]),
    );
    expect(w.upserts).toEqual([]);
    expect([...w.shared]).toEqual([['sp/group/g1', '{"name":"H"}']]);
  });

  it('write a presence row for an audience that gains one', () => {
    const w = viewStateWrites(
      views(),
      delta([['u:3', 'sp/group/g1', '{"name":"G"}']]),
    );
    expect(w.upserts).toEqual([['u:3', 'sp/group/g1', '']]);
  });

  it('drop the value once no audience shows it, not before', () => {
    const some = viewStateWrites(
      views(),
      delta([['u:1', 'sp/group/g1', null]]),
    );
    expect(some.unshared).toEqual([]);
    const all = viewStateWrites(
      views(),
      delta([
        ['u:1', 'sp/group/g1', null],
        ['u:2', 'sp/group/g1', null],
      ]),
    );
    expect(all.deletes).toHaveLength(2);
    expect(all.unshared).toEqual(['sp/group/g1']);
  });

  it('refuse two values for one shared entry (a bug in the views, never silently stored)', () => {
    expect(() =>
      viewStateWrites(
        views(),
        delta([
          ['u:1', 'sp/group/g1', '{"name":"H"}'],
          ['u:2', 'sp/group/g1', '{"name":"I"}'],
        ]),
      ),
    ).toThrow(/two values/);
  });
});
