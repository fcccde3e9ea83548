/**
 * Where a door event goes in the log: at its `at`, the unit's clock when the sensor changed
 * (docs/unit-protocol.md §4.4), unless that clock is clearly off (issue 25 item 3).
 */

/** How far a unit's clock may run ahead of the server's before its events are clamped. */
export const AHEAD_TOLERANCE_MS = 10_000;
/**
 * How old an event may be and still be placed at its own time. A replay after an outage is
 * history worth placing; an `at` older than this is a clock that was never set.
 */
export const MAX_AGE_MS = 7 * 24 * 60 * 60_000;

export interface Placement {
  at: Date;
  /** Set when `at` was clamped to the arrival time: the unit's clock ran ahead or behind. */
  clockSkew?: 'ahead' | 'behind';
}

export function placeEvent(unitAt: string, received: Date): Placement {
  const t = Date.parse(unitAt);
  const now = received.getTime();
  if (t > now + AHEAD_TOLERANCE_MS) return { at: received, clockSkew: 'ahead' };
  if (t < now - MAX_AGE_MS) return { at: received, clockSkew: 'behind' };
  return { at: new Date(t) };
}
