import { z } from 'zod';
import { Access, Id, IsoTime } from '../common';
import { DoorState } from '../http/doors';
import { Group } from '../http/groups';
import { Member } from '../http/members';
import { Space, SpaceAdmin } from '../http/spaces';
import { Unit } from '../http/units';

/**
 * What each kind of view key holds. Keys are `{spaceId}/{kind}/{id}`:
 *
 * A member's phone (her spaces):  space, access, door, group
 * An admin's dashboard (a space): admin.space, admin.unit, admin.door, admin.group, admin.member, admin.admin
 * A unit (its own doors):         unit.space, unit.config, unit.access
 */
export const VIEW_KINDS = [
  'space',
  'access',
  'door',
  'group',
  'admin.space',
  'admin.unit',
  'admin.door',
  'admin.group',
  'admin.member',
  'admin.admin',
  'unit.space',
  'unit.config',
  'unit.access',
] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

export const viewKey = (spaceId: string, kind: ViewKind, id: string) =>
  `${spaceId}/${kind}/${id}`;
export function parseViewKey(
  key: string,
): { spaceId: string; kind: ViewKind; id: string } | null {
  const [spaceId, kind, id] = key.split('/');
  if (
    !spaceId ||
    !kind ||
    !id ||
    !(VIEW_KINDS as readonly string[]).includes(kind)
  )
    return null;
  return { spaceId, kind: kind as ViewKind, id };
}

/** Whether the member may open right now by time and validity (geofence is checked at open). */
export const AccessStatus = z.object({
  allowed: z.boolean(),
  reason: z
    .enum(['outside_schedule', 'not_yet_valid', 'expired', 'door_locked_down'])
    .nullable(),
  /** When `allowed`/`reason` next changes; the server pushes a change at that instant. */
  nextChangeAt: IsoTime.nullable(),
});
export type AccessStatus = z.infer<typeof AccessStatus>;

/** `{spaceId}/access/{memberId}`: her membership in the space. */
export const MemberAccessEntry = z.object({
  memberId: Id,
  spaceId: Id,
  name: z.string().nullable(),
  access: Access.nullable(),
  geofenceMeters: z.number().int().nullable(),
  status: AccessStatus,
});
/** `{spaceId}/door/{doorId}`: a door one of her groups gives her. */
export const MemberDoorEntry = z.object({
  id: Id,
  spaceId: Id,
  name: z.string(),
  state: DoorState,
  stateSince: IsoTime.nullable(),
  unitOnline: z.boolean(),
  /** Her groups that grant this door (their geofences apply). */
  groupIds: z.array(Id),
});
/** `{spaceId}/group/{groupId}`: one of her groups (name and geofence). */
export const MemberGroupEntry = z.object({
  id: Id,
  spaceId: Id,
  name: z.string(),
  geofenceMeters: z.number().int().nullable(),
});
/** `{spaceId}/space/{spaceId}`. */
export const SpaceEntry = Space;

export const AdminDoorEntry = z.object({
  id: Id,
  spaceId: Id,
  unitId: Id,
  name: z.string(),
  relay: z.number().int(),
  pulseMs: z.number().int(),
  sensor: z.boolean(),
  state: DoorState,
  stateSince: IsoTime.nullable(),
  createdAt: IsoTime,
});
export const AdminEntries = {
  'admin.space': Space.omit({ role: true }),
  'admin.unit': Unit,
  'admin.door': AdminDoorEntry,
  'admin.group': Group,
  'admin.member': Member,
  'admin.admin': SpaceAdmin,
};

/**
 * `{spaceId}/unit.space/{spaceId}`: what every unit of the space shares — one value, so a
 * lockdown or a new time zone is one message for all of the space's units.
 */
export const UnitSpaceEntry = z.object({
  spaceId: Id,
  timezone: z.string(),
  lockdown: z.boolean(),
});

/** `{spaceId}/unit.config/{unitId}`: what the unit drives. */
export const UnitConfigEntry = z.object({
  unitId: Id,
  spaceId: Id,
  doors: z.array(
    z.object({
      doorId: Id,
      relay: z.number().int(),
      pulseMs: z.number().int(),
      sensor: z.boolean(),
    }),
  ),
});
/**
 * `{spaceId}/unit.access/{memberId}`: the compact access list a unit keeps to decide on its own
 * when the server is unreachable (same rules package, same answers).
 */
export const UnitAccessEntry = z.object({
  memberId: Id,
  userId: Id,
  relays: z.array(z.number().int()),
  access: Access.nullable(),
});
