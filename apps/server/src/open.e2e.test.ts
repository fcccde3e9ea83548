import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { UnitProcess, waitFor } from './test/unit-process';

// Tuesday 5 January 2027, 12:00 in Madrid.
const NOON = '2027-01-05T12:00:00+01:00';

describe('opening a door end to end (HTTP → server → MQTT → real unit process)', () => {
  const clock = new ManualClock(Date.parse(NOON));
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess;

  const addMember = async (phone: string, body: Record<string, unknown> = {}) =>
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: { phone, groupIds: [s.group.id], ...body },
      }),
      201,
    ).member;
  const open = (token: string, doorId = s.door.id, body?: unknown) =>
    t.request('POST', `/v1/doors/${doorId}/open`, { token, body });
  const unitOnline = async () =>
    (
      await t.request('GET', `/v1/spaces/${s.space.id}/units`, {
        token: s.owner,
      })
    ).body.units[0].online === true;
  const events = async (query = '') =>
    (
      await t.request(
        'GET',
        `/v1/spaces/${s.space.id}/events?limit=1000${query}`,
        { token: s.owner },
      )
    ).body.events as any[];

  beforeAll(async () => {
    t = await TestServer.start({ clock });
    s = await buildSpace(t);
    unit = UnitProcess.spawn(s.credentials, [
      '--lat',
      '41.3874',
      '--lon',
      '2.1686',
    ]);
    await waitFor(unitOnline, 'unit online');
  });
  afterAll(async () => {
    await unit?.kill();
    await t?.stop();
  });

  it("a new unit's door leaves unknown on its first connect: the unit reports its sensor's state (boot state, §4.4)", async () => {
    const state = async () =>
      (
        await t.request('GET', `/v1/doors/${s.door.id}/state`, {
          token: s.owner,
        })
      ).body.door;
    await waitFor(
      async () => (await state()).state === 'closed',
      'door closed from the boot report',
    );
    expect(await state()).toMatchObject({ state: 'closed', unitOnline: true });
    expect((await events('&type=door.state')).map((e) => e.reason)).toEqual([
      'closed',
    ]);
  });

  it('a basic member opens; the unit pulses, acknowledges, and the sensor reports open then closed', async () => {
    const token = await t.login(PHONES.member);
    await addMember(PHONES.member, { name: 'Ana' });
    const res = await open(token);
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('opened');
    expect(res.body.event).toMatchObject({
      type: 'door.open',
      result: 'granted',
      doorId: s.door.id,
    });
    await waitFor(
      async () => (await events('&type=door.state')).length === 3,
      'door closed again',
    );
    const states = (await events('&type=door.state'))
      .map((e) => e.reason)
      .reverse();
    // The boot report first (the door was unknown), then the open.
    expect(states).toEqual(['closed', 'open', 'closed']);
    const past = expectStatus(
      await t.request(
        'GET',
        `/v1/doors/${s.door.id}/state?at=${encodeURIComponent(new Date(clock.now().getTime() - 60_000).toISOString())}`,
        { token },
      ),
      200,
    );
    expect(past.door).toMatchObject({ state: 'unknown', unitOnline: false });
    const nowState = expectStatus(
      await t.request('GET', `/v1/doors/${s.door.id}/state`, { token }),
      200,
    );
    expect(nowState.door).toMatchObject({ state: 'closed', unitOnline: true });
    expect(unit.output).toMatch(/relay 1/);
    // Sensor changes are patched into the published views; a full recompute finds nothing left to send.
    const maxCursor = async () =>
      Number(
        (
          await t.server.ctx.db
            .selectFrom('changes')
            .select((eb) => eb.fn.max('cursor').as('c'))
            .executeTakeFirst()
        )?.c,
      );
    const before = await maxCursor();
    await t.server.ctx.sync!.recompute(s.space.id);
    expect(await maxCursor()).toBe(before);
  });

  it('the unit reported its configured position', async () => {
    const units = expectStatus(
      await t.request('GET', `/v1/spaces/${s.space.id}/units`, {
        token: s.owner,
      }),
      200,
    ).units;
    expect(units[0].location).toEqual({ lat: 41.3874, lon: 2.1686 });
    expect(units[0].agent).toMatch(/keyway-unit/);
  });

  it('refuses outside the schedule, and opens once the frame starts (17:59:59 vs 18:00:00)', async () => {
    const token = await t.login(PHONES.evening);
    await addMember(PHONES.evening, {
      access: { timeFrames: [{ days: ['tue'], from: '18:00', to: '22:00' }] },
    });
    let res = await open(token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('outside_schedule');
    clock.set('2027-01-05T17:59:59+01:00');
    expect((await open(token)).body.error.code).toBe('outside_schedule');
    clock.set('2027-01-05T18:00:00+01:00');
    res = await open(token);
    expect(res.status).toBe(200);
    clock.set(NOON);
  });

  it('refuses with every reason the rules give, and logs each refusal', async () => {
    const cases: [string, Record<string, unknown>, string, unknown?][] = [
      [
        '+34611000001',
        {
          access: {
            timeFrames: [{ days: ['tue'], from: '08:00', to: '20:00' }],
            validFrom: '2027-02-01T00:00:00+01:00',
          },
        },
        'not_yet_valid',
      ],
      [
        '+34611000002',
        {
          access: {
            timeFrames: [{ days: ['tue'], from: '08:00', to: '20:00' }],
            validUntil: '2027-01-01T00:00:00+01:00',
          },
        },
        'expired',
      ],
      ['+34611000003', { geofenceMeters: 100 }, 'location_required'],
      [
        '+34611000004',
        { geofenceMeters: 100 },
        'outside_geofence',
        { location: { lat: 40.4168, lon: -3.7038 } },
      ],
      ['+34611000005', { groupIds: [] }, 'no_access'],
    ];
    for (const [phone, body, code, openBody] of cases) {
      const token = await t.login(phone);
      const m = await addMember(phone, body);
      const res = await open(token, s.door.id, openBody);
      expect(res.status, code).toBe(403);
      expect(res.body.error.code).toBe(code);
      const logged = await events(`&memberId=${m.id}`);
      expect(logged.find((e) => e.type === 'door.open')).toMatchObject({
        result: 'denied',
        reason: code,
      });
    }
    // Inside the geofence with a position: opens.
    const token = await t.login('+34611000006');
    await addMember('+34611000006', { geofenceMeters: 100 });
    expect(
      (
        await open(token, s.door.id, {
          location: { lat: 41.3875, lon: 2.1687, accuracyMeters: 10 },
        })
      ).status,
    ).toBe(200);
  });

  it('lockdown refuses members with door_locked_down until lifted; admins still open', async () => {
    const token = await t.login(PHONES.member);
    expectStatus(
      await t.request('PATCH', `/v1/spaces/${s.space.id}`, {
        token: s.owner,
        body: { lockdown: true },
      }),
      200,
    );
    const res = await open(token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('door_locked_down');
    expect((await open(s.owner)).status).toBe(200);
    expectStatus(
      await t.request('PATCH', `/v1/spaces/${s.space.id}`, {
        token: s.owner,
        body: { lockdown: false },
      }),
      200,
    );
    expect((await open(token)).status).toBe(200);
  });

  it('revocation is refused at once, and the attempt is still logged', async () => {
    const phone = '+34611000007';
    const token = await t.login(phone);
    const m = await addMember(phone);
    expect((await open(token)).status).toBe(200);
    expectStatus(
      await t.request('DELETE', `/v1/members/${m.id}`, { token: s.owner }),
      204,
    );
    const res = await open(token);
    expect(res.status).toBe(404);
    const me = expectStatus(
      await t.request('GET', '/v1/me', { token }),
      200,
    ).user;
    const logged = (await events('&type=door.open')).find(
      (e) => e.userId === me.id && e.result === 'denied',
    );
    expect(logged).toMatchObject({ reason: 'no_access' });
  });

  it('unit offline: 503 unit_offline, logged; the unit comes back by itself', async () => {
    const token = await t.login(PHONES.member);
    await unit.kill('SIGKILL');
    await waitFor(
      async () => !(await unitOnline()),
      'unit offline (last will)',
      20_000,
    );
    const res = await open(token);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unit_offline');
    // The log is ordered by time, and this suite's clock went back to noon after 18:00.
    expect(await events('&type=door.open')).toContainEqual(
      expect.objectContaining({
        result: 'unit_offline',
        reason: 'unit_offline',
      }),
    );
    const kinds = (await events())
      .filter((e) => e.type === 'unit.offline' || e.type === 'unit.online')
      .map((e) => e.type);
    expect(kinds[0]).toBe('unit.offline');
    unit = UnitProcess.spawn(s.credentials);
    await waitFor(unitOnline, 'unit back online');
    expect((await open(token)).status).toBe(200);
  });
});

