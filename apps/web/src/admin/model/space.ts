import {
  type AdminEntries,
  type AdminRole,
  canAdminister,
  type Group,
  type Member,
  parseViewKey,
  type Unit,
} from '@keyway/protocol';
import type { z } from 'zod';

export type SpaceInfo = z.infer<(typeof AdminEntries)['admin.space']>;
export type DoorInfo = z.infer<(typeof AdminEntries)['admin.door']>;
export type AdminInfo = z.infer<(typeof AdminEntries)['admin.admin']>;

/** One space as its dashboard sees it, from the sync view's `admin.*` keys. */
export interface SpaceModel {
  space: SpaceInfo;
  units: Unit[];
  doors: DoorInfo[];
  groups: Group[];
  members: Member[];
  admins: AdminInfo[];
}

const byName = <T extends { name: string | null; id?: string }>(a: T, b: T) =>
  (a.name ?? '').localeCompare(b.name ?? '');

/** Every space in the view whose admin data we have (owner, admin or viewer). */
export function spacesOf(view: ReadonlyMap<string, unknown>): SpaceInfo[] {
  const out: SpaceInfo[] = [];
  for (const [key, value] of view)
    if (parseViewKey(key)?.kind === 'admin.space') out.push(value as SpaceInfo);
  return out.sort(byName);
}

export function spaceModel(
  view: ReadonlyMap<string, unknown>,
  spaceId: string,
): SpaceModel | null {
  const m: Omit<SpaceModel, 'space'> & { space: SpaceInfo | null } = {
    space: null,
    units: [],
    doors: [],
    groups: [],
    members: [],
    admins: [],
  };
  for (const [key, value] of view) {
    const k = parseViewKey(key);
    if (!k || k.spaceId !== spaceId) continue;
    if (k.kind === 'admin.space') m.space = value as SpaceInfo;
    else if (k.kind === 'admin.unit') m.units.push(value as Unit);
    else if (k.kind === 'admin.door') m.doors.push(value as DoorInfo);
    else if (k.kind === 'admin.group') m.groups.push(value as Group);
    else if (k.kind === 'admin.member') m.members.push(value as Member);
    else if (k.kind === 'admin.admin') m.admins.push(value as AdminInfo);
  }
  if (!m.space) return null;
  m.units.sort(byName);
  m.doors.sort(byName);
  m.groups.sort(byName);
  m.members.sort((a, b) =>
    (a.name ?? a.phone).localeCompare(b.name ?? b.phone),
  );
  m.admins.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return m as SpaceModel;
}

export function roleOf(
  model: SpaceModel | null,
  userId: string,
): AdminRole | null {
  return model?.admins.find((a) => a.userId === userId)?.role ?? null;
}

export const canWrite = (role: AdminRole | null) =>
  canAdminister(role, 'admin.write');

export const memberLabel = (m: Pick<Member, 'name' | 'phone'>) =>
  m.name ? `${m.name} (${m.phone})` : m.phone;
