// Input types are declared structurally so this package stays dependency-free; they accept the
// inferred types of @keyway/protocol (Access, TimeFrame, LatLon) as they are.

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Wall-clock "HH:MM" times in the space's zone; see schedule.ts for the exact semantics. */
export interface TimeFrame {
  days: readonly Weekday[];
  from: string;
  to: string;
}

/** Advanced mode. Absent or null access means basic mode: 24/7, no validity window. */
export interface Access {
  timeFrames: readonly TimeFrame[];
  /** ISO 8601 with offset; access starts at this instant (inclusive). */
  validFrom?: string | null;
  /** ISO 8601 with offset; inclusive to the millisecond. */
  validUntil?: string | null;
}

export interface LatLon {
  lat: number;
  lon: number;
}

/** A phone's reported position; accuracy is the radius of its uncertainty circle. */
export type Position = LatLon & { accuracyMeters?: number | null };

export type DenialReason =
  | 'no_access'
  | 'outside_schedule'
  | 'not_yet_valid'
  | 'expired'
  | 'outside_geofence'
  | 'location_required';

export interface AccessInput {
  /** The space's IANA zone. */
  timezone: string;
  /** null/undefined = not a member of this space. */
  member?: { access?: Access | null; geofenceMeters?: number | null } | null;
  /** The member's groups that include this door (empty = no group grants the door -> no_access). */
  groups: readonly { geofenceMeters?: number | null }[];
  space: { location?: LatLon | null; geofenceMeters?: number | null };
  /** Where the door is, when known (unit position); falls back to space.location. */
  doorLocation?: LatLon | null;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; reason: DenialReason };

export const WEEKDAYS: readonly Weekday[] = [
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
];
