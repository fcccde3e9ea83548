import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeBatch } from './bus';
import type { CommittedChange } from './changelog';
import { ChangeSequencer } from './sequencer';

const change = (cursor: number): CommittedChange => ({
  cursor,
  at: '2026-01-01T00:00:00.000Z',
  payload: `{"ops":[],"n":${cursor}}`,
  audiences: ['u:x'],
  resync: false,
});

/** A log of committed transactions, each a batch with the head before it; cursors may skip. */
function makeLog(sizes: number[], skips: boolean[]): ChangeBatch[] {
  let head = 0;
  return sizes.map((size, i) => {
    const prev = head;
    if (skips[i]) head += 1; // a rolled-back insert took a cursor
    const changes = Array.from({ length: size }, () => change(++head));
    return { changes, prev, nextChangeAt: new Map() };
  });
}

function harness(log: ChangeBatch[], committed: () => number) {
  const all = log.flatMap((b) => b.changes);
  const delivered: number[] = [];
  let reads = 0;
  const seq = new ChangeSequencer(
    {
      readRange: async (after, upTo) => {
        reads++;
        const visible = all.filter(
          (c) => c.cursor > after && c.cursor <= Math.min(upTo, committed()),
        );
        return visible.slice(0, 2); // small pages: the caller must read on
      },
      readHead: async () =>
        all.filter((c) => c.cursor <= committed()).at(-1)?.cursor ?? 0,
      deliver: (b) => delivered.push(...b.changes.map((c) => c.cursor)),
      onError: (err) => {
        throw err;
      },
    },
    0,
  );
  return { seq, delivered, reads: () => reads, all };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ChangeSequencer', () => {
  it('delivers batches in order as they come, reading nothing', async () => {
    const log = makeLog([1, 2, 1], [false, true, false]);
    const h = harness(log, () => 100);
    for (const b of log) h.seq.offer(b);
    await settle();
    expect(h.delivered).toEqual(h.all.map((c) => c.cursor));
    expect(h.reads()).toBe(0);
  });

  it('reads a lost batch from the log before the next one', async () => {
    const log = makeLog([1, 3, 1], [false, false, false]);
    const h = harness(log, () => 100);
    h.seq.offer(log[0]!);
    h.seq.offer(log[2]!); // log[1] never arrives
    await settle();
    await settle();
    expect(h.delivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('finds a last batch whose message never comes by polling the head twice', async () => {
    const log = makeLog([1, 2], [false, false]);
    const h = harness(log, () => 100);
    h.seq.offer(log[0]!);
    await h.seq.poll(); // ahead: suspect, but its message may still be on its way
    expect(h.delivered).toEqual([1]);
    await h.seq.poll();
    expect(h.delivered).toEqual([1, 2, 3]);
    h.seq.offer(log[1]!); // arrives late: not delivered again
    await settle();
    expect(h.delivered).toEqual([1, 2, 3]);
  });

  it('whatever the order, loss and duplication of the bus: each change once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        async (sizes, skips, order, lost) => {
          const log = makeLog(sizes, skips);
          const h = harness(log, () => 1e9);
          const sent = order
            .map((i) => log[i % log.length]!)
            .concat(log.filter((_, i) => !lost[i]));
          for (const b of sent) {
            h.seq.offer(b);
            if (b.changes[0]!.cursor % 2) await settle();
          }
          await settle();
          await h.seq.poll();
          await h.seq.poll();
          expect(h.delivered).toEqual(h.all.map((c) => c.cursor));
        },
      ),
      { numRuns: 200 },
    );
  });
});
