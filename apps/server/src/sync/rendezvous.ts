import { createHash } from 'node:crypto';

/** The weight of one node for one unit: 48 bits of SHA-256 over both ids. */
function weight(nodeId: string, unitId: string): number {
  return createHash('sha256')
    .update(nodeId)
    .update('\0')
    .update(unitId)
    .digest()
    .readUIntBE(0, 6);
}

/**
 * Rendezvous (highest random weight) hashing: the live nodes ranked for a unit, best first.
 * Every node computes the same ranking from the same membership, with no coordination; when a
 * node leaves, only its units move (each to its own next-ranked node), and when it comes back
 * it ranks first again for exactly those units. Ties (vanishingly rare) go to the smaller id.
 */
export function rankNodes(unitId: string, nodes: readonly string[]): string[] {
  return nodes
    .map((node) => ({ node, w: weight(node, unitId) }))
    .sort((a, b) => b.w - a.w || (a.node < b.node ? -1 : 1))
    .map((x) => x.node);
}

/** The node that follows a unit: the first of `rankNodes`; undefined when there is none. */
export function ownerOf(
  unitId: string,
  nodes: readonly string[],
): string | undefined {
  let best: string | undefined;
  let bestW = -1;
  for (const node of nodes) {
    const w = weight(node, unitId);
    if (w > bestW || (w === bestW && best !== undefined && node < best)) {
      best = node;
      bestW = w;
    }
  }
  return best;
}
