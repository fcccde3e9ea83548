import { describe, expect, it } from 'vitest';
import { decideAt } from './decide';
import { nextChange } from './next-change';
import {
  isInSchedule,
  parseWallTime,
  scheduleForDay,
  weeklySchedule,
} from './schedule';
import { at, frame, memberInput } from './test-input';

const MADRID = 'Europe/Madrid';
const ALL = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const evening = { timeFrames: [frame([...ALL], '18:00', '22:00')] };

describe('a same-day frame 18:00-22:00 in Madrid', () => {
  const input = memberInput(evening);

  it('starts at 18:00:00 and ends, exclusively, at 22:00:00', () => {
    expect(decideAt(input, at('2026-06-05T17:59:59+02:00'))).toEqual({
      allowed: false,
      reason: 'outside_schedule',
    });
    expect(decideAt(input, at('2026-06-05T17:59:59.999+02:00')).allowed).toBe(
      false,
    );
    expect(decideAt(input, at('2026-06-05T18:00:00+02:00'))).toEqual({
      allowed: true,
    });
    expect(decideAt(input, at('2026-06-05T21:59:59+02:00'))).toEqual({
      allowed: true,
    });
    expect(decideAt(input, at('2026-06-05T21:59:59.999+02:00')).allowed).toBe(
      true,
    );
    expect(decideAt(input, at('2026-06-05T22:00:00+02:00')).allowed).toBe(
      false,
    );
  });

  it('reports the next change at exactly 18:00, then 22:00 local', () => {
    expect(nextChange(input, at('2026-06-05T17:59:59+02:00'))).toEqual(
      at('2026-06-05T18:00:00+02:00'),
    );
    expect(nextChange(input, at('2026-06-05T18:00:00+02:00'))).toEqual(
      at('2026-06-05T22:00:00+02:00'),
    );
    expect(nextChange(input, at('2026-06-05T22:00:00+02:00'))).toEqual(
      at('2026-06-06T18:00:00+02:00'),
    );
    // Same wall times in winter, under a different offset.
    expect(nextChange(input, at('2026-01-09T12:00:00+01:00'))).toEqual(
      at('2026-01-09T18:00:00+01:00'),
    );
  });
});

describe('overnight frames and the 23:59 -> 00:00 boundary', () => {
  const friday = memberInput({
    timeFrames: [frame(['fri'], '22:00', '02:00')],
  });

  it('covers Fri 22:00-24:00 and Sat 00:00-01:59, nothing else', () => {
    const allowed = (iso: string) => decideAt(friday, at(iso)).allowed;
    expect(allowed('2026-06-05T21:59:00+02:00')).toBe(false); // Fri 21:59
    expect(allowed('2026-06-05T22:00:00+02:00')).toBe(true);
    expect(allowed('2026-06-05T23:59:00+02:00')).toBe(true); // Fri 23:59
    expect(allowed('2026-06-05T23:59:59.999+02:00')).toBe(true);
    expect(allowed('2026-06-06T00:00:00+02:00')).toBe(true); // Sat 00:00
    expect(allowed('2026-06-06T01:59:59+02:00')).toBe(true);
    expect(allowed('2026-06-06T02:00:00+02:00')).toBe(false); // Sat 02:00
    // Saturday is not listed, so Saturday night is closed; the spill-over is Friday's only.
    expect(allowed('2026-06-06T23:00:00+02:00')).toBe(false);
    expect(allowed('2026-06-07T01:00:00+02:00')).toBe(false);
    expect(allowed('2026-06-04T23:00:00+02:00')).toBe(false); // Thursday night
  });

  it('does not see a change at midnight inside the frame', () => {
    expect(nextChange(friday, at('2026-06-05T23:59:00+02:00'))).toEqual(
      at('2026-06-06T02:00:00+02:00'),
    );
  });

  it('wraps the week: a Sunday frame spills into Monday', () => {
    const sunday = memberInput({
      timeFrames: [frame(['sun'], '23:00', '01:00')],
    });
    expect(decideAt(sunday, at('2026-06-07T23:30:00+02:00')).allowed).toBe(
      true,
    ); // Sun
    expect(decideAt(sunday, at('2026-06-08T00:30:00+02:00')).allowed).toBe(
      true,
    ); // Mon
    expect(decideAt(sunday, at('2026-06-01T00:30:00+02:00')).allowed).toBe(
      true,
    ); // Mon a week earlier
    expect(decideAt(sunday, at('2026-06-08T01:00:00+02:00')).allowed).toBe(
      false,
    );
    expect(decideAt(sunday, at('2026-06-07T00:30:00+02:00')).allowed).toBe(
      false,
    ); // Sun 00:30
    expect(scheduleForDay(sunday.member!.access, 'mon')).toEqual([
      { from: 0, to: 60 },
    ]);
  });
});

