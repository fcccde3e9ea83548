import {
  type Access,
  type AccessStatus,
  type ViewKind,
  viewKey,
} from '@keyway/protocol';
import { decideAt, nextChange } from '@keyway/rules';
import { decodeAccess } from '../db/access';
import type { GroupsTable, SpacesTable } from '../db/schema';
import { presentDoor } from '../presenters/door';
import { presentSpace } from '../presenters/space';
import { presentUnit } from '../presenters/unit';
import { getOrCreate } from './maps';
import type { SpaceData } from './space-data';

/** Audience keys: a member's phone (u:), a space's dashboards (a:), a unit (n:). */
export const memberAudience = (userId: string) => `u:${userId}`;
export const adminAudience = (spaceId: string) => `a:${spaceId}`;
export const unitAudience = (unitId: string) => `n:${unitId}`;
export const isUnitAudience = (audience: string) => audience.startsWith('n:');

/** audience → key → serialized value. Values are serialized once, here, and compared as strings. */
export type Views = Map<string, Map<string, string>>;

export interface SpaceViews {
  views: Views;
  /** The earliest instant at which some member's access status changes (time is a change). */
  nextChangeAt: Date | null;
}

/**
 * The views of one space at one instant: a pure function of the stored rows and the time.
 * Whatever changes in them is exactly what must be pushed, to exactly these audiences.
 */
export function buildSpaceViews(d: SpaceData, now: Date): SpaceViews {
  const views: Views = new Map();
  const sid = d.space.id;
  const putJson = (
    audience: string,
    kind: ViewKind,
    id: string,
    json: string,
  ) => {
    getOrCreate(views, audience, () => new Map<string, string>()).set(
      viewKey(sid, kind, id),
      json,
    );
  };
  const put = (audience: string, kind: ViewKind, id: string, value: unknown) =>
    putJson(audience, kind, id, JSON.stringify(value));
  const unitOnline = new Map(d.units.map((u) => [u.id, u.online === 1]));
  const doorsById = new Map(d.doors.map((door) => [door.id, door]));
  const doorsOfGroup = groupBy(
    d.groupDoors,
    (l) => l.group_id,
    (l) => l.door_id,
  );
  const groupsOfMember = groupBy(
    d.memberGroups,
    (l) => l.member_id,
    (l) => l.group_id,
  );
  const groupsById = new Map(d.groups.map((g) => [g.id, g]));

  // The dashboards' view: the whole space.
  const a = adminAudience(sid);
  putJson(a, 'admin.space', sid, adminSpaceJson(d.space));
  for (const u of d.units) put(a, 'admin.unit', u.id, presentUnit(u));
  for (const door of d.doors) put(a, 'admin.door', door.id, presentDoor(door));
  for (const g of d.groups)
    putJson(
      a,
      'admin.group',
      g.id,
      adminGroupJson(g, doorsOfGroup.get(g.id) ?? []),
    );
  for (const ad of d.admins)
    put(a, 'admin.admin', ad.user_id, {
      userId: ad.user_id,
      phone: ad.phone,
      name: ad.name,
      role: ad.role,
      createdAt: ad.created_at,
    });

  let nextChangeAt: number | null = null;
  const statusCache = new Map<
    string,
    { st: AccessStatus; json: string; accessJson: string }
  >();
  const groupJson = new Map<string, string>();
  const doorJson = new Map<string, string>();
  const memberSpace = memberSpaceJson(d.space);
  const sidJson = JSON.stringify(sid);
  for (const m of d.members) {
    const status = getOrCreate(statusCache, m.access ?? '', () => {
      const access = decodeAccess(m.access);
      const st = accessStatus(
        d.space.timezone,
        d.space.lockdown === 1,
        access,
        now,
      );
      return {
        st,
        json: JSON.stringify(st),
        accessJson: JSON.stringify(access),
      };
    });
    const groupIds = groupsOfMember.get(m.id) ?? [];
    putJson(
      a,
      'admin.member',
      m.id,
      `{"id":${JSON.stringify(m.id)},"spaceId":${sidJson},"userId":${JSON.stringify(m.user_id)},"phone":${JSON.stringify(m.phone)},"name":${JSON.stringify(m.name)},"groupIds":${JSON.stringify(groupIds)},"access":${status.accessJson},"geofenceMeters":${JSON.stringify(m.geofence_meters)},"createdAt":${JSON.stringify(m.created_at)}}`,
    );

    // Her phone's view of this space. Most parts are shared by many members: each distinct part
    // is serialized once per build (a 9,000-member space would otherwise spend most of its time
    // in JSON.stringify).
    const u = memberAudience(m.user_id);
    if (status.st.nextChangeAt) {
      const t = Date.parse(status.st.nextChangeAt);
      if (nextChangeAt === null || t < nextChangeAt) nextChangeAt = t;
    }
    putJson(u, 'space', sid, memberSpace);
    putJson(
      u,
      'access',
      m.id,
      `{"memberId":${JSON.stringify(m.id)},"spaceId":${sidJson},"name":${JSON.stringify(m.name)},"access":${status.accessJson},"geofenceMeters":${JSON.stringify(m.geofence_meters)},"status":${status.json}}`,
    );
    const via = new Map<string, string[]>();
    for (const gid of groupIds) {
      const g = groupsById.get(gid);
      if (!g) continue;
      putJson(
        u,
        'group',
        gid,
        getOrCreate(groupJson, gid, () => memberGroupJson(g)),
      );
      for (const doorId of doorsOfGroup.get(gid) ?? [])
        getOrCreate(via, doorId, () => []).push(gid);
    }
    const relaysByUnit = new Map<string, number[]>();
    for (const [doorId, gids] of via) {
      const door = doorsById.get(doorId);
      if (!door) continue;
      putJson(
        u,
        'door',
        doorId,
        getOrCreate(doorJson, `${doorId}|${gids.join(',')}`, () =>
          JSON.stringify({
            id: door.id,
            spaceId: sid,
            name: door.name,
            state: door.state,
            stateSince: door.state_since,
            unitOnline: unitOnline.get(door.unit_id) ?? false,
            groupIds: gids,
          }),
        ),
      );
      getOrCreate(relaysByUnit, door.unit_id, () => []).push(door.relay);
    }
    // The units that drive her doors keep her in their offline access list.
    for (const [unitId, relays] of relaysByUnit) {
      putJson(
        unitAudience(unitId),
        'unit.access',
        m.id,
        `{"memberId":${JSON.stringify(m.id)},"userId":${JSON.stringify(m.user_id)},"relays":${JSON.stringify(relays.sort())},"access":${status.accessJson}}`,
      );
    }
  }

  const doorsOfUnit = groupBy(
    d.doors,
    (door) => door.unit_id,
    (door) => door,
  );
  // Shared by every unit of the space: a lockdown reaches 5,000 units as one serialized change.
  const unitSpace = unitSpaceJson(d.space);
  for (const unit of d.units) {
    const doors = (doorsOfUnit.get(unit.id) ?? []).sort(
      (x, y) => x.relay - y.relay,
    );
    putJson(unitAudience(unit.id), 'unit.space', sid, unitSpace);
    put(unitAudience(unit.id), 'unit.config', unit.id, {
      unitId: unit.id,
      spaceId: sid,
      doors: doors.map((door) => ({
        doorId: door.id,
        relay: door.relay,
        pulseMs: door.pulse_ms,
        sensor: door.sensor === 1,
      })),
    });
  }
  return {
    views,
    nextChangeAt: nextChangeAt === null ? null : new Date(nextChangeAt),
  };
}

