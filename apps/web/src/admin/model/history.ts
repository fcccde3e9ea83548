import type { Access, AccessEvent, EventsResponse } from '@keyway/protocol';
import { WEEKDAYS, weeklySchedule, zonedParts } from '@keyway/rules';
import type { z } from 'zod';
import { api, query } from '../api';
import type { AccessWorld, Verdict } from './access';
import { verdict } from './access';
import type { SpaceModel } from './space';

export interface PastMember {
  id: string;
  phone: string;
  name: string | null;
  groupIds: string[];
  access: Access | null;
  geofenceMeters: number | null;
}
export interface PastGroup {
  id: string;
  name: string;
  doorIds: string[];
  geofenceMeters: number | null;
}
/** The space's access rules as they were at an instant. */
export interface PastWorld extends AccessWorld {
  groups: PastGroup[];
  members: PastMember[];
  /** false: the log does not reach back to the space's creation; membership is today's. */
  reconstructed: boolean;
}

type Data = Record<string, unknown> & {
  id?: string;
  changes?: Record<string, unknown>;
};
const MAX_PAGES = 20;

/** Every admin.change of the space up to `at`, oldest first (null when the log is too long). */
export async function fetchAdminChanges(
  spaceId: string,
  at: Date,
): Promise<AccessEvent[] | null> {
  const out: AccessEvent[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = query({
      type: 'admin.change',
      to: at.toISOString(),
      limit: 1000,
      cursor,
    });
    const res: z.infer<typeof EventsResponse> = await api(
      'GET',
      `/v1/spaces/${spaceId}/events${q}`,
    );
    out.push(...res.events);
    cursor = res.nextCursor;
    if (!cursor) return out.reverse();
  }
  return null;
}

/** Today's membership, for when the history cannot be replayed. */
export function currentWorld(model: SpaceModel): PastWorld {
  return {
    timezone: model.space.timezone,
    lockdown: model.space.lockdown,
    groups: model.groups.map((g) => ({ ...g, doorIds: [...g.doorIds] })),
    members: model.members.map((m) => ({ ...m, groupIds: [...m.groupIds] })),
    reconstructed: false,
  };
}

/**
 * Replays the audit trail (admin.change events carry what each write set) from the space's
 * creation to the instant. Without the creation event in the log the replay would be partial,
 * so we fall back to today's membership and say so.
 */
export function replay(
  changes: readonly AccessEvent[] | null,
  model: SpaceModel,
): PastWorld {
  if (!changes?.some((e) => e.data?.action === 'space.create'))
    return currentWorld(model);
  const w: PastWorld = {
    timezone: model.space.timezone,
    lockdown: false,
    groups: [],
    members: [],
    reconstructed: true,
  };
  const names = new Map(model.members.map((m) => [m.id, m.name]));
  for (const e of changes) {
    const d = (e.data ?? {}) as Data;
    const c = d.changes ?? {};
    const group = w.groups.find((g) => g.id === d.id);
    const member = w.members.find((m) => m.id === d.id);
    switch (d.action) {
      case 'space.create':
        w.timezone = model.space.timezone;
        break;
      case 'space.update':
      case 'space.lockdown':
      case 'space.lockdown_lifted':
        if (typeof c.timezone === 'string') w.timezone = c.timezone;
        if (typeof c.lockdown === 'boolean') w.lockdown = c.lockdown;
        break;
      case 'group.create':
        w.groups.push({
          id: String(d.id),
          name: String(d.name ?? ''),
          doorIds: (d.doorIds as string[]) ?? [],
          geofenceMeters: null,
        });
        break;
      case 'group.update':
        if (group) Object.assign(group, c);
        break;
      case 'group.delete':
        w.groups = w.groups.filter((g) => g.id !== d.id);
        for (const m of w.members)
          m.groupIds = m.groupIds.filter((id) => id !== d.id);
        break;
      case 'door.delete':
        for (const g of w.groups)
          g.doorIds = g.doorIds.filter((id) => id !== d.id);
        break;
      case 'member.create':
        w.members.push({
          id: String(d.id),
          phone: String(d.phone ?? ''),
          name: names.get(String(d.id)) ?? null,
          groupIds: (d.groupIds as string[]) ?? [],
          access: (d.access as Access | null) ?? null,
          geofenceMeters: null,
        });
        break;
      case 'member.update':
        if (member) Object.assign(member, c);
        break;
      case 'member.delete':
        w.members = w.members.filter((m) => m.id !== d.id);
        break;
    }
  }
  return w;
}

export interface DoorAnswer {
  member: PastMember;
  verdict: Verdict;
  groups: PastGroup[];
  /** Allowed in advanced mode: the frame that covers the instant ("mon,tue 18:00–22:00"). */
  frame: { days: string[]; from: string; to: string } | null;
}

/** For one door at one instant: every member one of whose groups includes it, and the rules' answer. */
export function whoCouldOpen(
  world: PastWorld,
  doorId: string,
  at: Date,
): DoorAnswer[] {
  const out: DoorAnswer[] = [];
  for (const member of world.members) {
    const groups = world.groups.filter(
      (g) => member.groupIds.includes(g.id) && g.doorIds.includes(doorId),
    );
    if (!groups.length) continue;
    const v = verdict(world, member, doorId, at);
    out.push({
      member,
      verdict: v,
      groups,
      frame: v.allowed
        ? coveringFrame(member.access, world.timezone, at)
        : null,
    });
  }
  return out.sort(
    (a, b) => Number(b.verdict.allowed) - Number(a.verdict.allowed),
  );
}

function coveringFrame(access: Access | null, timezone: string, at: Date) {
  if (!access) return null;
  const p = zonedParts(at, timezone);
  const minute = p.hour * 60 + p.minute;
  for (const f of access.timeFrames) {
    const week = weeklySchedule([f]);
    if (week[p.weekday].some((r) => r.from <= minute && minute < r.to))
      return {
        days: WEEKDAYS.filter((d) => f.days.includes(d)),
        from: f.from,
        to: f.to,
      };
  }
  return null;
}
