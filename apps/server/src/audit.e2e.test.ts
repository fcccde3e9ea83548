import {
  AUDIT_CSV_COLUMNS,
  type AuditEntry,
  type AuditObjectType,
  AuditResponse,
} from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { inTransaction, type Tx } from './commands/tx';
import { isAudited } from './http/route';
import { routes } from './routes';
import { presentAudit } from './services/audit-log';
import { expectError } from './test/endpoints';
import { buildSpace, PHONES } from './test/fixtures';
import { type ApiResponse, expectStatus, TestServer } from './test/harness';

const START = '2027-05-03T08:00:00.000Z';
const OWNER_B = '+34600000101';
const ADMIN_C = '+34600000201';
const MEMBER_C = '+34600000202';

type Obj = Record<string, unknown> | null;

/** One admin action of the API, as a test calls it. */
interface Case {
  op: string;
  type: AuditObjectType;
  /** The object's id before the call; a create names it from the answer (`created`). */
  id?: () => string;
  created?: (body: any) => string;
  /** Who calls it (default: the owner). */
  as?: () => Actor;
  run: (token: string) => Promise<ApiResponse>;
}
interface Actor {
  token: string;
  userId: string;
  sessionId: string;
  phone: string;
  name: string | null;
}

/** A small RFC 4180 reader for the export (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe('the audit trail', () => {
  const clock = new ManualClock(Date.parse(START));
  let t: TestServer;
  let a: Awaited<ReturnType<typeof buildSpace>>;
  let b: Awaited<ReturnType<typeof buildSpace>>;
  let owner: Actor;
  let admin: Actor;
  /** The space every action of the first test is made in (created, and at last deleted, by it). */
  let spaceC = '';
  const ids: Record<string, string> = {};

  const actor = async (token: string): Promise<Actor> => {
    const me = expectStatus(await t.request('GET', '/v1/me', { token }), 200);
    return {
      token,
      userId: me.user.id,
      phone: me.user.phone,
      name: me.user.name,
      sessionId: me.sessions.find((s: { current: boolean }) => s.current).id,
    };
  };
  /** Every entry of a space, newest first, read through the API page by page. */
  const trail = async (
    spaceId: string,
    token = owner.token,
    filter = '',
  ): Promise<AuditEntry[]> => {
    const all: AuditEntry[] = [];
    let cursor: string | null = null;
    do {
      const q = `limit=200${filter}${cursor ? `&cursor=${cursor}` : ''}`;
      const body = AuditResponse.parse(
        expectStatus(
          await t.request('GET', `/v1/spaces/${spaceId}/audit?${q}`, {
            token,
          }),
          200,
        ),
      );
      all.push(...body.entries);
      cursor = body.nextCursor;
    } while (cursor);
    return all;
  };
  /** The trail straight from the database (a deleted space's has no route any more). */
  const stored = async (spaceId: string): Promise<AuditEntry[]> =>
    (
      await t.server.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('space_id', '=', spaceId)
        .orderBy('seq', 'desc')
        .execute()
    ).map(presentAudit);
  /** The object as its GET answers it (to the actor), or null when that is a 404. */
  const getObject = async (
    type: AuditObjectType,
    id: string,
    token: string,
  ): Promise<Obj> => {
    const path = {
      space: `/v1/spaces/${id}`,
      admin: `/v1/spaces/${spaceC}/admins`,
      unit: `/v1/units/${id}`,
      door: `/v1/doors/${id}`,
      group: `/v1/groups/${id}`,
      member: `/v1/members/${id}`,
      api_key: `/v1/spaces/${spaceC}/api-keys`,
    }[type];
    const res = await t.request('GET', path, { token });
    if (res.status === 404) return null;
    const body = expectStatus(res, 200);
    if (type === 'admin')
      return (
        body.admins.find((x: { userId: string }) => x.userId === id) ?? null
      );
    if (type === 'api_key')
      return body.apiKeys.find((x: { id: string }) => x.id === id) ?? null;
    return body[type];
  };
  const tick = () => clock.advance(60_000);

  beforeAll(async () => {
    t = await TestServer.start({ clock });
    a = await buildSpace(t, PHONES.owner, 'A');
    b = await buildSpace(t, OWNER_B, 'B');
    expectStatus(
      await t.request('PATCH', '/v1/me', {
        token: a.owner,
        body: { name: 'Olga Owner' },
      }),
      200,
    );
    owner = await actor(a.owner);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('every route but the GETs is an admin action with an audit entry, except exactly these, and operationIds are unique', () => {
    const ops = routes.map((r) => r.operationId);
    expect(new Set(ops).size).toBe(ops.length);
    expect(
      routes
        .filter((r) => r.method !== 'GET' && !isAudited(r))
        .map((r) => r.operationId)
        .sort(),
    ).toEqual(
      [
        'requestCode',
        'verifyCode',
        'logout',
        'updateMe',
        'revokeSession',
        'openDoor',
      ].sort(),
    );
  });

  it('every admin action of the API appears once, by whom, from which session, with the object before and after as its GET answers it', async () => {
    const spacePath = () => `/v1/spaces/${spaceC}`;
    const asAdmin = () => admin;
    const cases: Case[] = [
      {
        op: 'createSpace',
        type: 'space',
        created: (body) => (spaceC = body.space.id),
        run: (token) =>
          t.request('POST', '/v1/spaces', {
            token,
            body: { name: 'Audited', timezone: 'Europe/Madrid' },
          }),
      },
      {
        op: 'updateSpace',
        type: 'space',
        id: () => spaceC,
        run: (token) =>
          t.request('PATCH', spacePath(), {
            token,
            body: { name: 'Audited HQ', geofenceMeters: 150, lockdown: true },
          }),
      },
      {
        op: 'createAdmin',
        type: 'admin',
        created: (body) => (ids.admin = body.admin.userId),
        run: (token) =>
          t.request('POST', `${spacePath()}/admins`, {
            token,
            body: { phone: ADMIN_C, role: 'admin' },
          }),
      },
      {
        op: 'createUnit',
        type: 'unit',
        created: (body) => (ids.unit = body.unit.id),
        as: asAdmin,
        run: (token) =>
          t.request('POST', `${spacePath()}/units`, {
            token,
            body: { name: 'Gate unit' },
          }),
      },
      {
        op: 'updateUnit',
        type: 'unit',
        id: () => ids.unit!,
        run: (token) =>
          t.request('PATCH', `/v1/units/${ids.unit}`, {
            token,
            body: { name: 'Main gate unit' },
          }),
      },
      {
        op: 'resetUnitCredentials',
        type: 'unit',
        id: () => ids.unit!,
        run: (token) =>
          t.request('POST', `/v1/units/${ids.unit}/credentials`, { token }),
      },
      {
        op: 'createDoor',
        type: 'door',
        created: (body) => (ids.door = body.door.id),
        run: (token) =>
          t.request('POST', `${spacePath()}/doors`, {
            token,
            body: { name: 'Front', unitId: ids.unit, relay: 1 },
          }),
      },
      {
        op: 'updateDoor',
        type: 'door',
        id: () => ids.door!,
        as: asAdmin,
        run: (token) =>
          t.request('PATCH', `/v1/doors/${ids.door}`, {
            token,
            body: { name: 'Front gate', pulseMs: 900, sensor: true },
          }),
      },
      {
        op: 'createGroup',
        type: 'group',
        created: (body) => (ids.group = body.group.id),
        run: (token) =>
          t.request('POST', `${spacePath()}/groups`, {
            token,
            body: { name: 'Residents', doorIds: [ids.door] },
          }),
      },
      {
        op: 'updateGroup',
        type: 'group',
        id: () => ids.group!,
        run: (token) =>
          t.request('PATCH', `/v1/groups/${ids.group}`, {
            token,
            body: { name: 'Neighbours', geofenceMeters: 80 },
          }),
      },
      {
        op: 'createMember',
        type: 'member',
        created: (body) => (ids.member = body.member.id),
        as: asAdmin,
        run: (token) =>
          t.request('POST', `${spacePath()}/members`, {
            token,
            body: { phone: MEMBER_C, name: 'Marta', groupIds: [ids.group] },
          }),
      },
      {
        op: 'updateMember',
        type: 'member',
        id: () => ids.member!,
        run: (token) =>
          t.request('PATCH', `/v1/members/${ids.member}`, {
            token,
            body: {
              access: {
                timeFrames: [
                  { days: ['mon', 'tue'], from: '18:00', to: '22:00' },
                ],
              },
            },
          }),
      },
      {
        op: 'deleteMember',
        type: 'member',
        id: () => ids.member!,
        run: (token) =>
          t.request('DELETE', `/v1/members/${ids.member}`, { token }),
      },
      {
        op: 'deleteGroup',
        type: 'group',
        id: () => ids.group!,
        as: asAdmin,
        run: (token) =>
          t.request('DELETE', `/v1/groups/${ids.group}`, { token }),
      },
      {
        op: 'deleteDoor',
        type: 'door',
        id: () => ids.door!,
        run: (token) => t.request('DELETE', `/v1/doors/${ids.door}`, { token }),
      },
      {
        op: 'deleteUnit',
        type: 'unit',
        id: () => ids.unit!,
        run: (token) => t.request('DELETE', `/v1/units/${ids.unit}`, { token }),
      },
      {
        op: 'updateAdmin',
        type: 'admin',
        id: () => ids.admin!,
        run: (token) =>
          t.request('PATCH', `${spacePath()}/admins/${ids.admin}`, {
            token,
            body: { role: 'viewer' },
          }),
      },
      {
        op: 'deleteAdmin',
        type: 'admin',
        id: () => ids.admin!,
        run: (token) =>
          t.request('DELETE', `${spacePath()}/admins/${ids.admin}`, { token }),
      },
      {
        op: 'createApiKey',
        type: 'api_key',
        created: (body) => (ids.apiKey = body.apiKey.id),
        run: (token) =>
          t.request('POST', `${spacePath()}/api-keys`, {
            token,
            body: { name: 'Booking tool', scopes: ['members:write'] },
          }),
      },
      {
        op: 'rotateApiKey',
        type: 'api_key',
        id: () => ids.apiKey!,
        run: (token) =>
          t.request('POST', `/v1/api-keys/${ids.apiKey}/rotate`, { token }),
      },
      {
        op: 'revokeApiKey',
        type: 'api_key',
        id: () => ids.apiKey!,
        run: (token) =>
          t.request('DELETE', `/v1/api-keys/${ids.apiKey}`, { token }),
      },
      {
        op: 'deleteSpace',
        type: 'space',
        id: () => spaceC,
        run: (token) => t.request('DELETE', spacePath(), { token }),
      },
    ];
    // Every admin action of the route table is exercised here.
    expect([...new Set(cases.map((c) => c.op))].sort()).toEqual(
      routes
        .filter(isAudited)
        .map((r) => r.operationId)
        .sort(),
    );

    for (const c of cases) {
      tick();
      const who = c.as?.() ?? owner;
      const known = c.id?.();
      const before = known ? await getObject(c.type, known, who.token) : null;
      const seen = spaceC ? (await stored(spaceC)).length : 0;
      const res = await c.run(who.token);
      expect([200, 201, 204], `${c.op}: ${JSON.stringify(res.body)}`).toContain(
        res.status,
      );
      const id = known ?? c.created!(res.body);
      const after = await getObject(c.type, id, who.token);
      // Read through the API while the space exists; the deleted space's stays in the database.
      const entries =
        c.op === 'deleteSpace' ? await stored(spaceC) : await trail(spaceC);
      expect(entries.length, c.op).toBe(seen + 1);
      const entry = entries[0]!;
      expect(entry, c.op).toEqual({
        id: expect.stringMatching(/^aud_/),
        at: clock.now().toISOString(),
        actor: {
          userId: who.userId,
          name: who.name,
          phone: who.phone,
          sessionId: who.sessionId,
          apiKeyId: null,
        },
        action: c.op,
        object: {
          type: c.type,
          id,
          name: expect.any(String),
        },
        before,
        after,
      });
      const shown = (after ?? before) as Record<string, string | null>;
      expect(entry.object.name, c.op).toBe(shown.name ?? shown.phone);
      if (c.op.startsWith('create')) expect(entry.before, c.op).toBeNull();
      if (/^(delete|revoke)/.test(c.op)) expect(entry.after, c.op).toBeNull();
      else expect(entry.after, c.op).not.toBeNull();
      // After the admin joined: she acts from her own session.
      if (c.op === 'createAdmin') admin = await actor(await t.login(ADMIN_C));
    }
    const all = await stored(spaceC);
    expect(all.map((e) => e.action).reverse()).toEqual(cases.map((c) => c.op));
    // Before and after tell the change: the update's fields, the lockdown, the new schedule.
    const byOp = (op: string) => all.find((e) => e.action === op)!;
    expect(byOp('updateSpace').before).toMatchObject({
      name: 'Audited',
      lockdown: false,
      role: 'owner',
    });
    expect(byOp('updateSpace').after).toMatchObject({
      name: 'Audited HQ',
      geofenceMeters: 150,
      lockdown: true,
    });
    expect(byOp('updateMember').before).toMatchObject({ access: null });
    expect(byOp('updateMember').after).toMatchObject({
      access: { timeFrames: [{ days: ['mon', 'tue'] }] },
    });
    expect(byOp('updateAdmin').after).toMatchObject({ role: 'viewer' });
    // The access log still has its admin.change events beside the trail.
    const events = expectStatus(
      await t.request(
        'GET',
        `/v1/spaces/${a.space.id}/events?type=admin.change&limit=1000`,
        { token: a.owner },
      ),
      200,
    ).events;
    expect(events.length).toBeGreaterThan(0);
  });

  it('a refused, invalid or failed call leaves no entry; nor do login, profile, sessions or opening a door', async () => {
    const before = await trail(a.space.id);
    const viewer = await (async () => {
      expectStatus(
        await t.request('POST', `/v1/spaces/${a.space.id}/admins`, {
          token: a.owner,
          body: { phone: PHONES.viewer, role: 'viewer' },
        }),
        201,
      );
      return t.login(PHONES.viewer);
    })();
    const member = await (async () => {
      expectStatus(
        await t.request('POST', `/v1/spaces/${a.space.id}/members`, {
          token: a.owner,
          body: { phone: PHONES.member, groupIds: [a.group.id] },
        }),
        201,
      );
      return t.login(PHONES.member);
    })();
    const withTwo = await trail(a.space.id);
    expect(withTwo.slice(0, 2).map((e) => e.action)).toEqual([
      'createMember',
      'createAdmin',
    ]);
    expect(withTwo.slice(2)).toEqual(before);

    const refused: [ApiResponse, number][] = [
      // 409: the relay drives a door already; 400: invalid body; 403 viewer; 404 stranger.
      [
        await t.request('POST', `/v1/spaces/${a.space.id}/doors`, {
          token: a.owner,
          body: { name: 'Twin', unitId: a.unit.id, relay: 1 },
        }),
        409,
      ],
      [
        await t.request('PATCH', `/v1/doors/${a.door.id}`, {
          token: a.owner,
          body: { relay: 9 },
        }),
        400,
      ],
      [
        await t.request('PATCH', `/v1/doors/${a.door.id}`, {
          token: viewer,
          body: { name: 'Nope' },
        }),
        403,
      ],
      [
        await t.request('DELETE', `/v1/doors/${a.door.id}`, {
          token: b.owner,
        }),
        404,
      ],
      [
        await t.request('DELETE', `/v1/spaces/${a.space.id}/admins/usr_none`, {
          token: a.owner,
        }),
        404,
      ],
      // Not admin actions: the caller's own profile and session, and an open (the access log).
      [
        await t.request('PATCH', '/v1/me', {
          token: a.owner,
          body: { name: 'Olga Owner' },
        }),
        200,
      ],
      [
        await t.request('POST', `/v1/doors/${a.door.id}/open`, {
          token: member,
        }),
        503, // no unit connected: unit_offline, in the access log only
      ],
      [await t.request('POST', '/v1/auth/logout', { token: member }), 204],
    ];
    expect(refused.map(([r]) => r.status)).toEqual(refused.map(([, s]) => s));
    expect(await trail(a.space.id)).toEqual(withTwo);
  });

  it('an admin action whose transaction writes no audit entry, or two, is rolled back', async () => {
    const ctx = t.server.ctx;
    const request = (operationId: string) => ({
      operationId,
      userId: owner.userId,
      sessionId: owner.sessionId,
      audited: true,
      audits: 0,
    });
    const rename = (tx: Tx, name: string) =>
      tx.db
        .updateTable('doors')
        .set({ name })
        .where('id', '=', a.door.id)
        .execute();
    const before = await trail(a.space.id);
    await expect(
      inTransaction({ ...ctx, request: request('forgetful') }, async (tx) => {
        await rename(tx, 'Forgotten');
      }),
    ).rejects.toThrow(/exactly one audit entry/);
    await expect(
      inTransaction({ ...ctx, request: request('twice') }, async (tx) => {
        await tx.audit(a.space.id, { type: 'door', id: a.door.id });
        await tx.audit(a.space.id, { type: 'door', id: a.door.id });
        await rename(tx, 'Twice');
      }),
    ).rejects.toThrow(/exactly one audit entry/);
    // A route that is no admin action may not write one either.
    await expect(
      inTransaction(
        { ...ctx, request: { ...request('openDoor'), audited: false } },
        (tx) => tx.audit(a.space.id, { type: 'door', id: a.door.id }),
      ),
    ).rejects.toThrow(/not an admin action/);
    const door = expectStatus(
      await t.request('GET', `/v1/doors/${a.door.id}`, { token: a.owner }),
      200,
    ).door;
    expect(door.name).toBe('Front gate');
    expect(await trail(a.space.id)).toEqual(before);
  });

  it('owners and admins read it; a viewer or a member of the space gets 403, another space’s admin 404, no token 401', async () => {
    const space = `/v1/spaces/${a.space.id}`;
    const adminA = await (async () => {
      expectStatus(
        await t.request('POST', `${space}/admins`, {
          token: a.owner,
          body: { phone: PHONES.admin, role: 'admin' },
        }),
        201,
      );
      return t.login(PHONES.admin);
    })();
    const viewer = await t.login(PHONES.viewer);
    const member = await t.login(PHONES.member);
    for (const token of [a.owner, adminA]) {
      AuditResponse.parse(
        expectStatus(await t.request('GET', `${space}/audit`, { token }), 200),
      );
      const csv = await fetch(`${t.url}${space}/audit.csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(csv.status).toBe(200);
    }
    for (const path of [`${space}/audit`, `${space}/audit.csv`]) {
      expectError(
        await t.request('GET', path, { token: viewer }),
        403,
        'forbidden',
        path,
      );
      expectError(
        await t.request('GET', path, { token: member }),
        403,
        'forbidden',
        path,
      );
      // B's owner: exactly the answer for a space that does not exist.
      const foreign = expectError(
        await t.request('GET', path, { token: b.owner }),
        404,
        'not_found',
        path,
      );
      const missing = expectError(
        await t.request('GET', path.replace(a.space.id, 'sp_missing'), {
          token: b.owner,
        }),
        404,
        'not_found',
      );
      expect(foreign.body).toEqual(missing.body);
      expectError(await t.request('GET', path), 401, 'unauthorized');
    }
    // And a space's trail holds that space's actions only.
    const trailB = await trail(b.space.id, b.owner);
    const bOwner = await actor(b.owner);
    expect(trailB.every((e) => e.actor.userId === bOwner.userId)).toBe(true);
    expect(
      JSON.stringify(trailB).includes(a.space.id) ||
        JSON.stringify(await trail(a.space.id)).includes(b.space.id),
    ).toBe(false);
  });

  it('no route changes or deletes an entry: the API has only the two GETs, and the database refuses an UPDATE', async () => {
    const auditRoutes = routes.filter((r) => r.path.includes('/audit'));
    expect(auditRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /v1/spaces/{spaceId}/audit',
      'GET /v1/spaces/{spaceId}/audit.csv',
    ]);
    const openapi = expectStatus(await t.request('GET', '/openapi.json'), 200);
    for (const [path, ops] of Object.entries(openapi.paths))
      if (path.includes('audit'))
        expect(Object.keys(ops as object), path).toEqual(['get']);
    const before = await trail(a.space.id);
    const entry = before[0]!;
    const space = `/v1/spaces/${a.space.id}`;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      for (const path of [
        `${space}/audit`,
        `${space}/audit/${entry.id}`,
        `${space}/audit.csv`,
        `/v1/audit/${entry.id}`,
      ]) {
        const res = await t.request(method, path, {
          token: a.owner,
          body: { action: 'forged', before: null },
        });
        expect([404, 405], `${method} ${path}`).toContain(res.status);
      }
    // Writing the objects again adds entries; it never rewrites an old one.
    expectStatus(
      await t.request('PATCH', `/v1/doors/${a.door.id}`, {
        token: a.owner,
        body: { name: 'Front gate' },
      }),
      200,
    );
    const after = await trail(a.space.id);
    expect(after.slice(1)).toEqual(before);
    await expect(
      t.server.ctx.db
        .updateTable('audit_log')
        .set({ action: 'forged' })
        .where('id', '=', entry.id)
        .execute(),
    ).rejects.toThrow(/append-only/);
    expect(await trail(a.space.id)).toEqual(after);
  });

  it('filters by actor, object type and time, pages newest first by cursor', async () => {
    const space = `/v1/spaces/${a.space.id}`;
    const adminA = await actor(await t.login(PHONES.admin));
    tick();
    const from = clock.now().toISOString();
    for (const [token, name] of [
      [a.owner, 'Filter 1'],
      [adminA.token, 'Filter 2'],
      [a.owner, 'Filter 3'],
    ] as const) {
      tick();
      expectStatus(
        await t.request('PATCH', `/v1/groups/${a.group.id}`, {
          token,
          body: { name },
        }),
        200,
      );
    }
    tick();
    expectStatus(
      await t.request('PATCH', `/v1/doors/${a.door2.id}`, {
        token: adminA.token,
        body: { name: 'Garage door' },
      }),
      200,
    );
    const until = clock.now().toISOString();
    tick();
    expectStatus(
      await t.request('PATCH', space, {
        token: a.owner,
        body: { name: 'A' },
      }),
      200,
    );
    const all = await trail(a.space.id);
    // Newest first, by time.
    expect(all.map((e) => e.at)).toEqual(
      [...all.map((e) => e.at)].sort().reverse(),
    );

    const byActor = await trail(a.space.id, a.owner, `&actor=${adminA.userId}`);
    expect(byActor.map((e) => [e.action, e.object.name])).toEqual([
      ['updateDoor', 'Garage door'],
      ['updateGroup', 'Filter 2'],
    ]);
    expect(byActor.every((e) => e.actor.sessionId === adminA.sessionId)).toBe(
      true,
    );
    const groups = await trail(a.space.id, a.owner, '&objectType=group');
    expect(groups.length).toBeGreaterThanOrEqual(4);
    expect(groups.every((e) => e.object.type === 'group')).toBe(true);
    expect(groups).toEqual(all.filter((e) => e.object.type === 'group'));
    const window = await trail(
      a.space.id,
      a.owner,
      `&from=${encodeURIComponent(from)}&until=${encodeURIComponent(until)}`,
    );
    expect(window.map((e) => e.object.name)).toEqual([
      'Garage door',
      'Filter 3',
      'Filter 2',
      'Filter 1',
    ]);
    // Filters combine; an offset in the query is the same instant.
    const withOffset = new Date(Date.parse(from) + 2 * 3_600_000)
      .toISOString()
      .replace('Z', '+02:00');
    const combined = await trail(
      a.space.id,
      a.owner,
      `&from=${encodeURIComponent(withOffset)}&objectType=group&actor=${owner.userId}`,
    );
    expect(combined.map((e) => e.object.name)).toEqual([
      'Filter 3',
      'Filter 1',
    ]);

    // Pages of 2 walk the whole trail once, newest first, then nextCursor is null.
    const walked: AuditEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const body = expectStatus(
        await t.request('GET', `${space}/audit?${q}`, { token: a.owner }),
        200,
      );
      expect(body.entries.length).toBeLessThanOrEqual(2);
      walked.push(...body.entries);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(walked).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    const first = expectStatus(
      await t.request('GET', `${space}/audit`, { token: a.owner }),
      200,
    );
    expect(first.entries).toEqual(all.slice(0, 50));

    for (const bad of [
      'cursor=abc',
      'limit=0',
      'limit=201',
      'objectType=planet',
      'from=yesterday',
      `actor=${'x'.repeat(65)}`,
    ])
      expectError(
        await t.request('GET', `${space}/audit?${bad}`, { token: a.owner }),
        400,
        'invalid_request',
        bad,
      );
  });

  it('exports CSV: a header row, one quoted row per entry, formula cells neutralized, the same filters', async () => {
    const space = `/v1/spaces/${a.space.id}`;
    tick();
    const evil = '=HYPERLINK("http://evil.example","click"), ok';
    const created = expectStatus(
      await t.request('POST', `${space}/members`, {
        token: a.owner,
        body: { phone: '+34600000301', name: evil, groupIds: [] },
      }),
      201,
    ).member;
    const get = async (q = '') => {
      const res = await fetch(`${t.url}${space}/audit.csv${q}`, {
        headers: { authorization: `Bearer ${a.owner}` },
      });
      expect(res.status).toBe(200);
      return { res, rows: parseCsv(await res.text()) };
    };
    const { res, rows } = await get();
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-.*\.csv"$/,
    );
    expect(res.headers.get('keyway-next-cursor')).toBeNull();
    const all = await trail(a.space.id);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows.length).toBe(all.length + 1);
    const col = (name: (typeof AUDIT_CSV_COLUMNS)[number]) =>
      AUDIT_CSV_COLUMNS.indexOf(name);
    expect(rows.slice(1).map((r) => r[col('id')])).toEqual(
      all.map((e) => e.id),
    );
    for (const [i, e] of all.entries()) {
      const r = rows[i + 1]!;
      expect(r.length).toBe(AUDIT_CSV_COLUMNS.length);
      expect(r[col('action')]).toBe(e.action);
      expect(r[col('at')]).toBe(e.at);
      expect(r[col('actor_user_id')]).toBe(e.actor.userId);
      expect(r[col('session_id')]).toBe(e.actor.sessionId);
      // A phone number is a plain number, not a formula: it stays as it is.
      expect(r[col('actor_phone')]).toBe(e.actor.phone);
      expect(r[col('after')]).toBe(e.after ? JSON.stringify(e.after) : '');
      expect(r[col('before')]).toBe(e.before ? JSON.stringify(e.before) : '');
    }
    const row = rows.find((r) => r[col('object_id')] === created.id)!;
    expect(row[col('object_name')]).toBe(`'${evil}`);
    expect(row[col('action')]).toBe('createMember');
    // The JSON cells start with `{`, so they are kept whole (and parse back).
    expect(JSON.parse(row[col('after')]!)).toMatchObject({ name: evil });

    const members = await get('?objectType=member');
    expect(members.rows.slice(1).map((r) => r[col('object_type')])).toEqual(
      all.filter((e) => e.object.type === 'member').map(() => 'member'),
    );
    const limited = await get('?limit=3');
    expect(limited.rows.length).toBe(4);
    const rest = limited.res.headers.get('keyway-next-cursor');
    expect(rest).toMatch(/^\d+$/);
    const next = await get(`?cursor=${rest}`);
    expect(
      [...limited.rows.slice(1), ...next.rows.slice(1)].map(
        (r) => r[col('id')],
      ),
    ).toEqual(all.map((e) => e.id));
  });

  it('retention: the retention job prunes entries older than KEYWAY_AUDIT_RETENTION_DAYS, newer ones stay', async () => {
    expect(t.server.ctx.config.auditRetentionDays).toBe(365);
    const old = await trail(a.space.id);
    expect(old.length).toBeGreaterThan(5);
    // 300 days on: nothing is old enough yet.
    clock.advance(300 * 86_400_000);
    expectStatus(
      await t.request('PATCH', `/v1/groups/${a.group.id}`, {
        token: a.owner,
        body: { name: 'Later' },
      }),
      200,
    );
    await t.server.ctx.sync!.compact();
    expect((await trail(a.space.id)).length).toBe(old.length + 1);
    // 400 days after the first entries: they go, the later one stays.
    clock.advance(100 * 86_400_000);
    await t.server.ctx.sync!.compact();
    const kept = await trail(a.space.id);
    expect(kept.map((e) => e.object.name)).toEqual(['Later']);
    // B's trail too (the job prunes every space), and the deleted space's.
    expect(await trail(b.space.id, b.owner)).toEqual([]);
    expect(await stored(spaceC)).toEqual([]);
  });
});
