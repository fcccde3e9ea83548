import memory, { type Packet } from 'aedes-persistence';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexedMemoryPersistence } from './retained-index';

type P = ReturnType<typeof memory>;
type Retained = { topic: string; payload: Buffer };
/** As aedes calls it (aedes.js storeRetained): no callback, a promise. */
const store = (p: P, pk: Packet) =>
  (p.storeRetained as unknown as (pk: Packet) => Promise<void>)(pk);

const packet = (topic: string, payload: string): Packet =>
  ({
    cmd: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    retain: true,
    brokerId: 'b',
    brokerCounter: 1,
  }) as Packet;

async function retained(p: P, patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const pk of p.createRetainedStreamCombi(patterns)) {
    const { topic, payload } = pk as Retained;
    out.push(`${topic}=${payload}`);
  }
  return out.sort();
}

async function ready(p: P): Promise<P> {
  await (p as unknown as { setup: (b: unknown) => Promise<void> }).setup({
    id: 'b',
  });
  return p;
}

describe('retained messages indexed by exact topic', () => {
  it('answers an exact subscribe from the index, and forgets a cleared topic', async () => {
    const p = await ready(indexedMemoryPersistence());
    await store(p, packet('keyway/u1/status', 'on'));
    await store(p, packet('keyway/u2/status', 'off'));
    expect(await retained(p, ['keyway/u1/status'])).toEqual([
      'keyway/u1/status=on',
    ]);
    await store(p, packet('keyway/u1/status', ''));
    expect(await retained(p, ['keyway/u1/status', 'keyway/u2/status'])).toEqual(
      ['keyway/u2/status=off'],
    );
    expect(await retained(p, ['keyway/+/status'])).toEqual([
      'keyway/u2/status=off',
    ]);
  });

  it('answers every subscribe as the stock persistence does', async () => {
    const topic = fc.constantFrom('a/1/s', 'a/2/s', 'a/1/t', 'b/1/s', '$SYS/x');
    const pattern = fc.constantFrom(
      'a/1/s',
      'a/2/s',
      'b/1/s',
      'a/+/s',
      'a/#',
      '#',
      '+/1/+',
      'none',
    );
    const op = fc.record({
      topic,
      payload: fc.constantFrom('', 'x', 'y'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 20 }),
        fc.array(pattern, { minLength: 1, maxLength: 3 }),
        async (ops, patterns) => {
          const stock = await ready(memory());
          const indexed = await ready(indexedMemoryPersistence());
          for (const o of ops)
            for (const p of [stock, indexed])
              await store(p, packet(o.topic, o.payload));
          expect(await retained(indexed, patterns)).toEqual(
            await retained(stock, patterns),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
