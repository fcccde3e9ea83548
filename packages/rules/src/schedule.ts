/*
 * Schedule semantics (also in packages/rules/README.md).
 *
 * - Schedules are WALL-CLOCK times in the space's IANA zone, evaluated at minute resolution
 *   (frames are whole minutes, so seconds never matter).
 * - A frame {days, from, to} with from < to covers local [from, to) on each listed day.
 * - to < from runs overnight: [from, 24:00) on each listed day and [00:00, to) on the NEXT day
 *   (a "sun" frame spills into Monday).
 * - to == from is a full 24 hours: from `from` on the listed day to `from` on the next day.
 * - End is exclusive: 18:00-22:00 includes 18:00:00.000 and 21:59:59.999, not 22:00:00.
 * - Because only the wall clock counts: on a spring-forward night the skipped hour never occurs
 *   (an overnight frame is one hour shorter in real time); on a fall-back night the repeated hour
 *   is inside the frame both times if its wall time is (the frame is one hour longer).
 * - Basic mode (access null/undefined) is 24/7. An advanced access with no frames is never in
 *   schedule. A malformed "HH:MM" (the protocol schema rejects them) makes its frame cover nothing.
 */
import type { Access, TimeFrame, Weekday } from './types';
import { WEEKDAYS } from './types';
import { zonedParts } from './zone';

/** Local minutes of the day [from, to), 0 <= from < to <= 1440. */
export interface MinuteRange {
  from: number;
  to: number;
}

export type WeeklySchedule = Record<Weekday, MinuteRange[]>;

const DAY_MINUTES = 1440;

/** "HH:MM" -> minutes since midnight, or null when malformed. */
export function parseWallTime(hhmm: string): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  return h < 24 && m < 60 ? h * 60 + m : null;
}

function nextWeekday(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 1) % 7]!;
}

function merge(ranges: MinuteRange[]): MinuteRange[] {
  const sorted = ranges
    .filter((r) => r.to > r.from)
    .sort((a, b) => a.from - b.from);
  const out: MinuteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** For each weekday, the merged local minute ranges the frames cover on that calendar day. */
export function weeklySchedule(
  timeFrames: readonly TimeFrame[],
): WeeklySchedule {
  const raw: WeeklySchedule = {
    mon: [],
    tue: [],
    wed: [],
    thu: [],
    fri: [],
    sat: [],
    sun: [],
  };
  for (const frame of timeFrames) {
    const from = parseWallTime(frame.from);
    const to = parseWallTime(frame.to);
    if (from === null || to === null) continue;
    for (const day of new Set(frame.days)) {
      if (!raw[day]) continue;
      if (from < to) {
        raw[day].push({ from, to });
        continue;
      }
      // Overnight (to < from) or a full 24 hours (to == from): the rest of this day, then the
      // start of the next one up to `to`.
      raw[day].push({ from, to: DAY_MINUTES });
      raw[nextWeekday(day)].push({ from: 0, to });
    }
  }
  for (const day of WEEKDAYS) raw[day] = merge(raw[day]);
  return raw;
}

/** The local minute ranges an access covers on a given weekday ([] = closed all day). */
export function scheduleForDay(
  access: Access | null | undefined,
  weekday: Weekday,
): MinuteRange[] {
  if (!access) return [{ from: 0, to: DAY_MINUTES }];
  return weeklySchedule(access.timeFrames)[weekday];
}

export function coversMinute(
  ranges: readonly MinuteRange[],
  minute: number,
): boolean {
  return ranges.some((r) => r.from <= minute && minute < r.to);
}

/** True when the schedule never changes: open around the clock every day, or never open. */
export function isConstantSchedule(week: WeeklySchedule): boolean {
  const full = (rs: MinuteRange[]) =>
    rs.length === 1 && rs[0]!.from === 0 && rs[0]!.to === DAY_MINUTES;
  return (
    WEEKDAYS.every((d) => full(week[d])) ||
    WEEKDAYS.every((d) => week[d].length === 0)
  );
}

export function weekInSchedule(
  week: WeeklySchedule,
  timezone: string,
  at: Date,
): boolean {
  const p = zonedParts(at, timezone);
  return coversMinute(week[p.weekday], p.hour * 60 + p.minute);
}

/**
 * Whether `at` falls inside the access's time frames (wall clock in `timezone`). Schedule only:
 * validFrom/validUntil are checked by decideAt. Basic mode (null) is always in schedule.
 */
export function isInSchedule(
  access: Access | null | undefined,
  timezone: string,
  at: Date,
): boolean {
  if (!access) return true;
  return weekInSchedule(weeklySchedule(access.timeFrames), timezone, at);
}
