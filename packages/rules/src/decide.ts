import { checkGeofence } from './geofence';
import { weekInSchedule, weeklySchedule } from './schedule';
import type {
  Access,
  AccessInput,
  Decision,
  DenialReason,
  Position,
} from './types';

const ALLOWED: Decision = { allowed: true };
const deny = (reason: DenialReason): Decision => ({ allowed: false, reason });

/** Validity bounds as epoch ms. Unparseable bounds fail closed (NaN: never valid / always expired). */
export function validityBounds(access: Access): {
  from: number | null;
  until: number | null;
} {
  return {
    from: access.validFrom == null ? null : Date.parse(access.validFrom),
    until: access.validUntil == null ? null : Date.parse(access.validUntil),
  };
}

/** The validity part of decideAt: not_yet_valid before validFrom, expired after validUntil. */
export function checkValidity(access: Access, t: number): DenialReason | null {
  const { from, until } = validityBounds(access);
  if (from !== null && !(t >= from)) return 'not_yet_valid';
  if (until !== null && !(t <= until)) return 'expired';
  return null;
}

/**
 * Time-only part of decide (no geofence), used for pushing effective state. Reasons in order:
 * no_access, not_yet_valid, expired, outside_schedule.
 */
export function decideAt(input: AccessInput, at: Date): Decision {
  const member = input.member;
  if (!member || input.groups.length === 0) return deny('no_access');
  const access = member.access;
  if (!access) return ALLOWED; // basic mode: 24/7, no validity window
  const invalid = checkValidity(access, at.getTime());
  if (invalid) return deny(invalid);
  if (!weekInSchedule(weeklySchedule(access.timeFrames), input.timezone, at))
    return deny('outside_schedule');
  return ALLOWED;
}

/** May this member open this door at this instant? decideAt, then the geofence. */
export function decide(
  input: AccessInput,
  at: Date,
  position?: Position | null,
): Decision {
  const timed = decideAt(input, at);
  if (!timed.allowed) return timed;
  const outside = checkGeofence(input, position);
  return outside ? deny(outside) : ALLOWED;
}

export function sameDecision(a: Decision, b: Decision): boolean {
  return (
    a.allowed === b.allowed && (a.allowed || b.allowed || a.reason === b.reason)
  );
}
