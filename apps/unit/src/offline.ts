import type { DenialReason } from '@keyway/protocol';
import { decideAt } from '@keyway/rules';
import { findAccessEntry, readUnitConfig, type UnitView } from './view';

/** The server's answer to an open request (`@keyway/rules` Decision, plus lockdown). */
export type OfflineDecision =
  | { allowed: true }
  | { allowed: false; reason: DenialReason };

export interface OfflineRequest {
  /** The person asking, as identified by BLE or keypad: her user id. */
  userId: string;
  /** The relay of the door she wants to open. */
  relay: number;
  at: Date;
}

const deny = (reason: DenialReason): OfflineDecision => ({
  allowed: false,
  reason,
});

/**
 * May `userId` open `relay` at `at`, by the last rules this unit received? The same answer the
 * server gives for a member, from the unit's own view: fails closed when the view has no valid
 * configuration, and a revoked member — whose `unit.access` entry the server deleted — gets
 * `no_access`. The geofence is not checked (the person is at the door).
 *
 * Order as on the server: not a member of a door on this unit → no_access; lockdown →
 * door_locked_down; relay not granted → no_access; then validity and schedule in the space's zone.
 */
export function decideOffline(
  view: UnitView,
  { userId, relay, at }: OfflineRequest,
): OfflineDecision {
  const config = readUnitConfig(view);
  if (!config) return deny('no_access');
  const entry = findAccessEntry(view, config.spaceId, userId);
  if (!entry) return deny('no_access');
  if (config.lockdown) return deny('door_locked_down');
  const granted =
    entry.relays.includes(relay) && config.doors.some((d) => d.relay === relay);
  return decideAt(
    {
      timezone: config.timezone,
      member: { access: entry.access },
      groups: granted ? [{}] : [],
      space: {},
    },
    at,
  );
}
