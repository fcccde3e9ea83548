import type { AccessEvent } from '@keyway/protocol';
import { describe, expect, it } from 'vitest';
import { replay, whoCouldOpen } from './history';
import type { SpaceModel } from './space';

let seq = 0;
const ev = (data: Record<string, unknown>): AccessEvent => ({
  id: `ev_${seq++}`,
  spaceId: 'sp',
  at: '2027-01-01T00:00:00Z',
  type: 'admin.change',
  doorId: null,
  unitId: null,
  userId: 'usr_owner',
  memberId: null,
  result: null,
  reason: String(data.action),
  data,
});
const today = {
  space: {
    id: 'sp',
    name: 'HQ',
    timezone: 'Europe/Madrid',
    location: null,
    geofenceMeters: null,
    lockdown: false,
    createdAt: '',
  },
  units: [],
  doors: [],
  groups: [
    {
      id: 'g1',
      spaceId: 'sp',
      name: 'Residents',
      doorIds: ['d1'],
      geofenceMeters: null,
      createdAt: '',
    },
  ],
  members: [],
  admins: [],
} as SpaceModel;

describe('replay', () => {
  const log = [
    ev({ action: 'space.create', id: 'sp' }),
    ev({
      action: 'group.create',
      id: 'g1',
      name: 'Residents',
      doorIds: ['d1', 'd2'],
    }),
    ev({
      action: 'member.create',
      id: 'm1',
      phone: '+34600000001',
      groupIds: ['g1'],
      access: null,
    }),
    ev({ action: 'member.update', id: 'm1', changes: { name: 'Ana' } }),
    ev({
      action: 'member.create',
      id: 'm2',
      phone: '+34600000002',
      groupIds: ['g1'],
      access: { timeFrames: [] },
    }),
    ev({ action: 'door.delete', id: 'd2' }),
  ];

  it('rebuilds members and groups as they were, even those revoked since', () => {
    const w = replay(log, today);
    expect(w.reconstructed).toBe(true);
    expect(w.groups).toEqual([
      { id: 'g1', name: 'Residents', doorIds: ['d1'], geofenceMeters: null },
    ]);
    expect(w.members.map((m) => [m.id, m.name ?? m.phone])).toEqual([
      ['m1', 'Ana'],
      ['m2', '+34600000002'],
    ]);
    const answers = whoCouldOpen(w, 'd1', new Date('2027-01-05T12:00:00Z'));
    expect(answers.map((a) => [a.member.id, a.verdict])).toEqual([
      ['m1', { allowed: true }],
      ['m2', { allowed: false, reason: 'outside_schedule' }],
    ]);
  });

  it('falls back on today’s membership, and says so, when the log does not reach the creation', () => {
    const w = replay(log.slice(1), today);
    expect(w.reconstructed).toBe(false);
    expect(w.members).toEqual([]);
    expect(replay(null, today).reconstructed).toBe(false);
  });

  it('a lockdown then refuses everyone', () => {
    const w = replay(
      [
        ...log,
        ev({ action: 'space.lockdown', id: 'sp', changes: { lockdown: true } }),
      ],
      today,
    );
    expect(whoCouldOpen(w, 'd1', new Date())[0]!.verdict).toEqual({
      allowed: false,
      reason: 'door_locked_down',
    });
  });
});
