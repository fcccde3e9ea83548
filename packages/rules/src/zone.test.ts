import { describe, expect, it } from 'vitest';
import { weekdayOf } from './calendar';
import { zonedTimeToInstant } from './wall-time';
import { zonedParts } from './zone';

const iso = (d: Date) => d.toISOString();

describe('zonedParts', () => {
  it('reads the wall clock in the given zone, not the machine one', () => {
    const at = new Date('2026-03-29T01:59:59+01:00');
    expect(zonedParts(at, 'Europe/Madrid')).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 1,
      minute: 59,
      second: 59,
      weekday: 'sun',
    });
    expect(
      zonedParts(new Date('2026-03-29T02:00:00+01:00'), 'Europe/Madrid'),
    ).toMatchObject({ hour: 3 });
    expect(zonedParts(at, 'America/New_York')).toMatchObject({
      day: 28,
      hour: 20,
      weekday: 'sat',
    });
    expect(zonedParts(at, 'Pacific/Auckland')).toMatchObject({
      day: 29,
      hour: 13,
      weekday: 'sun',
    });
  });

  it('uses hours 0-23 and gets leap days right', () => {
    expect(
      zonedParts(new Date('2028-02-29T00:00:00+01:00'), 'Europe/Madrid'),
    ).toMatchObject({
      month: 2,
      day: 29,
      hour: 0,
      weekday: 'tue',
    });
    expect(weekdayOf(2028, 2, 29)).toBe('tue');
    expect(weekdayOf(2032, 2, 29)).toBe('sun');
    expect(weekdayOf(2026, 1, 5)).toBe('mon');
  });

  it('handles zones with odd offsets and both repeated hours of a fall-back night', () => {
    expect(
      zonedParts(new Date('2026-01-01T00:00:00Z'), 'Asia/Kathmandu'),
    ).toMatchObject({
      hour: 5,
      minute: 45,
    });
    const first = zonedParts(
      new Date('2026-11-01T05:30:00Z'),
      'America/New_York',
    );
    const second = zonedParts(
      new Date('2026-11-01T06:30:00Z'),
      'America/New_York',
    );
    expect([first.hour, first.minute]).toEqual([1, 30]);
    expect([second.hour, second.minute]).toEqual([1, 30]);
  });
});

describe('zonedTimeToInstant', () => {
  it('converts ordinary wall times', () => {
    expect(iso(zonedTimeToInstant('Europe/Madrid', 2026, 7, 1, 18, 0))).toBe(
      '2026-07-01T16:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant('Europe/Madrid', 2026, 1, 1, 18, 0))).toBe(
      '2026-01-01T17:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant('UTC', 2028, 2, 29, 23, 59))).toBe(
      '2028-02-29T23:59:00.000Z',
    );
  });

  it('maps a time in the spring-forward gap to the first instant after the gap', () => {
    const madrid = zonedTimeToInstant('Europe/Madrid', 2026, 3, 29, 2, 30);
    expect(madrid.getTime()).toBe(
      new Date('2026-03-29T03:00:00+02:00').getTime(),
    );
    const ny = zonedTimeToInstant('America/New_York', 2026, 3, 8, 2, 0);
    expect(ny.getTime()).toBe(new Date('2026-03-08T03:00:00-04:00').getTime());
    // 03:00 itself exists and is that same instant.
    expect(
      zonedTimeToInstant('Europe/Madrid', 2026, 3, 29, 3, 0).getTime(),
    ).toBe(madrid.getTime());
  });

  it('maps an ambiguous fall-back time to the earlier instant', () => {
    const madrid = zonedTimeToInstant('Europe/Madrid', 2026, 10, 25, 2, 30);
    expect(madrid.getTime()).toBe(
      new Date('2026-10-25T02:30:00+02:00').getTime(),
    );
    const ny = zonedTimeToInstant('America/New_York', 2026, 11, 1, 1, 30);
    expect(ny.getTime()).toBe(new Date('2026-11-01T01:30:00-04:00').getTime());
  });

  it('handles a zone whose midnight does not exist (Santiago springs forward at 00:00)', () => {
    // Chile: 2026-09-06 00:00 -04 -> 01:00 -03.
    const midnight = zonedTimeToInstant('America/Santiago', 2026, 9, 6, 0, 0);
    expect(midnight.getTime()).toBe(
      new Date('2026-09-06T01:00:00-03:00').getTime(),
    );
  });
});
