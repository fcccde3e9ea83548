// From wall-clock times back to instants, and finding a zone's offset transitions.
import { DAY_MS, wallMs } from './calendar';
import { offsetAt } from './zone';

const MINUTE_MS = 60_000;

/** Wall-clock reading of instant t, as ms "as if UTC". */
function wallAt(t: number, timezone: string): number {
  return t + offsetAt(t, timezone);
}

/**
 * Every instant whose wall-clock reading in the zone is exactly y-m-d hh:mm, ascending: one
 * normally, two in a fall-back overlap. In a spring-forward gap (no such instant) the single
 * result is the first instant after the gap.
 */
export function wallTimeInstants(
  timezone: string,
  y: number,
  m: number,
  d: number,
  hh: number,
  mm: number,
): number[] {
  const local = wallMs(y, m, d, hh, mm);
  const before = offsetAt(local - DAY_MS, timezone);
  const after = offsetAt(local + DAY_MS, timezone);
  if (before === after && offsetAt(local - before, timezone) === before)
    return [local - before];
  // A transition is near: try every offset in force around that wall time.
  const offsets = [...new Set([before, offsetAt(local, timezone), after])];
  const found = offsets
    .map((o) => local - o)
    .filter((t) => wallAt(t, timezone) === local);
  if (found.length > 0) return [...new Set(found)].sort((a, b) => a - b);
  // Spring-forward gap: before the transition every reading is earlier than `local`, from it on
  // every reading is later; binary-search that instant.
  let lo = local - Math.max(...offsets) - MINUTE_MS;
  let hi = local - Math.min(...offsets);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallAt(mid, timezone) > local) hi = mid;
    else lo = mid;
  }
  return [hi];
}

/**
 * The instant of a local wall-clock time in a zone (month 1-12). A time that does not exist
 * (spring-forward gap) maps to the first instant after the gap; an ambiguous one (fall-back)
 * maps to the earlier instant.
 */
export function zonedTimeToInstant(
  timezone: string,
  y: number,
  m: number,
  d: number,
  hh: number,
  mm: number,
): Date {
  return new Date(wallTimeInstants(timezone, y, m, d, hh, mm)[0]!);
}

/** Instants in (t0, t1] where the zone's offset changes, ascending. */
export function offsetTransitions(
  timezone: string,
  t0: number,
  t1: number,
): number[] {
  const out: number[] = [];
  let start = t0;
  let startOffset = offsetAt(start, timezone);
  // Bounded: real zones change offset at most a couple of times a day.
  for (
    let i = 0;
    i < 4 && start < t1 && offsetAt(t1, timezone) !== startOffset;
    i++
  ) {
    let lo = start;
    let hi = t1;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid, timezone) === startOffset) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    start = hi;
    startOffset = offsetAt(hi, timezone);
  }
  return out;
}
