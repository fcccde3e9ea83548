import { setTimeout as sleep } from 'node:timers/promises';
import type { Access } from '@keyway/protocol';
import type { SyncWalk } from './sync-walk';
import { deleteDoor, deleteGroup, deleteUnit, memberOf } from './sync-world';

/**
 * The sync walk's random steps: admin edits through the real API (groups, members, admins,
 * the space, doors, units), opens, clock jumps, disconnects and reconnects. Each updates the
 * walk's model of the world and waits for the commit to be logged.
 */
const TIMEZONES = [
  'Europe/Madrid',
  'America/New_York',
  'Asia/Tokyo',
  'Australia/Sydney',
];

export type StepKind =
  | 'group.create'
  | 'group.patch'
  | 'group.delete'
  | 'member.add'
  | 'member.patch'
  | 'member.delete'
  | 'admin.put'
  | 'admin.patch'
  | 'admin.remove'
  | 'space.patch'
  | 'space.delete'
  | 'door.create'
  | 'door.patch'
  | 'door.delete'
  | 'unit.create'
  | 'unit.patch'
  | 'unit.delete'
  | 'open'
  | 'time'
  | 'disconnect'
  | 'reconnect';

export const DEFAULT_WEIGHTS: Record<StepKind, number> = {
  'group.create': 5,
  'group.patch': 7,
  'group.delete': 2,
  'member.add': 8,
  'member.patch': 12,
  'member.delete': 4,
  'admin.put': 4,
  'admin.patch': 2,
  'admin.remove': 3,
  'space.patch': 5,
  'space.delete': 0.6,
  'door.create': 4,
  'door.patch': 4,
  'door.delete': 2,
  'unit.create': 1.5,
  'unit.patch': 1,
  'unit.delete': 0.7,
  open: 5,
  time: 7,
  disconnect: 6,
  reconnect: 9,
};

const TIMES = [
  '00:00',
  '02:30',
  '06:00',
  '08:00',
  '12:15',
  '17:00',
  '18:00',
  '20:00',
  '22:00',
  '23:59',
];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A random access rule: frames, and validity dates near the walk's clock. */
function randomAccess(w: SyncWalk): Access | null {
  const r = w.rng;
  if (r.chance(0.3)) return null;
  const access: Access = { timeFrames: [] };
  const frames = r.int(3);
  for (let i = 0; i < frames; i++) {
    const days = r.subset(DAYS);
    access.timeFrames.push({
      days: days.length ? days : [r.pick(DAYS)],
      from: r.pick(TIMES),
      to: r.pick(TIMES),
    });
  }
  const now = w.backend.now().getTime();
  const iso = (t: number) =>
    new Date(Math.floor(t / 1000) * 1000).toISOString();
  if (w.backend.clock) {
    // Validity dates around now, on the scale of the clock's jumps.
    const from = now + (r.int(96) - 48) * 1_800_000;
    if (r.chance(0.4)) access.validFrom = iso(from);
    if (r.chance(0.4))
      access.validUntil = iso(from + (1 + r.int(96)) * 1_800_000);
  } else {
    // Real clock: validity edges a few seconds ahead, so the server pushes them during the walk.
    const from = now + (1 + r.int(5)) * 1000;
    if (r.chance(0.6)) access.validFrom = iso(from);
    if (r.chance(0.6)) access.validUntil = iso(from + (1 + r.int(8)) * 1000);
  }
  return access;
}

function randomGeofence(w: SyncWalk): number | null {
  return w.rng.chance(0.6) ? null : w.rng.pick([50, 150, 1000]);
}

