import { describe, expect, it } from 'vitest';
import { decide, decideAt } from './decide';
import { nextChange } from './next-change';
import { at, frame, memberInput } from './test-input';
import type { AccessInput } from './types';

const evening = frame(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  '18:00',
  '22:00',
);
const window = {
  timeFrames: [evening],
  validFrom: '2026-06-01T00:00:00+02:00',
  validUntil: '2026-06-30T20:00:00+02:00',
};

describe('validity window', () => {
  const input = memberInput(window);

  it('is not yet valid before validFrom, valid from it on (inclusive)', () => {
    expect(decideAt(input, at('2026-05-31T23:59:59.999+02:00'))).toEqual({
      allowed: false,
      reason: 'not_yet_valid',
    });
    // Midnight is outside the evening frame: the answer moves on to the schedule.
    expect(decideAt(input, at('2026-06-01T00:00:00+02:00'))).toEqual({
      allowed: false,
      reason: 'outside_schedule',
    });
    expect(nextChange(input, at('2026-05-20T19:00:00+02:00'))).toEqual(
      at('2026-06-01T00:00:00+02:00'),
    );
  });

  it('expires 1 ms after validUntil, for good', () => {
    expect(decideAt(input, at('2026-06-30T20:00:00+02:00')).allowed).toBe(true);
    expect(decideAt(input, at('2026-06-30T20:00:00.001+02:00'))).toEqual({
      allowed: false,
      reason: 'expired',
    });
    expect(nextChange(input, at('2026-06-30T19:00:00+02:00'))).toEqual(
      at('2026-06-30T20:00:00.001+02:00'),
    );
    expect(nextChange(input, at('2026-06-30T20:00:00.001+02:00'))).toBeNull();
  });

  it('looks past the week for a validity bound, up to 400 days', () => {
    const always = {
      timeFrames: [
        frame(
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          '00:00',
          '00:00',
        ),
      ],
    };
    const later = memberInput({
      ...always,
      validFrom: '2027-03-01T00:00:00+01:00',
    });
    expect(nextChange(later, at('2026-06-01T12:00:00+02:00'))).toEqual(
      at('2027-03-01T00:00:00+01:00'),
    );
    const ends = memberInput({
      ...always,
      validUntil: '2027-03-01T00:00:00+01:00',
    });
    expect(nextChange(ends, at('2026-06-01T12:00:00+02:00'))).toEqual(
      at('2027-03-01T00:00:00.001+01:00'),
    );
    const tooFar = memberInput({
      ...always,
      validUntil: '2028-06-01T00:00:00+02:00',
    });
    expect(nextChange(tooFar, at('2026-06-01T12:00:00+02:00'))).toBeNull();
  });

  it('treats an unparseable bound as closed', () => {
    expect(
      decideAt(
        memberInput({ timeFrames: [evening], validFrom: 'soon' }),
        at('2026-06-01T19:00:00Z'),
      ),
    ).toEqual({
      allowed: false,
      reason: 'not_yet_valid',
    });
    expect(
      decideAt(
        memberInput({ timeFrames: [evening], validUntil: 'x' }),
        at('2026-06-01T19:00:00Z'),
      ),
    ).toEqual({
      allowed: false,
      reason: 'expired',
    });
  });
});

