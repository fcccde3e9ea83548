import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from './calendar';
import { decideAt, sameDecision } from './decide';
import { nextChange } from './next-change';
import { memberInput } from './test-input';
import type { Access, AccessInput, TimeFrame } from './types';
import { WEEKDAYS } from './types';
import { zonedTimeToInstant } from './wall-time';
import { zonedParts } from './zone';

// Property runs take seconds; the default 5 s timeout would make them flaky on a busy machine.
const SLOW = 60_000;

// Each zone with its 2026 offset changes, so random tests land on DST nights often.
const ZONE_NIGHTS: Record<string, string[]> = {
  'Europe/Madrid': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
  'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
  'Pacific/Auckland': ['2026-04-04T14:00:00Z', '2026-09-26T14:00:00Z'],
  'Australia/Lord_Howe': ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'], // 30-minute DST
  'America/Santiago': ['2026-04-05T03:00:00Z', '2026-09-06T04:00:00Z'], // DST at midnight
  'Asia/Kathmandu': [], // +05:45
  UTC: [],
};
const ZONES = Object.keys(ZONE_NIGHTS);

const wallTime = fc.oneof(
  fc.constantFrom(
    '00:00',
    '01:00',
    '01:30',
    '02:00',
    '02:30',
    '03:00',
    '23:00',
    '23:59',
  ),
  fc
    .tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.constantFrom(0, 1, 15, 30, 45, 59),
    )
    .map(
      ([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
    ),
);
const timeFrame: fc.Arbitrary<TimeFrame> = fc.record({
  days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
  from: wallTime,
  to: wallTime,
});
const anyInstant = fc.integer({
  min: Date.parse('2026-01-01T00:00:00Z'),
  max: Date.parse('2027-12-31T00:00:00Z'),
});
const instantIn = (zone: string) => {
  const nights = (ZONE_NIGHTS[zone] ?? []).map(Date.parse);
  if (nights.length === 0) return anyInstant;
  const nearNight = fc.tuple(
    fc.constantFrom(...nights),
    fc.integer({ min: -DAY_MS, max: DAY_MS }),
  );
  return fc.oneof(
    anyInstant,
    nearNight.map(([night, delta]) => night + delta),
  );
};
const bound = fc.option(fc.integer({ min: -10 * DAY_MS, max: 10 * DAY_MS }), {
  nil: undefined,
});
const scenario = fc
  .constantFrom(...ZONES)
  .chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      frames: fc.array(timeFrame, { maxLength: 3 }),
      basic: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), // basic mode one time in five
      from: bound,
      until: bound,
      at: instantIn(zone),
    }),
  )
  .map(({ zone, frames, basic, from, until, at }) => {
    const iso = (delta: number | undefined) =>
      delta === undefined ? null : new Date(at + delta).toISOString();
    const access: Access | null = basic
      ? null
      : { timeFrames: frames, validFrom: iso(from), validUntil: iso(until) };
    return { input: memberInput(access, zone), at: new Date(at) };
  });

describe('nextChange (property)', () => {
  it(
    'is constant on [x, t) at sampled points and differs at t',
    () => {
      fc.assert(
        fc.property(scenario, ({ input, at }) => {
          const base = decideAt(input, at);
          const t = nextChange(input, at);
          const end = t ? t.getTime() : at.getTime() + 400 * DAY_MS;
          const span = end - at.getTime();
          const samples = [
            at.getTime() + 1,
            end - 1,
            ...Array.from(
              { length: 64 },
              (_, i) => at.getTime() + (span * i) / 64,
            ),
          ];
          for (const s of samples.map(Math.floor)) {
            if (s < at.getTime() || s >= end) continue;
            expect(
              sameDecision(decideAt(input, new Date(s)), base),
              new Date(s).toISOString(),
            ).toBe(true);
          }
          if (t) {
            expect(t.getTime()).toBeGreaterThan(at.getTime());
            expect(sameDecision(decideAt(input, t), base)).toBe(false);
          }
        }),
        { numRuns: 300 },
      );
    },
    SLOW,
  );

  it(
    'finds every change a minute-by-minute scan finds, over 2 days of walking',
    () => {
      fc.assert(
        fc.property(scenario, ({ input, at }) => {
          let cur: number | null = at.getTime();
          for (
            let steps = 0;
            cur !== null && cur < at.getTime() + 2 * DAY_MS && steps < 20;
            steps++
          ) {
            const expected = scanForChange(input, cur, 8 * DAY_MS);
            const actual: number | null =
              nextChange(input, new Date(cur))?.getTime() ?? null;
            if (expected === null)
              expect(actual === null || actual > cur + 8 * DAY_MS).toBe(true);
            else
              expect(actual === null ? null : new Date(actual)).toEqual(
                new Date(expected),
              );
            cur = actual;
          }
        }),
        { numRuns: 100 },
      );
    },
    SLOW,
  );
});

/**
 * The oracle: the offsets of these zones are whole minutes, so decideAt can only change on a
 * UTC minute boundary or at a validity bound; try them all in order.
 */
function scanForChange(
  input: AccessInput,
  x: number,
  limit: number,
): number | null {
  const base = decideAt(input, new Date(x));
  const access = input.member?.access;
  const bounds = [access?.validFrom, access?.validUntil].flatMap((s) =>
    s ? [Date.parse(s), Date.parse(s) + 1] : [],
  );
  for (let m = Math.floor(x / 60_000) + 1; m * 60_000 <= x + limit; m++) {
    const candidates = [
      ...bounds.filter((b) => b > x && b <= m * 60_000),
      m * 60_000,
    ].sort((a, b) => a - b);
    const changed = candidates.find(
      (c) => !sameDecision(decideAt(input, new Date(c)), base),
    );
    if (changed !== undefined) return changed;
  }
  return null;
}

describe('zonedTimeToInstant (property)', () => {
  it(
    'round-trips through zonedParts, and picks the earliest instant or the end of a gap',
    () => {
      const local = fc.record({
        zone: fc.constantFrom(...ZONES),
        date: fc.integer({
          min: Date.parse('2026-01-01T00:00:00Z'),
          max: Date.parse('2027-12-31T00:00:00Z'),
        }),
        h: fc.integer({ min: 0, max: 23 }),
        m: fc.integer({ min: 0, max: 59 }),
      });
      fc.assert(
        fc.property(local, ({ zone, date, h, m }) => {
          const d = new Date(date);
          const [y, mo, day] = [
            d.getUTCFullYear(),
            d.getUTCMonth() + 1,
            d.getUTCDate(),
          ];
          const t = zonedTimeToInstant(zone, y, mo, day, h, m);
          const wanted = [y, mo, day, h, m].join(',');
          const wall = (x: number) => {
            const p = zonedParts(new Date(x), zone);
            return [p.year, p.month, p.day, p.hour, p.minute].join(',');
          };
          if (wall(t.getTime()) === wanted) {
            // Earliest: no earlier instant one DST step back reads the same.
            for (const step of [30, 60, 120])
              expect(wall(t.getTime() - step * 60_000)).not.toBe(wanted);
          } else {
            // In a gap: the instant just before reads earlier than wanted, t reads later.
            const key = (s: string) =>
              s
                .split(',')
                .map((n) => n.padStart(4, '0'))
                .join('');
            expect(key(wall(t.getTime() - 1)) < key(wanted)).toBe(true);
            expect(key(wall(t.getTime())) > key(wanted)).toBe(true);
          }
        }),
        { numRuns: 2000 },
      );
    },
    SLOW,
  );
});
