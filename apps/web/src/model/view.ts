import {
  type AdminDoorEntry,
  canAdminister,
  type DoorState,
  type Group,
  type LatLon,
  type Member,
  type MemberAccessEntry,
  type MemberDoorEntry,
  type MemberGroupEntry,
  parseViewKey,
  type Space,
  type Unit,
} from '@keyway/protocol';
import type { z } from 'zod';

export type MemberAccess = z.infer<typeof MemberAccessEntry>;
export type AdminRole = 'owner' | 'admin' | 'viewer';

export interface DoorModel {
  id: string;
  spaceId: string;
  name: string;
  state: DoorState;
  unitOnline: boolean;
  /** The radius that applies to her (member, else her groups', else the space's); null = none. */
  geofenceMeters: number | null;
  /** Shown because she administers the space: the server opens it for her without rules. */
  asAdmin: boolean;
}

export interface SpaceModel {
  id: string;
  name: string;
  timezone: string;
  location: LatLon | null;
  geofenceMeters: number | null;
  lockdown: boolean;
  /** Her admin role here, if any. */
  role: AdminRole | null;
  /** Her membership here (her access and its live status), if she is a member. */
  access: MemberAccess | null;
  doors: DoorModel[];
  /** Admins only: the whole space. */
  admin: AdminData | null;
}

export interface AdminData {
  admins: {
    userId: string;
    phone: string;
    name: string | null;
    role: AdminRole;
  }[];
  members: Member[];
  groups: Group[];
  doors: z.infer<typeof AdminDoorEntry>[];
  units: Unit[];
}

type SpaceInfo = Omit<Space, 'role'>;
interface Bucket {
  space?: SpaceInfo;
  access?: MemberAccess;
  doors: z.infer<typeof MemberDoorEntry>[];
  groups: Map<string, z.infer<typeof MemberGroupEntry>>;
  role: AdminRole | null;
  admin: AdminData | null;
}

const byName = (a: { name: string | null }, b: { name: string | null }) =>
  (a.name ?? '').localeCompare(b.name ?? '');

/** Turns the flat sync view into her spaces, each with the doors she may open and her access. */
export function spacesOf(
  view: ReadonlyMap<string, unknown>,
  userId: string,
): SpaceModel[] {
  const buckets = new Map<string, Bucket>();
  const bucket = (id: string) => {
    let b = buckets.get(id);
    if (!b) {
      b = { doors: [], groups: new Map(), role: null, admin: null };
      buckets.set(id, b);
    }
    return b;
  };
  const admin = (b: Bucket) => {
    b.admin ??= { admins: [], members: [], groups: [], doors: [], units: [] };
    return b.admin;
  };
  for (const [key, value] of view) {
    const k = parseViewKey(key);
    if (!k) continue;
    const b = bucket(k.spaceId);
    switch (k.kind) {
      case 'space':
      case 'admin.space':
        b.space ??= value as SpaceInfo;
        break;
      case 'access':
        b.access = value as MemberAccess;
        break;
      case 'door':
        b.doors.push(value as z.infer<typeof MemberDoorEntry>);
        break;
      case 'group':
        b.groups.set(k.id, value as z.infer<typeof MemberGroupEntry>);
        break;
      case 'admin.admin': {
        const a = value as AdminData['admins'][number];
        if (a.userId === userId) b.role = a.role;
        admin(b).admins.push(a);
        break;
      }
      case 'admin.member':
        admin(b).members.push(value as Member);
        break;
      case 'admin.group':
        admin(b).groups.push(value as Group);
        break;
      case 'admin.door':
        admin(b).doors.push(value as z.infer<typeof AdminDoorEntry>);
        break;
      case 'admin.unit':
        admin(b).units.push(value as Unit);
        break;
    }
  }
  const out: SpaceModel[] = [];
  for (const [id, b] of buckets) {
    if (!b.space) continue;
    out.push(toSpace(id, b.space, b));
  }
  return out.sort(byName);
}

function toSpace(id: string, space: SpaceInfo, b: Bucket): SpaceModel {
  const own = b.access?.geofenceMeters ?? null;
  const doors: DoorModel[] = b.doors.map((d) => {
    // Same precedence as the rules package's effectiveGeofence: member, largest group, space.
    let group: number | null = null;
    for (const gid of d.groupIds) {
      const g = b.groups.get(gid)?.geofenceMeters;
      if (g != null) group = Math.max(group ?? g, g);
    }
    return {
      id: d.id,
      spaceId: id,
      name: d.name,
      state: d.state,
      unitOnline: d.unitOnline,
      geofenceMeters: own ?? group ?? space.geofenceMeters ?? null,
      asAdmin: false,
    };
  });
  if (b.admin && canAdminister(b.role, 'admin.write')) {
    const online = new Map(b.admin.units.map((u) => [u.id, u.online]));
    const mine = new Set(doors.map((d) => d.id));
    for (const d of b.admin.doors) {
      if (mine.has(d.id)) {
        // As an admin the server skips her rules for every door of the space.
        for (const m of doors) if (m.id === d.id) m.asAdmin = true;
        continue;
      }
      doors.push({
        id: d.id,
        spaceId: id,
        name: d.name,
        state: d.state,
        unitOnline: online.get(d.unitId) ?? false,
        geofenceMeters: null,
        asAdmin: true,
      });
    }
  }
  if (b.admin) {
    b.admin.members.sort(byName);
    b.admin.groups.sort(byName);
    b.admin.doors.sort(byName);
  }
  return {
    id,
    name: space.name,
    timezone: space.timezone,
    location: space.location,
    geofenceMeters: space.geofenceMeters,
    lockdown: space.lockdown,
    role: b.role,
    access: b.access ?? null,
    doors: doors.sort(byName),
    admin: b.admin,
  };
}