describe('29 February', () => {
  it('opens a Sunday frame on Sunday 2032-02-29', () => {
    const input = memberInput({
      timeFrames: [frame(['sun'], '10:00', '12:00')],
    });
    expect(decideAt(input, at('2032-02-29T11:00:00+01:00')).allowed).toBe(true);
    expect(decideAt(input, at('2032-03-01T11:00:00+01:00')).allowed).toBe(
      false,
    );
    expect(nextChange(input, at('2032-02-28T12:00:00+01:00'))).toEqual(
      at('2032-02-29T10:00:00+01:00'),
    );
  });

  it('expires a Tuesday pass 1 s after 2028-02-29T23:59:59', () => {
    const input = memberInput({
      timeFrames: [frame(['tue'], '00:00', '00:00')],
      validUntil: '2028-02-29T23:59:59+01:00',
    });
    expect(decideAt(input, at('2028-02-29T00:00:00+01:00')).allowed).toBe(true); // a Tuesday
    expect(decideAt(input, at('2028-02-29T23:59:59+01:00')).allowed).toBe(true);
    expect(decideAt(input, at('2028-03-01T00:00:00+01:00'))).toEqual({
      allowed: false,
      reason: 'expired',
    });
    expect(nextChange(input, at('2028-02-29T23:59:59+01:00'))).toEqual(
      at('2028-02-29T23:59:59.001+01:00'),
    );
  });
});

describe('precedence of reasons', () => {
  const lateNight = at('2026-07-15T03:00:00+02:00'); // expired and outside the schedule

  it('no_access first: no member, or no group granting the door', () => {
    const input = memberInput(window);
    expect(decideAt({ ...input, member: null }, lateNight)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    expect(decideAt({ ...input, member: undefined }, lateNight)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    expect(decideAt({ ...input, groups: [] }, lateNight)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    expect(decideAt({ ...memberInput(null), groups: [] }, lateNight)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    expect(nextChange({ ...input, groups: [] }, lateNight)).toBeNull();
  });

  it('then validity, then the schedule', () => {
    expect(decideAt(memberInput(window), lateNight)).toEqual({
      allowed: false,
      reason: 'expired',
    });
    expect(
      decideAt(memberInput(window), at('2026-05-01T03:00:00+02:00')),
    ).toEqual({
      allowed: false,
      reason: 'not_yet_valid',
    });
    // validFrom after validUntil: not_yet_valid wins before validFrom, expired after it.
    const inverted = memberInput({
      timeFrames: [evening],
      validFrom: window.validUntil,
      validUntil: window.validFrom,
    });
    expect(decideAt(inverted, at('2026-06-15T19:00:00+02:00'))).toMatchObject({
      reason: 'not_yet_valid',
    });
    expect(nextChange(inverted, at('2026-06-15T19:00:00+02:00'))).toEqual(
      at(window.validUntil),
    );
    expect(decideAt(inverted, at(window.validUntil))).toMatchObject({
      reason: 'expired',
    });
  });

  it('and only then the geofence', () => {
    const fenced: AccessInput = {
      ...memberInput(window),
      space: { location: { lat: 41.3874, lon: 2.1686 }, geofenceMeters: 100 },
    };
    expect(decide(fenced, lateNight)).toEqual({
      allowed: false,
      reason: 'expired',
    });
    expect(decide(fenced, at('2026-06-15T03:00:00+02:00'))).toEqual({
      allowed: false,
      reason: 'outside_schedule',
    });
    expect(decide(fenced, at('2026-06-15T19:00:00+02:00'))).toEqual({
      allowed: false,
      reason: 'location_required',
    });
  });

  it('basic mode is 24/7 with no validity and never changes', () => {
    const basic = memberInput(null);
    expect(decideAt(basic, lateNight)).toEqual({ allowed: true });
    expect(nextChange(basic, lateNight)).toBeNull();
  });

  it('an empty frame list is never in schedule, but validity is checked first', () => {
    const empty = memberInput({
      timeFrames: [],
      validUntil: '2026-06-30T20:00:00+02:00',
    });
    expect(decideAt(empty, at('2026-06-15T19:00:00+02:00'))).toMatchObject({
      reason: 'outside_schedule',
    });
    expect(decideAt(empty, lateNight)).toMatchObject({ reason: 'expired' });
    expect(nextChange(empty, at('2026-06-15T19:00:00+02:00'))).toEqual(
      at('2026-06-30T20:00:00.001+02:00'),
    );
    expect(nextChange(memberInput({ timeFrames: [] }), lateNight)).toBeNull();
  });
});
