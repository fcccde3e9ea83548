import { addDays, DAY_MS, weekdayOf } from './calendar';
import { decideAt, validityBounds } from './decide';
import {
  isConstantSchedule,
  type MinuteRange,
  weekInSchedule,
  weeklySchedule,
} from './schedule';
import type { AccessInput } from './types';
import { offsetTransitions, wallTimeInstants } from './wall-time';
import { zonedParts } from './zone';

const HORIZON_MS = 400 * DAY_MS;

/** Minutes of a day at which a schedule with these ranges can start or stop applying. */
function boundaryMinutes(ranges: readonly MinuteRange[]): number[] {
  const minutes = new Set([0]); // midnight: the weekday, hence the ranges, change
  for (const r of ranges) {
    minutes.add(r.from);
    if (r.to < 1440) minutes.add(r.to);
  }
  return [...minutes];
}

/**
 * The first instant strictly after `at` when decideAt's answer (allowed, or the reason) changes;
 * null if it never does within 400 days.
 *
 * Candidates are the instants where the answer can change: validFrom, validUntil + 1 ms, and per
 * local day every frame edge and midnight (both instants of an ambiguous wall time) plus the
 * zone's offset transitions (a fall-back jump re-enters earlier wall times). Days are scanned in
 * order and the scan stops at the first candidate whose answer differs.
 */
export function nextChange(input: AccessInput, at: Date): Date | null {
  const t = at.getTime();
  const horizon = t + HORIZON_MS;
  const within = (c: number | null) =>
    c !== null && c > t && c <= horizon ? new Date(c) : null;
  const base = decideAt(input, at);
  const access = input.member?.access;
  // Not a member, or basic mode: nothing in this input depends on time.
  if (!base.allowed && base.reason === 'no_access') return null;
  if (!access) return null;
  const { from, until } = validityBounds(access);
  if (!base.allowed && base.reason === 'not_yet_valid')
    return within(Number.isNaN(from) ? null : from);
  if (!base.allowed && base.reason === 'expired') return null; // expiry is for good
  // Inside the validity window: the schedule decides until validUntil + 1 ms.
  const end = until === null ? null : until + 1;
  const stop = Math.min(end ?? Number.POSITIVE_INFINITY, horizon);
  const week = weeklySchedule(access.timeFrames);
  if (isConstantSchedule(week)) return within(end);
  const inSchedule = base.allowed;
  const { timezone } = input;
  const p = zonedParts(at, timezone);
  let dayStart = wallTimeInstants(timezone, p.year, p.month, p.day, 0, 0)[0]!;
  for (let k = 0; dayStart <= stop; k++) {
    const [y, m, d] = addDays(p.year, p.month, p.day, k);
    const [ny, nm, nd] = addDays(p.year, p.month, p.day, k + 1);
    const nextStart = wallTimeInstants(timezone, ny, nm, nd, 0, 0)[0]!;
    const candidates = boundaryMinutes(week[weekdayOf(y, m, d)]).flatMap(
      (min) =>
        wallTimeInstants(timezone, y, m, d, Math.floor(min / 60), min % 60),
    );
    candidates.push(...offsetTransitions(timezone, dayStart, nextStart));
    candidates.sort((a, b) => a - b);
    for (const c of candidates) {
      if (c <= t) continue;
      if (c >= stop) return within(end);
      if (weekInSchedule(week, timezone, new Date(c)) !== inSchedule)
        return new Date(c);
    }
    dayStart = nextStart;
  }
  return within(end);
}
