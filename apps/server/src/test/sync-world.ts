import {
  type Access,
  AdminEntries,
  MemberAccessEntry,
  MemberDoorEntry,
  MemberGroupEntry,
  parseViewKey,
  SpaceEntry,
  type ViewKind,
} from '@keyway/protocol';
import { z } from 'zod';
import { accessStatus } from '../sync/views';

/**
 * The test's own model of what the admins were told was done (only 2xx answers count), used as
 * the oracle for every phone's view: which keys each user may see, and what their values say.
 * It is independent of the sync machinery (views, change log, hub): it is derived from the API
 * calls alone, cascades included.
 */
export type Role = 'owner' | 'admin' | 'viewer';
export interface WUnit {
  id: string;
  name: string;
}
export interface WDoor {
  id: string;
  name: string;
  unitId: string;
  relay: number;
  pulseMs: number;
  sensor: boolean;
}
export interface WGroup {
  id: string;
  name: string;
  doorIds: string[];
  geofenceMeters: number | null;
}
export interface WMember {
  id: string;
  userId: string;
  phone: string;
  name: string | null;
  groupIds: string[];
  access: Access | null;
  geofenceMeters: number | null;
}
export interface WSpace {
  id: string;
  name: string;
  timezone: string;
  lockdown: boolean;
  geofenceMeters: number | null;
  units: Record<string, WUnit>;
  doors: Record<string, WDoor>;
  groups: Record<string, WGroup>;
  members: Record<string, WMember>;
  /** userId → role. */
  admins: Record<string, Role>;
}
export interface World {
  spaces: Record<string, WSpace>;
}

export const cloneWorld = (w: World): World => structuredClone(w);

export function deleteDoor(s: WSpace, doorId: string): void {
  delete s.doors[doorId];
  for (const g of Object.values(s.groups))
    g.doorIds = g.doorIds.filter((d) => d !== doorId);
}
export function deleteUnit(s: WSpace, unitId: string): void {
  delete s.units[unitId];
  for (const d of Object.values(s.doors))
    if (d.unitId === unitId) deleteDoor(s, d.id);
}
export function deleteGroup(s: WSpace, groupId: string): void {
  delete s.groups[groupId];
  for (const m of Object.values(s.members))
    m.groupIds = m.groupIds.filter((g) => g !== groupId);
}
export const memberOf = (s: WSpace, userId: string): WMember | undefined =>
  Object.values(s.members).find((m) => m.userId === userId);

/** The member's doors in a space: doorId → her groups that grant it. */
export function doorsOf(s: WSpace, m: WMember): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const gid of m.groupIds) {
    const g = s.groups[gid];
    if (!g) continue;
    for (const d of g.doorIds)
      if (s.doors[d]) out.set(d, [...(out.get(d) ?? []), gid]);
  }
  return out;
}

/** Exactly the keys a user's sockets may hold: her member view of each space plus the spaces she administers. */
export function expectedKeys(w: World, userId: string): Set<string> {
  const keys = new Set<string>();
  for (const s of Object.values(w.spaces)) {
    const sid = s.id;
    if (s.admins[userId]) {
      keys.add(`${sid}/admin.space/${sid}`);
      for (const id of Object.keys(s.units))
        keys.add(`${sid}/admin.unit/${id}`);
      for (const id of Object.keys(s.doors))
        keys.add(`${sid}/admin.door/${id}`);
      for (const id of Object.keys(s.groups))
        keys.add(`${sid}/admin.group/${id}`);
      for (const id of Object.keys(s.members))
        keys.add(`${sid}/admin.member/${id}`);
      for (const id of Object.keys(s.admins))
        keys.add(`${sid}/admin.admin/${id}`);
    }
    const m = memberOf(s, userId);
    if (m) {
      keys.add(`${sid}/space/${sid}`);
      keys.add(`${sid}/access/${m.id}`);
      for (const gid of m.groupIds)
        if (s.groups[gid]) keys.add(`${sid}/group/${gid}`);
      for (const d of doorsOf(s, m).keys()) keys.add(`${sid}/door/${d}`);
    }
  }
  return keys;
}

/** Whether the user may see the space at all (member or admin of any role). */
export const seesSpace = (
  w: World,
  userId: string,
  spaceId: string,
): boolean => {
  const s = w.spaces[spaceId];
  return Boolean(s && (s.admins[userId] || memberOf(s, userId)));
};
export const isAdmin = (w: World, userId: string, spaceId: string): boolean =>
  Boolean(w.spaces[spaceId]?.admins[userId]);

// Each kind's value, with no field beyond the documented ones (a value must not carry more than its schema).
const ENTRY_SCHEMAS: Record<string, z.ZodType> = {
  space: z.strictObject(SpaceEntry.shape),
  access: z.strictObject(MemberAccessEntry.shape),
  door: z.strictObject(MemberDoorEntry.shape),
  group: z.strictObject(MemberGroupEntry.shape),
  ...Object.fromEntries(
    Object.entries(AdminEntries).map(([k, s]) => [k, z.strictObject(s.shape)]),
  ),
};
const PHONE_KINDS = new Set<ViewKind>([
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
]);

