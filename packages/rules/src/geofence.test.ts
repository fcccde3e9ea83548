import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import { distanceMeters, effectiveGeofence } from './geofence';
import { at, memberInput } from './test-input';
import type { AccessInput, LatLon } from './types';

const BARCELONA = { lat: 41.3874, lon: 2.1686 };
const MADRID = { lat: 40.4168, lon: -3.7038 };
const now = at('2026-06-15T12:00:00+02:00');

/** A point `meters` due north of p (1° of latitude = 111 195.08 m on the mean sphere). */
const north = (p: LatLon, meters: number): LatLon => ({
  lat: p.lat + meters / 111_195.0797,
  lon: p.lon,
});

describe('distanceMeters', () => {
  it('matches known distances', () => {
    expect(distanceMeters(BARCELONA, BARCELONA)).toBe(0);
    expect(Math.abs(distanceMeters(BARCELONA, MADRID) - 505_000)).toBeLessThan(
      1_000,
    );
    expect(distanceMeters(BARCELONA, MADRID)).toBeCloseTo(
      distanceMeters(MADRID, BARCELONA),
      6,
    );
    expect(distanceMeters({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(
      111_195.08,
      1,
    );
    expect(
      distanceMeters({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }),
    ).toBeCloseTo(Math.PI * 6_371_008.8, 3);
    expect(distanceMeters(BARCELONA, north(BARCELONA, 50))).toBeCloseTo(50, 3);
  });
});

describe('effectiveGeofence', () => {
  const base = memberInput(null);
  const input = (
    member: number | null,
    groups: (number | null)[],
    space: number | null,
  ): AccessInput => ({
    ...base,
    member: { access: null, geofenceMeters: member },
    groups: groups.map((geofenceMeters) => ({ geofenceMeters })),
    space: { location: BARCELONA, geofenceMeters: space },
  });

  it('takes the member radius first, even when wider', () => {
    expect(effectiveGeofence(input(500, [50], 20))).toBe(500);
    expect(effectiveGeofence(input(10, [50], 20))).toBe(10);
  });

  it('then the largest radius among the granting groups that set one', () => {
    expect(effectiveGeofence(input(null, [50, null, 200], 20))).toBe(200);
    expect(effectiveGeofence(input(null, [null, 30], null))).toBe(30);
  });

  it('then the space, else no limit', () => {
    expect(effectiveGeofence(input(null, [null], 20))).toBe(20);
    expect(effectiveGeofence(input(null, [null], null))).toBeNull();
    expect(effectiveGeofence({ ...base, member: { access: null } })).toBeNull();
  });
});

describe('decide with a geofence', () => {
  const fenced: AccessInput = {
    ...memberInput(null),
    space: { location: BARCELONA, geofenceMeters: 100 },
  };

  it('requires a position when a radius applies', () => {
    expect(decide(fenced, now)).toEqual({
      allowed: false,
      reason: 'location_required',
    });
    expect(decide(fenced, now, null)).toEqual({
      allowed: false,
      reason: 'location_required',
    });
  });

  it('allows within the radius and denies beyond it', () => {
    expect(decide(fenced, now, BARCELONA)).toEqual({ allowed: true });
    expect(decide(fenced, now, north(BARCELONA, 99))).toEqual({
      allowed: true,
    });
    expect(decide(fenced, now, north(BARCELONA, 101))).toEqual({
      allowed: false,
      reason: 'outside_geofence',
    });
    expect(decide(fenced, now, MADRID)).toEqual({
      allowed: false,
      reason: 'outside_geofence',
    });
  });

  it('widens the circle by the accuracy, capped at the radius', () => {
    const at150 = north(BARCELONA, 150);
    expect(decide(fenced, now, { ...at150, accuracyMeters: 60 })).toEqual({
      allowed: true,
    });
    expect(decide(fenced, now, { ...at150, accuracyMeters: 40 }).allowed).toBe(
      false,
    );
    const at195 = north(BARCELONA, 195);
    expect(decide(fenced, now, { ...at195, accuracyMeters: 5_000 })).toEqual({
      allowed: true,
    });
    const at205 = north(BARCELONA, 205);
    expect(
      decide(fenced, now, { ...at205, accuracyMeters: 5_000 }).allowed,
    ).toBe(false);
    expect(
      decide(fenced, now, { ...at150, accuracyMeters: -100 }).allowed,
    ).toBe(false);
  });

  it('measures from the door when its location is known', () => {
    const door = north(BARCELONA, 1_000);
    expect(decide({ ...fenced, doorLocation: door }, now, door)).toEqual({
      allowed: true,
    });
    expect(
      decide({ ...fenced, doorLocation: door }, now, BARCELONA).allowed,
    ).toBe(false);
  });

  it('cannot check, so allows, when neither door nor space has a location', () => {
    expect(decide({ ...fenced, space: { geofenceMeters: 100 } }, now)).toEqual({
      allowed: true,
    });
  });

  it('applies member > group > space', () => {
    const far = north(BARCELONA, 300);
    const withGroup = { ...fenced, groups: [{ geofenceMeters: 500 }] };
    expect(decide(withGroup, now, far)).toEqual({ allowed: true });
    const withMember = {
      ...withGroup,
      member: { access: null, geofenceMeters: 50 },
    };
    expect(decide(withMember, now, far)).toEqual({
      allowed: false,
      reason: 'outside_geofence',
    });
  });

  it('fails closed on a garbage position', () => {
    expect(decide(fenced, now, { lat: Number.NaN, lon: 2 }).allowed).toBe(
      false,
    );
  });
});
