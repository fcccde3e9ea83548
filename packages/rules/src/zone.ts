// Zone offsets and wall-clock parts from Intl.DateTimeFormat alone, so this behaves the same in
// Node, a browser and on a Raspberry Pi whatever the machine's own TZ.
import { wallMs, weekdayOf } from './calendar';
import type { Weekday } from './types';

export interface ZonedParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  /** 0-23 */
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

// Constructing a DateTimeFormat costs far more than formatting with one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The offset (wall clock minus UTC, ms) at instant t, straight from Intl. */
function intlOffset(t: number, timezone: string): number {
  const f: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(t))
    f[p.type] = Number(p.value);
  // Some older engines print midnight as "24" even with h23.
  const wall = wallMs(
    f.year!,
    f.month!,
    f.day!,
    f.hour! % 24,
    f.minute!,
    f.second!,
  );
  return wall + (((t % 1000) + 1000) % 1000) - t;
}

// formatToParts costs ~10 µs and nextChange needs dozens of offsets, so offsets are cached per
// hour-long bucket. A bucket whose two ends agree is taken to have one offset throughout (no zone
// changes offset twice within an hour); one that contains a transition is marked NaN and always
// asks Intl.
const BUCKET_MS = 3_600_000;
const MAX_BUCKETS = 50_000;
const offsetCache = new Map<string, Map<number, number>>();

/** The zone's UTC offset at instant t, in ms (wall clock minus UTC). */
export function offsetAt(t: number, timezone: string): number {
  let zone = offsetCache.get(timezone);
  if (!zone || zone.size > MAX_BUCKETS) {
    zone = new Map();
    offsetCache.set(timezone, zone);
  }
  const bucket = Math.floor(t / BUCKET_MS);
  let offset = zone.get(bucket);
  if (offset === undefined) {
    const start = intlOffset(bucket * BUCKET_MS, timezone);
    offset =
      start === intlOffset((bucket + 1) * BUCKET_MS - 1, timezone)
        ? start
        : Number.NaN;
    zone.set(bucket, offset);
  }
  return Number.isNaN(offset) ? intlOffset(t, timezone) : offset;
}

/** Local wall-clock parts of an instant in a zone. */
export function zonedParts(at: Date, timezone: string): ZonedParts {
  const wall = new Date(at.getTime() + offsetAt(at.getTime(), timezone));
  const [year, month, day] = [
    wall.getUTCFullYear(),
    wall.getUTCMonth() + 1,
    wall.getUTCDate(),
  ];
  return {
    year,
    month,
    day,
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: weekdayOf(year, month, day),
  };
}