/** Problems with one key/value a phone received, independent of who it is for (shape, ids). */
export function entryShapeErrors(key: string, value: unknown): string[] {
  const k = parseViewKey(key);
  if (!k) return [`unparseable key ${key}`];
  if (!PHONE_KINDS.has(k.kind))
    return [`a phone received a ${k.kind} key: ${key}`];
  const parsed = ENTRY_SCHEMAS[k.kind]!.safeParse(value);
  if (!parsed.success)
    return [
      `${key}: value does not match its schema: ${parsed.error.message.slice(0, 300)}`,
    ];
  const v = value as {
    spaceId?: string;
    id?: string;
    memberId?: string;
    userId?: string;
  };
  const errors: string[] = [];
  const id =
    k.kind === 'access'
      ? v.memberId
      : k.kind === 'admin.admin'
        ? v.userId
        : v.id;
  if (id !== k.id) errors.push(`${key}: value is for ${id}`);
  if ((k.kind === 'space' || k.kind === 'admin.space') && k.id !== k.spaceId)
    errors.push(`${key}: not its own space`);
  if (
    !['space', 'admin.space', 'admin.admin'].includes(k.kind) &&
    v.spaceId !== k.spaceId
  )
    errors.push(`${key}: value.spaceId ${v.spaceId}`);
  return errors;
}

const sorted = (a: readonly string[]) => [...a].sort();
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * Compares a view (a fresh snapshot) with the model at `now`: exactly the expected keys, and the
 * fields the test controls have the values it set (status included: time-driven changes were pushed).
 */
export function viewErrors(
  w: World,
  userId: string,
  view: Record<string, any>,
  now: Date,
): string[] {
  const errors: string[] = [];
  const want = expectedKeys(w, userId);
  for (const k of Object.keys(view))
    if (!want.has(k)) errors.push(`unexpected key ${k}`);
  for (const k of want) if (!(k in view)) errors.push(`missing key ${k}`);
  const check = (
    key: string,
    field: string,
    got: unknown,
    expected: unknown,
  ) => {
    if (!same(got, expected))
      errors.push(
        `${key}.${field}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`,
      );
  };
  for (const [key, v] of Object.entries(view)) {
    errors.push(...entryShapeErrors(key, v));
    const k = parseViewKey(key);
    const s = k && w.spaces[k.spaceId];
    if (!k || !s || !want.has(key)) continue;
    switch (k.kind) {
      case 'admin.space':
      case 'space':
        check(key, 'name', v.name, s.name);
        check(key, 'timezone', v.timezone, s.timezone);
        check(key, 'lockdown', v.lockdown, s.lockdown);
        check(key, 'geofenceMeters', v.geofenceMeters, s.geofenceMeters);
        if (k.kind === 'space') check(key, 'role', v.role, 'member');
        break;
      case 'admin.unit':
        check(key, 'name', v.name, s.units[k.id]!.name);
        break;
      case 'admin.door': {
        const d = s.doors[k.id]!;
        check(
          key,
          'door',
          [v.name, v.unitId, v.relay, v.pulseMs, v.sensor],
          [d.name, d.unitId, d.relay, d.pulseMs, d.sensor],
        );
        break;
      }
      case 'admin.group': {
        const g = s.groups[k.id]!;
        check(key, 'name', v.name, g.name);
        check(key, 'doorIds', sorted(v.doorIds), sorted(g.doorIds));
        check(key, 'geofenceMeters', v.geofenceMeters, g.geofenceMeters);
        break;
      }
      case 'admin.member': {
        const m = s.members[k.id]!;
        check(
          key,
          'member',
          [v.userId, v.phone, v.name, v.geofenceMeters],
          [m.userId, m.phone, m.name, m.geofenceMeters],
        );
        check(key, 'groupIds', sorted(v.groupIds), sorted(m.groupIds));
        check(key, 'access', v.access, m.access);
        break;
      }
      case 'admin.admin':
        check(key, 'role', v.role, s.admins[k.id]);
        break;
      case 'access': {
        const m = s.members[k.id]!;
        check(
          key,
          'member',
          [v.memberId, v.name, v.geofenceMeters],
          [m.id, m.name, m.geofenceMeters],
        );
        check(key, 'access', v.access, m.access);
        check(
          key,
          'status',
          v.status,
          accessStatus(s.timezone, s.lockdown, m.access, now),
        );
        break;
      }
      case 'group': {
        const g = s.groups[k.id]!;
        check(
          key,
          'group',
          [v.name, v.geofenceMeters],
          [g.name, g.geofenceMeters],
        );
        break;
      }
      case 'door': {
        const d = s.doors[k.id]!;
        const m = memberOf(s, userId)!;
        check(key, 'name', v.name, d.name);
        check(
          key,
          'groupIds',
          sorted(v.groupIds),
          sorted(doorsOf(s, m).get(d.id) ?? []),
        );
        check(key, 'unitOnline', v.unitOnline, false);
        break;
      }
    }
  }
  return errors;
}
