import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from './routes';
import {
  type Access,
  call,
  ENDPOINTS,
  type Endpoint,
  expectError,
  fill,
  type Ids,
  routeKey,
  snapshotSpace,
} from './test/endpoints';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';

const OWNER_B = '+34600000101';
const only = (...access: Access[]) =>
  ENDPOINTS.filter((ep) => access.includes(ep.access));
const TENANT_SCOPED = only(
  'session',
  'view',
  'open',
  'admin.read',
  'admin.write',
  'audit.read',
  'owner',
);
const MISSING: Ids = {
  spaceId: 'sp_missing',
  unitId: 'unit_missing',
  doorId: 'door_missing',
  groupId: 'grp_missing',
  memberId: 'mem_missing',
  userId: 'usr_missing',
  sessionId: 'ses_missing',
  keyId: 'key_missing',
};

describe('authorization: every endpoint, every role, two tenants', () => {
  let t: TestServer;
  let a: Awaited<ReturnType<typeof buildSpace>>;
  let b: Awaited<ReturnType<typeof buildSpace>>;
  let idsA: Ids;
  let viewer: string;
  let admin: string;
  let adminUserId: string;
  let member: string;
  let otherMemberId: string;
  let door3: { id: string };

  const post = async (path: string, body: unknown, token = a.owner) =>
    expectStatus(await t.request('POST', path, { token, body }), 201);
  const me = async (token: string) =>
    expectStatus(await t.request('GET', '/v1/me', { token }), 200);
  const snapshotA = () => snapshotSpace(t, a.owner, a.space.id);

  beforeAll(async () => {
    t = await TestServer.start();
    a = await buildSpace(t, PHONES.owner, 'A');
    b = await buildSpace(t, OWNER_B, 'B');
    const spaceA = `/v1/spaces/${a.space.id}`;
    door3 = (
      await post(`${spaceA}/doors`, {
        name: 'Office',
        unitId: a.unit.id,
        relay: 3,
      })
    ).door;
    await post(`${spaceA}/admins`, { phone: PHONES.viewer, role: 'viewer' });
    adminUserId = (
      await post(`${spaceA}/admins`, { phone: PHONES.admin, role: 'admin' })
    ).admin.userId;
    const memberA = (
      await post(`${spaceA}/members`, {
        phone: PHONES.member,
        groupIds: [a.group.id],
      })
    ).member;
    otherMemberId = (
      await post(`${spaceA}/members`, { phone: PHONES.evening, groupIds: [] })
    ).member.id;
    [viewer, admin, member] = [
      await t.login(PHONES.viewer),
      await t.login(PHONES.admin),
      await t.login(PHONES.member),
    ];
    const ownerA = await me(a.owner);
    idsA = {
      spaceId: a.space.id,
      unitId: a.unit.id,
      doorId: a.door.id,
      groupId: a.group.id,
      memberId: memberA.id,
      userId: ownerA.user.id,
      sessionId: ownerA.sessions.find((s: { current: boolean }) => s.current)
        .id,
      keyId: (
        await post(`${spaceA}/api-keys`, {
          name: 'Booking tool',
          scopes: ['members:read'],
        })
      ).apiKey.id,
    };
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the table lists every route in routes/index.ts, with the same auth', () => {
    expect(ENDPOINTS.map(routeKey).sort()).toEqual(routes.map(routeKey).sort());
    for (const ep of ENDPOINTS) {
      const route = routes.find((r) => routeKey(r) === routeKey(ep))!;
      expect(route.auth, routeKey(ep)).toBe(
        ep.access === 'public' ? 'public' : 'user',
      );
    }
  });

  it('another tenant’s owner gets 404 not_found for every id of A, exactly as for ids that do not exist', async () => {
    const before = await snapshotA();
    for (const ep of TENANT_SCOPED) {
      const foreign = expectError(
        await call(t, ep, idsA, b.owner),
        404,
        'not_found',
        routeKey(ep),
      );
      const missing = expectError(
        await call(t, ep, MISSING, b.owner),
        404,
        'not_found',
        routeKey(ep),
      );
      expect(foreign.body, routeKey(ep)).toEqual(missing.body);
    }
    expect(await snapshotA()).toEqual(before);
    // B's owner is still fine in his own space.
    expectStatus(
      await t.request('GET', `/v1/spaces/${b.space.id}/doors`, {
        token: b.owner,
      }),
      200,
    );
  });

  it('a viewer reads every admin endpoint but the audit trail, and gets 403 forbidden on every write', async () => {
    const before = await snapshotA();
    for (const ep of only('view', 'admin.read')) {
      expect((await call(t, ep, idsA, viewer)).status, routeKey(ep)).toBe(200);
    }
    for (const ep of only('admin.write', 'audit.read', 'owner')) {
      expectError(
        await call(t, ep, idsA, viewer),
        403,
        'forbidden',
        routeKey(ep),
      );
    }
    // Read-only admin is not a member: she has no door to open.
    expectError(
      await call(t, only('open')[0]!, idsA, viewer),
      403,
      'no_access',
    );
    expect(await snapshotA()).toEqual(before);
  });

  it('a member gets 403 forbidden on admin reads and writes of her own space', async () => {
    const before = await snapshotA();
    const ownRecord = (ep: Endpoint) =>
      routeKey(ep) === 'GET /v1/members/{memberId}';
    for (const ep of only(
      'admin.read',
      'admin.write',
      'audit.read',
      'owner',
    ).filter((ep) => !ownRecord(ep))) {
      expectError(
        await call(t, ep, idsA, member),
        403,
        'forbidden',
        routeKey(ep),
      );
    }
    expectError(
      await t.request('GET', `/v1/members/${otherMemberId}`, { token: member }),
      403,
      'forbidden',
    );
    expect(await snapshotA()).toEqual(before);
  });

  it('a member sees her space, only her group’s doors, their state, her own record and her own events', async () => {
    for (const ep of only('view')) {
      expect((await call(t, ep, idsA, member)).status, routeKey(ep)).toBe(200);
    }
    const space = expectStatus(
      await t.request('GET', `/v1/spaces/${a.space.id}`, { token: member }),
      200,
    );
    expect(space.space.role).toBe('member');
    const doors = expectStatus(
      await t.request('GET', `/v1/spaces/${a.space.id}/doors`, {
        token: member,
      }),
      200,
    ).doors;
    expect(doors.map((d: { id: string }) => d.id).sort()).toEqual(
      [a.door.id, a.door2.id].sort(),
    );
    expectError(
      await t.request('GET', `/v1/doors/${door3.id}`, { token: member }),
      404,
      'not_found',
    );
    expectError(
      await t.request('GET', `/v1/doors/${door3.id}/state`, { token: member }),
      404,
      'not_found',
    );
    const mine = expectStatus(
      await t.request('GET', `/v1/members/${idsA.memberId}`, { token: member }),
      200,
    );
    expect(mine.member).toMatchObject({
      id: idsA.memberId,
      phone: PHONES.member,
    });
    const userId = (await me(member)).user.id;
    const events = expectStatus(
      await t.request('GET', `/v1/spaces/${a.space.id}/events?limit=1000`, {
        token: member,
      }),
      200,
    ).events;
    expect(events.every((ev: { userId: string }) => ev.userId === userId)).toBe(
      true,
    );
    const spaces = expectStatus(
      await t.request('GET', '/v1/spaces', { token: member }),
      200,
    ).spaces;
    expect(
      spaces.map((s: { id: string; role: string }) => [s.id, s.role]),
    ).toEqual([[a.space.id, 'member']]);
  });

  it('without credentials every endpoint but login and /openapi.json is 401 unauthorized', async () => {
    for (const ep of ENDPOINTS.filter((ep) => ep.access !== 'public')) {
      expectError(await call(t, ep, idsA), 401, 'unauthorized', routeKey(ep));
      expectError(
        await call(t, ep, idsA, 'not-a-token'),
        401,
        'unauthorized',
        routeKey(ep),
      );
      const basic = await t.request(ep.method, fill(ep.path, idsA), {
        headers: { authorization: 'Basic b3duZXI6cGFzcw==' },
      });
      expectError(basic, 401, 'unauthorized', `${routeKey(ep)} basic`);
    }
    for (const ep of only('public')) {
      expectError(
        await t.request(ep.method, ep.path, { body: {} }),
        400,
        'invalid_request',
        routeKey(ep),
      );
    }
    expect((await t.request('GET', '/openapi.json')).status).toBe(200);
  });

  it('a revoked session token is 401 everywhere, and revoking it touched nothing else', async () => {
    const before = await snapshotA();
    const lost = await t.login(PHONES.owner, 'lost phone');
    const lostId = (await me(lost)).sessions.find(
      (s: { current: boolean }) => s.current,
    ).id;
    expectStatus(
      await t.request('DELETE', `/v1/me/sessions/${lostId}`, {
        token: a.owner,
      }),
      204,
    );
    for (const ep of ENDPOINTS.filter((ep) => ep.access !== 'public')) {
      expectError(
        await call(t, ep, idsA, lost),
        401,
        'unauthorized',
        routeKey(ep),
      );
    }
    expect(await snapshotA()).toEqual(before);
  });

  it('ids in a body from another tenant are 400 invalid_request naming the field, and nothing is written', async () => {
    const before = await snapshotA();
    const cases: [string, string, unknown, string][] = [
      [
        'POST',
        `/v1/spaces/${a.space.id}/doors`,
        { name: 'X', unitId: b.unit.id, relay: 4 },
        'unitId',
      ],
      [
        'POST',
        `/v1/spaces/${a.space.id}/groups`,
        { name: 'X', doorIds: [b.door.id] },
        'doorIds',
      ],
      [
        'POST',
        `/v1/spaces/${a.space.id}/members`,
        { phone: '+34699000003', groupIds: [b.group.id] },
        'groupIds',
      ],
      [
        'PATCH',
        `/v1/doors/${a.door.id}`,
        { name: 'X', unitId: b.unit.id },
        'unitId',
      ],
      [
        'PATCH',
        `/v1/groups/${a.group.id}`,
        { name: 'X', doorIds: [a.door.id, b.door.id] },
        'doorIds',
      ],
      [
        'PATCH',
        `/v1/members/${idsA.memberId}`,
        { name: 'X', groupIds: [b.group.id] },
        'groupIds',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = expectError(
        await t.request(method, path, { token: a.owner, body }),
        400,
        'invalid_request',
        `${method} ${path}`,
      );
      expect(
        res.body.error.details.map((d: { field: string }) => d.field),
      ).toEqual([field]);
    }
    expect(await snapshotA()).toEqual(before);
  });

  it('only owners manage admins and delete the space; an admin still administers', async () => {
    const before = await snapshotA();
    const space = `/v1/spaces/${a.space.id}`;
    const refused: [string, string, unknown?][] = [
      ['POST', `${space}/admins`, { phone: '+34699000004', role: 'viewer' }],
      ['PATCH', `${space}/admins/${idsA.userId}`, { role: 'viewer' }],
      ['DELETE', `${space}/admins/${idsA.userId}`],
      ['PATCH', `${space}/admins/${adminUserId}`, { role: 'owner' }],
      ['DELETE', space],
    ];
    for (const [method, path, body] of refused) {
      expectError(
        await t.request(method, path, { token: admin, body }),
        403,
        'forbidden',
        `${method} ${path}`,
      );
    }
    expect(await snapshotA()).toEqual(before);
    expectStatus(
      await t.request('GET', `${space}/admins`, { token: admin }),
      200,
    );
    const renamed = await t.request('PATCH', `/v1/doors/${door3.id}`, {
      token: admin,
      body: { name: 'Back' },
    });
    expect(expectStatus(renamed, 200).door.name).toBe('Back');
  });

  it('a space keeps at least one owner: 409 last_owner', async () => {
    const space = `/v1/spaces/${b.space.id}`;
    const ownerB = (await me(b.owner)).user.id;
    const attempts: [string, string, unknown?][] = [
      ['DELETE', `${space}/admins/${ownerB}`],
      ['PATCH', `${space}/admins/${ownerB}`, { role: 'admin' }],
      ['POST', `${space}/admins`, { phone: OWNER_B, role: 'viewer' }],
    ];
    for (const [method, path, body] of attempts) {
      expectError(
        await t.request(method, path, { token: b.owner, body }),
        409,
        'last_owner',
        method,
      );
    }
    // With a second owner, the first may step down; then the second is the last.
    const second = await post(
      `${space}/admins`,
      { phone: '+34600000102', role: 'owner' },
      b.owner,
    );
    expectStatus(
      await t.request('DELETE', `${space}/admins/${ownerB}`, {
        token: b.owner,
      }),
      204,
    );
    expectError(
      await t.request('GET', space, { token: b.owner }),
      404,
      'not_found',
    );
    const token = await t.login('+34600000102');
    expectError(
      await t.request('DELETE', `${space}/admins/${second.admin.userId}`, {
        token,
      }),
      409,
      'last_owner',
    );
  });
});
