import type { AccessStatus } from '@keyway/protocol';
import {
  decideAt,
  type MinuteRange,
  nextChange,
  scheduleForDay,
  zonedParts,
} from '@keyway/rules';
import type { DoorModel, SpaceModel } from './view';

export interface Availability {
  allowed: boolean;
  /** Why not: outside_schedule, not_yet_valid, expired, door_locked_down, no_access. */
  reason: string | null;
  /** When `allowed` flips next (the frame starts or ends, the access starts or expires). */
  nextChangeAt: Date | null;
}

const ALWAYS: Availability = {
  allowed: true,
  reason: null,
  nextChangeAt: null,
};

/**
 * Whether she may open this door now, by time and validity (the geofence is checked at open).
 * The server pushes her status at the instant it changes; until that push arrives (offline, or a
 * few ms late) the same rules package decides here, so the button is right at the minute even
 * without a connection.
 */
export function availability(
  space: SpaceModel,
  door: DoorModel,
  now: Date,
): Availability {
  if (door.asAdmin) return ALWAYS;
  const member = space.access;
  if (!member)
    return { allowed: false, reason: 'no_access', nextChangeAt: null };
  const pushed: AccessStatus = member.status;
  const due =
    pushed.nextChangeAt !== null &&
    Date.parse(pushed.nextChangeAt) <= now.getTime();
  if (!due) {
    return {
      allowed: pushed.allowed,
      reason: pushed.reason,
      nextChangeAt: pushed.nextChangeAt ? new Date(pushed.nextChangeAt) : null,
    };
  }
  if (space.lockdown)
    return { allowed: false, reason: 'door_locked_down', nextChangeAt: null };
  const input = {
    timezone: space.timezone,
    member: { access: member.access },
    groups: [{}],
    space: {},
  };
  const d = decideAt(input, now);
  return {
    allowed: d.allowed,
    reason: d.allowed ? null : d.reason,
    nextChangeAt: nextChange(input, now),
  };
}

/** Her frames on today's date in the space's zone; null = basic mode (any time). */
export function todaysRanges(
  space: SpaceModel,
  now: Date,
): MinuteRange[] | null {
  const access = space.access?.access;
  if (!access) return null;
  return scheduleForDay(access, zonedParts(now, space.timezone).weekday);
}

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

export function formatRanges(ranges: readonly MinuteRange[]): string {
  return ranges.map((r) => `${hhmm(r.from)}–${hhmm(r.to)}`).join(', ');
}
