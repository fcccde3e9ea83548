import { describe, expect, it } from 'vitest';
import { type AccessWorld, previewChanges, summarize } from './access';

const evening = {
  timeFrames: [
    {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
      from: '20:00',
      to: '23:00',
    },
  ],
};
const world = (access: unknown, doorIds = ['d1', 'd2']): AccessWorld => ({
  timezone: 'Europe/Madrid',
  lockdown: false,
  groups: [{ id: 'g1', doorIds, geofenceMeters: null }],
  members: [
    {
      id: 'm1',
      groupIds: ['g1'],
      access: access as never,
      geofenceMeters: null,
    },
  ],
});
// Monday 5 January 2027, 12:00 in Madrid (CET, UTC+1).
const noon = new Date('2027-01-05T11:00:00Z');

describe('previewChanges', () => {
  it('says from when a schedule change takes access away: 18:00 instead of 20:00 ends the same evening', () => {
    const before = world(evening);
    const after = world({
      timeFrames: [{ ...evening.timeFrames[0]!, from: '18:00', to: '20:00' }],
    });
    const changes = previewChanges(before, after, ['d1', 'd2'], noon);
    // 18:00 she gains (both doors), 20:00 she would have had access and no longer does.
    expect(
      changes.map((c) => [c.doorId, c.direction, c.from.toISOString()]),
    ).toEqual([
      ['d1', 'gain', '2027-01-05T17:00:00.000Z'],
      ['d2', 'gain', '2027-01-05T17:00:00.000Z'],
      ['d1', 'lose', '2027-01-05T19:00:00.000Z'],
      ['d2', 'lose', '2027-01-05T19:00:00.000Z'],
    ]);
    expect(summarize(changes)).toEqual([
      {
        direction: 'lose',
        members: 1,
        doors: 2,
        from: new Date('2027-01-05T19:00:00Z'),
      },
      {
        direction: 'gain',
        members: 1,
        doors: 2,
        from: new Date('2027-01-05T17:00:00Z'),
      },
    ]);
  });

  it('revoking a 24/7 member removes every door from now', () => {
    const before = world(null);
    const after: AccessWorld = { ...before, members: [] };
    const [s] = summarize(previewChanges(before, after, ['d1', 'd2'], noon));
    expect(s).toEqual({ direction: 'lose', members: 1, doors: 2, from: noon });
  });

  it('taking a door out of a group: from the next instant she could have used it', () => {
    const changes = previewChanges(
      world(evening),
      world(evening, ['d2']),
      ['d1', 'd2'],
      noon,
    );
    expect(changes).toEqual([
      {
        memberId: 'm1',
        doorId: 'd1',
        direction: 'lose',
        from: new Date('2027-01-05T19:00:00Z'),
      },
    ]);
  });

  it('an edit that changes nothing within two weeks reports nothing', () => {
    const far = { ...evening, validFrom: '2028-01-01T00:00:00+01:00' };
    expect(
      previewChanges(
        world(far),
        world({ ...far, timeFrames: [] }),
        ['d1'],
        noon,
      ),
    ).toEqual([]);
  });
});
