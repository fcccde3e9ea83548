import type { AccessInput, DenialReason, LatLon, Position } from './types';

/** Mean Earth radius (IUGG), meters. */
const EARTH_RADIUS_M = 6_371_008.8;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in meters (haversine). */
export function distanceMeters(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  // min() guards against h creeping past 1 through rounding for antipodal points.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Effective geofence radius in meters: the member's own radius if set; else the largest radius
 * among the granting groups that set one; else the space's; null = no limit.
 */
export function effectiveGeofence(input: AccessInput): number | null {
  const own = input.member?.geofenceMeters;
  if (own != null) return own;
  let group: number | null = null;
  for (const g of input.groups) {
    if (g.geofenceMeters != null)
      group = Math.max(group ?? g.geofenceMeters, g.geofenceMeters);
  }
  return group ?? input.space.geofenceMeters ?? null;
}

/**
 * The geofence part of decide. No radius, or no known location for the door (unit position, else
 * the space's), means there is nothing to check. The position's accuracy widens the circle, but
 * by at most the radius itself, so a wildly inaccurate fix cannot open a door from far away.
 */
export function checkGeofence(
  input: AccessInput,
  position: Position | null | undefined,
): DenialReason | null {
  const radius = effectiveGeofence(input);
  const center = input.doorLocation ?? input.space.location ?? null;
  if (radius === null || !center) return null;
  if (!position) return 'location_required';
  const accuracy = position.accuracyMeters ?? 0;
  const slack = Math.min(
    Number.isFinite(accuracy) && accuracy > 0 ? accuracy : 0,
    radius,
  );
  // Written so that NaN coordinates fail closed.
  return distanceMeters(center, position) <= radius + slack
    ? null
    : 'outside_geofence';
}