describe('a frame whose end equals its start', () => {
  const monday = memberInput({
    timeFrames: [frame(['mon'], '09:00', '09:00')],
  });

  it('lasts a full 24 hours into the next day', () => {
    expect(decideAt(monday, at('2026-06-08T08:59:59+02:00')).allowed).toBe(
      false,
    );
    expect(decideAt(monday, at('2026-06-08T09:00:00+02:00')).allowed).toBe(
      true,
    );
    expect(decideAt(monday, at('2026-06-09T08:59:59.999+02:00')).allowed).toBe(
      true,
    );
    expect(decideAt(monday, at('2026-06-09T09:00:00+02:00')).allowed).toBe(
      false,
    );
  });

  it("changes next at the next day's same minute when that day is not listed", () => {
    expect(nextChange(monday, at('2026-06-08T09:00:00+02:00'))).toEqual(
      at('2026-06-09T09:00:00+02:00'),
    );
    const monTue = memberInput({
      timeFrames: [frame(['mon', 'tue'], '09:00', '09:00')],
    });
    expect(nextChange(monTue, at('2026-06-08T09:00:00+02:00'))).toEqual(
      at('2026-06-10T09:00:00+02:00'),
    );
  });

  it('at 00:00 covers exactly the listed calendar day', () => {
    expect(weeklySchedule([frame(['wed'], '00:00', '00:00')])).toMatchObject({
      wed: [{ from: 0, to: 1440 }],
      thu: [],
    });
  });
});

describe('weeklySchedule', () => {
  it('merges overlapping and touching frames per day', () => {
    const week = weeklySchedule([
      frame(['mon'], '08:00', '12:00'),
      frame(['mon'], '11:00', '13:00'),
      frame(['mon'], '13:00', '14:00'),
      frame(['sun'], '20:00', '07:00'),
    ]);
    expect(week.mon).toEqual([
      { from: 0, to: 420 },
      { from: 480, to: 840 },
    ]);
  });

  it('ignores malformed times (the protocol schema rejects them)', () => {
    expect(parseWallTime('24:00')).toBeNull();
    expect(parseWallTime('9:00')).toBeNull();
    expect(parseWallTime('23:59')).toBe(1439);
    expect(weeklySchedule([frame(['mon'], '25:00', '09:00')]).mon).toEqual([]);
  });
});

describe('isInSchedule', () => {
  it('is always true in basic mode and never with an empty frame list', () => {
    const t = at('2026-06-05T03:00:00+02:00');
    expect(isInSchedule(null, MADRID, t)).toBe(true);
    expect(isInSchedule({ timeFrames: [] }, MADRID, t)).toBe(false);
    expect(isInSchedule(evening, MADRID, at('2026-06-05T18:30:00+02:00'))).toBe(
      true,
    );
  });

  it('evaluates in the space zone: the same instant differs between zones', () => {
    const t = at('2026-06-05T18:30:00+02:00'); // 12:30 in New York
    expect(isInSchedule(evening, MADRID, t)).toBe(true);
    expect(isInSchedule(evening, 'America/New_York', t)).toBe(false);
  });
});
