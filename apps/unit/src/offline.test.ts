import { describe, expect, it } from 'vitest';
import { decideOffline } from './offline';
import {
  accessEntry,
  accessKey,
  configKey,
  EVENINGS,
  spaceKey,
  unitSpace,
  unitView,
} from './testing/views';

const viewOf = (record: Record<string, unknown>) =>
  new Map(Object.entries(record));
const ana = accessEntry('ana', { relays: [1, 2], access: EVENINGS });
const at = (iso: string) => new Date(iso);

describe('decideOffline', () => {
  it.each([
    // Madrid is UTC+1 in January and UTC+2 in July: 18:00 local is 17:00Z, then 16:00Z.
    [
      '2030-01-15T16:59:59.000Z',
      { allowed: false, reason: 'outside_schedule' },
    ],
    ['2030-01-15T17:00:00.000Z', { allowed: true }],
    [
      '2030-07-16T15:59:59.000Z',
      { allowed: false, reason: 'outside_schedule' },
    ],
    ['2030-07-16T16:00:00.000Z', { allowed: true }],
    ['2030-07-16T19:59:59.999Z', { allowed: true }],
    [
      '2030-07-16T20:00:00.000Z',
      { allowed: false, reason: 'outside_schedule' },
    ],
  ])('evening frames in Europe/Madrid at %s', (iso, decision) => {
    expect(
      decideOffline(viewOf(unitView(ana)), {
        userId: 'u_ana',
        relay: 1,
        at: at(iso),
      }),
    ).toEqual(decision);
  });

  it('uses the time zone of the config', () => {
    const view = viewOf({
      ...unitView(ana),
      [spaceKey()]: unitSpace({ timezone: 'America/New_York' }),
    });
    // 18:00 in New York in January is 23:00Z.
    expect(
      decideOffline(view, {
        userId: 'u_ana',
        relay: 1,
        at: at('2030-01-15T22:59:59Z'),
      }),
    ).toEqual({
      allowed: false,
      reason: 'outside_schedule',
    });
    expect(
      decideOffline(view, {
        userId: 'u_ana',
        relay: 1,
        at: at('2030-01-15T23:00:00Z'),
      }),
    ).toEqual({
      allowed: true,
    });
  });

  it('refuses a revoked member, whose entry the server deleted: no_access', () => {
    const view = viewOf(unitView(ana, accessEntry('bob')));
    const request = {
      userId: 'u_ana',
      relay: 1,
      at: at('2030-01-15T18:00:00Z'),
    };
    expect(decideOffline(view, request)).toEqual({ allowed: true });
    view.delete(accessKey('m_ana'));
    expect(decideOffline(view, request)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    expect(decideOffline(view, { ...request, userId: 'u_bob' })).toEqual({
      allowed: true,
    });
  });

  it('refuses a relay her groups do not grant, and one with no door: no_access', () => {
    const view = viewOf(unitView(accessEntry('bob', { relays: [1] })));
    const at0 = at('2030-01-15T12:00:00Z');
    expect(decideOffline(view, { userId: 'u_bob', relay: 1, at: at0 })).toEqual(
      { allowed: true },
    );
    expect(decideOffline(view, { userId: 'u_bob', relay: 2, at: at0 })).toEqual(
      {
        allowed: false,
        reason: 'no_access',
      },
    );
    const noDoor = viewOf(unitView(accessEntry('bob', { relays: [1, 3] })));
    expect(
      decideOffline(noDoor, { userId: 'u_bob', relay: 3, at: at0 }).allowed,
    ).toBe(false);
  });

  it('refuses every member during lockdown: door_locked_down', () => {
    const view = viewOf({
      ...unitView(ana, accessEntry('bob')),
      [spaceKey()]: unitSpace({ lockdown: true }),
    });
    const evening = at('2030-01-15T18:00:00Z');
    expect(
      decideOffline(view, { userId: 'u_bob', relay: 1, at: evening }),
    ).toEqual({
      allowed: false,
      reason: 'door_locked_down',
    });
    expect(
      decideOffline(view, { userId: 'u_ana', relay: 1, at: evening }),
    ).toEqual({
      allowed: false,
      reason: 'door_locked_down',
    });
    // Not a member at all stays no_access, as on the server.
    expect(
      decideOffline(view, { userId: 'u_eve', relay: 1, at: evening }),
    ).toEqual({
      allowed: false,
      reason: 'no_access',
    });
  });

  it('checks validity bounds', () => {
    const view = viewOf(
      unitView(
        accessEntry('guest', {
          access: {
            timeFrames: EVENINGS?.timeFrames ?? [],
            validUntil: '2030-01-15T18:30:00+01:00',
          },
        }),
      ),
    );
    expect(
      decideOffline(view, {
        userId: 'u_guest',
        relay: 1,
        at: at('2030-01-15T17:30:00Z'),
      }),
    ).toEqual({
      allowed: true,
    });
    expect(
      decideOffline(view, {
        userId: 'u_guest',
        relay: 1,
        at: at('2030-01-15T17:30:00.001Z'),
      }),
    ).toEqual({
      allowed: false,
      reason: 'expired',
    });
  });

  it('fails closed without a configuration or with malformed entries', () => {
    const request = {
      userId: 'u_ana',
      relay: 1,
      at: at('2030-01-15T18:00:00Z'),
    };
    expect(decideOffline(new Map(), request)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    const noConfig = viewOf(unitView(ana));
    noConfig.delete(configKey());
    expect(decideOffline(noConfig, request)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
    const malformed = viewOf({
      ...unitView(),
      [accessKey('m_ana')]: { ...ana, relays: 'all' },
    });
    expect(decideOffline(malformed, request)).toEqual({
      allowed: false,
      reason: 'no_access',
    });
  });
});
