import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownerOf, rankNodes } from './rendezvous';

const units = Array.from({ length: 3000 }, (_, i) => `unit_${i}`);
const nodes = ['node-1', 'node-2', 'node-3'];

describe('rendezvous hashing of units over nodes', () => {
  it('spreads units evenly and agrees with the ranking', () => {
    const count = new Map<string, number>();
    for (const u of units) {
      const owner = ownerOf(u, nodes)!;
      expect(rankNodes(u, nodes)[0]).toBe(owner);
      count.set(owner, (count.get(owner) ?? 0) + 1);
    }
    for (const n of nodes) {
      expect(count.get(n)).toBeGreaterThan(900);
      expect(count.get(n)).toBeLessThan(1100);
    }
  });

  it('does not depend on the order nodes are listed in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (ns, unit) => {
          const reversed = [...ns].reverse();
          expect(ownerOf(unit, reversed)).toBe(ownerOf(unit, ns));
          expect(rankNodes(unit, reversed)).toEqual(rankNodes(unit, ns));
        },
      ),
    );
  });

  it('a node leaving moves only its own units, each to its next-ranked node; back, it takes them again', () => {
    const before = new Map(units.map((u) => [u, ownerOf(u, nodes)!]));
    const survivors = nodes.filter((n) => n !== 'node-2');
    for (const u of units) {
      const after = ownerOf(u, survivors)!;
      if (before.get(u) !== 'node-2') expect(after).toBe(before.get(u));
      else expect(after).toBe(rankNodes(u, nodes)[1]);
    }
    for (const u of units) expect(ownerOf(u, nodes)).toBe(before.get(u));
  });

  it('nobody owns a unit when no node is live', () => {
    expect(ownerOf('unit_x', [])).toBeUndefined();
    expect(rankNodes('unit_x', [])).toEqual([]);
  });
});