/** Runs one step of this kind if it applies to the walk's current model; false otherwise. */
export async function tryStep(w: SyncWalk, kind: StepKind): Promise<boolean> {
  const r = w.rng;
  const s = r.pick(w.spaces());
  switch (kind) {
    case 'group.create': {
      const a = w.writer(s);
      const body: Record<string, unknown> = {
        name: w.name('Group'),
        doorIds: r.subset(Object.keys(s.doors)),
      };
      const gf = randomGeofence(w);
      if (gf !== null || r.chance(0.3)) body.geofenceMeters = gf;
      const g = (
        await w.api('POST', `/v1/spaces/${s.id}/groups`, a.token, body, 201)
      ).group;
      s.groups[g.id] = {
        id: g.id,
        name: body.name as string,
        doorIds: [...new Set(body.doorIds as string[])],
        geofenceMeters: gf,
      };
      await w.committed();
      return true;
    }
    case 'group.patch': {
      const g = s.groups[r.pick(Object.keys(s.groups).concat(''))];
      if (!g) return false;
      const a = w.writer(s);
      const body: Record<string, unknown> = {};
      if (r.chance(0.4)) body.name = w.name('Group');
      if (r.chance(0.7)) body.doorIds = r.subset(Object.keys(s.doors));
      if (r.chance(0.3)) body.geofenceMeters = randomGeofence(w);
      await w.api('PATCH', `/v1/groups/${g.id}`, a.token, body, 200);
      if (body.name !== undefined) g.name = body.name as string;
      if (body.doorIds !== undefined) g.doorIds = body.doorIds as string[];
      if (body.geofenceMeters !== undefined)
        g.geofenceMeters = body.geofenceMeters as number | null;
      await w.committed();
      return true;
    }
    case 'group.delete': {
      const g = s.groups[r.pick(Object.keys(s.groups).concat(''))];
      if (!g) return false;
      await w.api(
        'DELETE',
        `/v1/groups/${g.id}`,
        w.writer(s).token,
        undefined,
        204,
      );
      deleteGroup(s, g.id);
      await w.committed();
      return true;
    }
    case 'member.add': {
      const candidates = w.users.slice(1).filter((u) => !memberOf(s, u.userId));
      if (!candidates.length) return false;
      const u = r.pick(candidates);
      const body: Record<string, unknown> = {
        phone: u.phone,
        groupIds: r.subset(Object.keys(s.groups)),
      };
      if (r.chance(0.5)) body.name = w.name(u.label);
      const access = randomAccess(w);
      if (access || r.chance(0.3)) body.access = access;
      const gf = randomGeofence(w);
      if (gf !== null) body.geofenceMeters = gf;
      const m = (
        await w.api(
          'POST',
          `/v1/spaces/${s.id}/members`,
          w.writer(s).token,
          body,
          201,
        )
      ).member;
      s.members[m.id] = {
        id: m.id,
        userId: u.userId,
        phone: u.phone,
        name: (body.name as string | undefined) ?? null,
        groupIds: [...new Set(body.groupIds as string[])],
        access,
        geofenceMeters: gf,
      };
      await w.committed();
      return true;
    }
    case 'member.patch':
    case 'time': {
      if (kind === 'time' && w.backend.clock) {
        const ms = r.pick([
          60_000,
          17 * 60_000,
          3_600_000,
          3 * 3_600_000,
          9 * 3_600_000,
          26 * 3_600_000,
        ]);
        w.backend.clock.advance(ms);
        w.note(
          `clock +${ms / 60_000} min -> ${w.backend.clock.now().toISOString()}`,
        );
        // Let the scheduler's timer run before the next write.
        await sleep(5);
        await w.bound();
        return true;
      }
      const m = s.members[r.pick(Object.keys(s.members).concat(''))];
      if (!m) return false;
      const body: Record<string, unknown> = {};
      if (kind === 'time' || r.chance(0.6)) body.access = randomAccess(w);
      if (kind === 'member.patch') {
        if (r.chance(0.5)) body.groupIds = r.subset(Object.keys(s.groups));
        if (r.chance(0.2)) body.name = r.chance(0.3) ? null : w.name('Member');
        if (r.chance(0.2)) body.geofenceMeters = randomGeofence(w);
      }
      await w.api('PATCH', `/v1/members/${m.id}`, w.writer(s).token, body, 200);
      if (body.access !== undefined) m.access = body.access as Access | null;
      if (body.groupIds !== undefined)
        m.groupIds = [...new Set(body.groupIds as string[])];
      if (body.name !== undefined) m.name = body.name as string | null;
      if (body.geofenceMeters !== undefined)
        m.geofenceMeters = body.geofenceMeters as number | null;
      await w.committed();
      return true;
    }
    case 'member.delete': {
      const m = s.members[r.pick(Object.keys(s.members).concat(''))];
      if (!m) return false;
      await w.api(
        'DELETE',
        `/v1/members/${m.id}`,
        w.writer(s).token,
        undefined,
        204,
      );
      delete s.members[m.id];
      await w.committed();
      return true;
    }
    case 'admin.put': {
      const u = r.pick(w.users.slice(1));
      const role = r.pick(['owner', 'admin', 'viewer'] as const);
      await w.api(
        'POST',
        `/v1/spaces/${s.id}/admins`,
        w.owner(s).token,
        { phone: u.phone, role },
        201,
      );
      s.admins[u.userId] = role;
      await w.committed();
      return true;
    }
    case 'admin.patch':
    case 'admin.remove': {
      const ids = Object.keys(s.admins).filter((id) => id !== w.root.userId);
      if (!ids.length) return false;
      const id = r.pick(ids);
      const actor = w.owner(s);
      if (kind === 'admin.patch') {
        const role = r.pick(['owner', 'admin', 'viewer'] as const);
        await w.api(
          'PATCH',
          `/v1/spaces/${s.id}/admins/${id}`,
          actor.token,
          { role },
          200,
        );
        s.admins[id] = role;
      } else {
        await w.api(
          'DELETE',
          `/v1/spaces/${s.id}/admins/${id}`,
          actor.token,
          undefined,
          204,
        );
        delete s.admins[id];
      }
      await w.committed();
      return true;
    }
    case 'space.patch': {
      const body: Record<string, unknown> = {};
      if (r.chance(0.5)) body.lockdown = !s.lockdown;
      if (r.chance(0.3)) body.name = w.name('Space');
      if (r.chance(0.2)) body.timezone = r.pick(TIMEZONES);
      if (r.chance(0.2)) body.geofenceMeters = randomGeofence(w);
      await w.api('PATCH', `/v1/spaces/${s.id}`, w.writer(s).token, body, 200);
      if (body.lockdown !== undefined) s.lockdown = body.lockdown as boolean;
      if (body.name !== undefined) s.name = body.name as string;
      if (body.timezone !== undefined) s.timezone = body.timezone as string;
      if (body.geofenceMeters !== undefined)
        s.geofenceMeters = body.geofenceMeters as number | null;
      await w.committed();
      return true;
    }
    case 'space.delete': {
      await w.api(
        'DELETE',
        `/v1/spaces/${s.id}`,
        w.owner(s).token,
        undefined,
        204,
      );
      delete w.world.spaces[s.id];
      await w.committed();
      await w.createSpace(r.pick(TIMEZONES));
      return true;
    }
    case 'door.create':
    case 'door.patch': {
      const slots: [string, number][] = [];
      for (const unitId of Object.keys(s.units))
        for (const relay of [1, 2, 3, 4])
          if (
            !Object.values(s.doors).some(
              (d) => d.unitId === unitId && d.relay === relay,
            )
          )
            slots.push([unitId, relay]);
      if (kind === 'door.create') {
        if (!slots.length) return false;
        const [unitId, relay] = r.pick(slots);
        await w.createDoor(s, w.writer(s), unitId, relay);
        return true;
      }
      const d = s.doors[r.pick(Object.keys(s.doors).concat(''))];
      if (!d) return false;
      const body: Record<string, unknown> = {};
      if (r.chance(0.5)) body.name = w.name('Door');
      if (r.chance(0.3)) body.pulseMs = r.pick([200, 500, 1500]);
      if (r.chance(0.3)) body.sensor = r.chance(0.5);
      if (slots.length && r.chance(0.3))
        [body.unitId, body.relay] = r.pick(slots);
      await w.api('PATCH', `/v1/doors/${d.id}`, w.writer(s).token, body, 200);
      if (body.name !== undefined) d.name = body.name as string;
      if (body.pulseMs !== undefined) d.pulseMs = body.pulseMs as number;
      if (body.sensor !== undefined) d.sensor = body.sensor as boolean;
      if (body.unitId !== undefined) {
        d.unitId = body.unitId as string;
        d.relay = body.relay as number;
      }
      await w.committed();
      return true;
    }
    case 'door.delete': {
      const d = s.doors[r.pick(Object.keys(s.doors).concat(''))];
      if (!d) return false;
      await w.api(
        'DELETE',
        `/v1/doors/${d.id}`,
        w.writer(s).token,
        undefined,
        204,
      );
      deleteDoor(s, d.id);
      await w.committed();
      return true;
    }
    case 'unit.create': {
      if (Object.keys(s.units).length >= 3) return false;
      await w.createUnit(s, w.writer(s));
      return true;
    }
    case 'unit.patch': {
      const u = s.units[r.pick(Object.keys(s.units).concat(''))];
      if (!u) return false;
      const name = w.name('Unit');
      await w.api(
        'PATCH',
        `/v1/units/${u.id}`,
        w.writer(s).token,
        { name },
        200,
      );
      u.name = name;
      await w.committed();
      return true;
    }
    case 'unit.delete': {
      const u = s.units[r.pick(Object.keys(s.units).concat(''))];
      if (!u || Object.keys(s.units).length < 2) return false;
      await w.api(
        'DELETE',
        `/v1/units/${u.id}`,
        w.writer(s).token,
        undefined,
        204,
      );
      deleteUnit(s, u.id);
      await w.committed();
      return true;
    }
    case 'open': {
      // Anyone tries any door, hers or not: every attempt is logged and pushed to who may see it.
      const doors = w.spaces().flatMap((sp) => Object.keys(sp.doors));
      if (!doors.length) return false;
      const u = r.pick(w.users);
      const doorId = r.pick(doors);
      const res = await w.backend.request('POST', `/v1/doors/${doorId}/open`, {
        token: u.token,
        body: {},
      });
      w.note(
        `${u.label} opens ${doorId} -> ${res.status} ${res.body?.error?.code ?? ''}`,
      );
      if (![403, 404, 503].includes(res.status))
        throw new Error(
          `open: unexpected ${res.status} ${JSON.stringify(res.body)}`,
        );
      await w.bound();
      return true;
    }
    case 'disconnect': {
      const p = r.pick(w.phones);
      if (!p.connected) return false;
      const abrupt = r.chance(0.4);
      await p.disconnect(abrupt);
      w.note(
        `${p.label} disconnects${abrupt ? ' (abrupt)' : ''} at ${p.cursor}`,
      );
      return true;
    }
    case 'reconnect': {
      const p = r.pick(w.phones);
      await w.connect(p, w.randomMode());
      return true;
    }
  }
}
