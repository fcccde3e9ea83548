import { Readable } from 'node:stream';
import memory, { type Packet } from 'aedes-persistence';

const WILDCARD = /[+#]/;

/**
 * aedes' in-memory persistence with retained messages also indexed by exact topic. The stock one
 * answers every SUBSCRIBE by matching the pattern against every retained message, wildcard or
 * not: each unit holds a retained status, and each unit subscribes to its own two topics at
 * every connect, so a restart storm of n units costs n² topic matches — at 2,000 units the
 * largest single cost in the restarted server's CPU profile (`npm run bench:storm -- --profile`).
 * Subscriptions without a wildcard (every unit's) are now a map lookup; wildcard ones (the
 * server's own) still go to the stock scan.
 */
export function indexedMemoryPersistence() {
  const p = memory();
  const exact = new Map<string, Packet>();
  type Retained = Packet & { topic: string; payload: Buffer | string };
  const store = p.storeRetained.bind(p) as (
    packet: Packet,
    cb?: (err?: Error | null) => void,
  ) => unknown;
  (p as { storeRetained: unknown }).storeRetained = (
    packet: Retained,
    cb?: (err?: Error | null) => void,
  ) => {
    if (packet.payload.length === 0) exact.delete(packet.topic);
    else exact.set(packet.topic, { ...packet });
    return store(packet, cb);
  };
  const combi = p.createRetainedStreamCombi.bind(p);
  p.createRetainedStreamCombi = (patterns: string[]) =>
    patterns.some((t) => WILDCARD.test(t))
      ? combi(patterns)
      : Readable.from(
          patterns.flatMap((t) => {
            const packet = exact.get(t);
            return packet ? [packet] : [];
          }),
        );
  return p;
}