describe('a unit that does not answer in time', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess;
  beforeAll(async () => {
    t = await TestServer.start({ env: { KEYWAY_OPEN_TIMEOUT_MS: '300' } });
    s = await buildSpace(t);
    unit = UnitProcess.spawn(s.credentials);
    await waitFor(
      async () =>
        (await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner }))
          .body.unit.online,
      'unit online',
      // A unit process starts through tsx: slow on a loaded 2-core machine.
      30_000,
    );
  });
  afterAll(async () => {
    unit?.child.kill('SIGCONT');
    await unit?.kill();
    await t?.stop();
  });

  it('answers 504 unit_timeout, and the unit never pulses the command that reaches it after expiry', async () => {
    unit.child.kill('SIGSTOP'); // connected but frozen: the command sits in its socket
    const res = await t.request('POST', `/v1/doors/${s.door.id}/open`, {
      token: s.owner,
    });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('unit_timeout');
    unit.child.kill('SIGCONT'); // now the stale command arrives
    await waitFor(
      () => /expired/i.test(unit.output),
      'the unit to report the command expired',
      30_000,
    );
    expect(unit.output).not.toMatch(/relay 1 pulsed/);
    const states = (
      await t.request(
        'GET',
        `/v1/spaces/${s.space.id}/events?type=door.state`,
        { token: s.owner },
      )
    ).body.events;
    // Only the boot report: no pulse, so no open.
    expect(states.map((e: { reason: string }) => e.reason)).toEqual(['closed']);
    // And a fresh command right after still works.
    expect(
      (
        await t.request('POST', `/v1/doors/${s.door.id}/open`, {
          token: s.owner,
        })
      ).status,
    ).toBe(200);
  });
});