/** The space on its dashboards. */
export function adminSpaceJson(space: SpacesTable): string {
  const { role: _role, ...rest } = presentSpace(space, 'owner');
  return JSON.stringify(rest);
}

/** The space on its members' phones. */
export const memberSpaceJson = (space: SpacesTable) =>
  JSON.stringify(presentSpace(space, 'member'));

/** What every unit of the space shares: time zone and lockdown. */
export const unitSpaceJson = (space: SpacesTable) =>
  JSON.stringify({
    spaceId: space.id,
    timezone: space.timezone,
    lockdown: space.lockdown === 1,
  });

/** A group on the dashboards: with its doors. */
export const adminGroupJson = (g: GroupsTable, doorIds: string[]) =>
  JSON.stringify({
    id: g.id,
    spaceId: g.space_id,
    name: g.name,
    doorIds,
    geofenceMeters: g.geofence_meters,
    createdAt: g.created_at,
  });

/** A group on its members' phones: its name and the geofence it adds. */
export const memberGroupJson = (g: GroupsTable) =>
  JSON.stringify({
    id: g.id,
    spaceId: g.space_id,
    name: g.name,
    geofenceMeters: g.geofence_meters,
  });

/** Time and validity only (geofence is per open). Shares the rules package with the open path. */
export function accessStatus(
  timezone: string,
  lockdown: boolean,
  access: Access | null,
  now: Date,
): AccessStatus {
  if (lockdown)
    return { allowed: false, reason: 'door_locked_down', nextChangeAt: null };
  const input = { timezone, member: { access }, groups: [{}], space: {} };
  const d = decideAt(input, now);
  const next = nextChange(input, now);
  const reason = d.allowed ? null : d.reason;
  return {
    allowed: d.allowed,
    reason:
      reason === 'outside_schedule' ||
      reason === 'not_yet_valid' ||
      reason === 'expired'
        ? reason
        : null,
    nextChangeAt: next ? next.toISOString() : null,
  };
}

function groupBy<T, K, V>(
  items: T[],
  key: (t: T) => K,
  value: (t: T) => V,
): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(value(it));
    else out.set(k, [value(it)]);
  }
  return out;
}
