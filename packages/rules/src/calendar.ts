// Zone-free calendar arithmetic on UTC fields (never Date's local-time methods).
import { WEEKDAYS, type Weekday } from './types';

export const DAY_MS = 86_400_000;

/** Milliseconds since the epoch of a wall-clock reading taken as if it were UTC. */
export function wallMs(
  y: number,
  m: number,
  d: number,
  hh = 0,
  mm = 0,
  ss = 0,
): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(y, m - 1, d);
  date.setUTCHours(hh, mm, ss, 0);
  return date.getTime();
}

/** Weekday of a calendar date (proleptic Gregorian). */
export function weekdayOf(y: number, m: number, d: number): Weekday {
  const sundayFirst = new Date(wallMs(y, m, d)).getUTCDay();
  return WEEKDAYS[(sundayFirst + 6) % 7]!;
}

/** The calendar date `days` after y-m-d. */
export function addDays(
  y: number,
  m: number,
  d: number,
  days: number,
): [number, number, number] {
  const date = new Date(wallMs(y, m, d) + days * DAY_MS);
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}
