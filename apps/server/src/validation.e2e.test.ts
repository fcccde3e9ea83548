import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from './routes';
import { checkedRequest, expectError, snapshotSpace } from './test/endpoints';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';

const BODY_LIMIT = 2048;

describe('input validation and error shapes', () => {
  let t: TestServer;
  let req: TestServer['request'];
  let a: Awaited<ReturnType<typeof buildSpace>>;
  let b: Awaited<ReturnType<typeof buildSpace>>;
  let memberId: string;

  const fields = (res: { body: any }) =>
    res.body.error.details.map((d: { field: string }) => d.field);
  const snapshotA = () => snapshotSpace(t, a.owner, a.space.id);

  beforeAll(async () => {
    t = await TestServer.start({
      env: { KEYWAY_BODY_LIMIT: String(BODY_LIMIT) },
    });
    req = checkedRequest(t);
    a = await buildSpace(t, PHONES.owner, 'A');
    b = await buildSpace(t, '+34600000101', 'B');
    memberId = expectStatus(
      await t.request('POST', `/v1/spaces/${a.space.id}/members`, {
        token: a.owner,
        body: { phone: PHONES.member, groupIds: [a.group.id] },
      }),
      201,
    ).member.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('malformed JSON is 400 invalid_json', async () => {
    for (const raw of [
      '{"name":',
      '{name: "x"}',
      "{'name': 'x'}",
      '{"name": "x",}',
    ]) {
      expectError(
        await req('POST', '/v1/spaces', { token: a.owner, raw }),
        400,
        'invalid_json',
        raw,
      );
    }
  });

  it('wrong types and values are 400 invalid_request whose details name each bad field', async () => {
    const doors = `/v1/spaces/${a.space.id}/doors`;
    const members = `/v1/spaces/${a.space.id}/members`;
    const door = { name: 'Side', unitId: a.unit.id, relay: 4 };
    const frame = { days: ['mon'], from: '18:00', to: '22:00' };
    const member = (f: object) => ({
      phone: '+34611000001',
      access: { timeFrames: [{ ...frame, ...f }] },
    });
    const cases: [string, string, unknown, string[]][] = [
      ['POST', doors, { ...door, relay: '1' }, ['relay']],
      ['POST', doors, { ...door, relay: 5 }, ['relay']],
      ['POST', doors, { ...door, relay: 0 }, ['relay']],
      ['POST', doors, { ...door, relay: 1.5 }, ['relay']],
      ['POST', doors, { ...door, pulseMs: -1 }, ['pulseMs']],
      ['POST', doors, { ...door, sensor: 'yes' }, ['sensor']],
      ['POST', doors, { unitId: a.unit.id }, ['name', 'relay']],
      ['PATCH', `/v1/doors/${a.door.id}`, { relay: 9 }, ['relay']],
      [
        'POST',
        '/v1/spaces',
        { name: 'X', timezone: 'Mars/Base' },
        ['timezone'],
      ],
      [
        'POST',
        '/v1/spaces',
        { name: 'X', timezone: 'UTC', location: { lat: 200, lon: 0 } },
        ['location.lat'],
      ],
      ['POST', '/v1/spaces', { name: '', timezone: 'UTC' }, ['name']],
      [
        'PATCH',
        `/v1/spaces/${a.space.id}`,
        { geofenceMeters: 0, lockdown: 'on' },
        ['geofenceMeters', 'lockdown'],
      ],
      [
        'POST',
        members,
        member({ from: '25:00' }),
        ['access.timeFrames.0.from'],
      ],
      ['POST', members, member({ to: '9:00' }), ['access.timeFrames.0.to']],
      [
        'POST',
        members,
        member({ days: ['mon', 'xyz'] }),
        ['access.timeFrames.0.days.1'],
      ],
      ['POST', members, member({ days: [] }), ['access.timeFrames.0.days']],
      [
        'POST',
        members,
        {
          phone: '+34611000001',
          access: { timeFrames: [], validFrom: 'tomorrow' },
        },
        ['access.validFrom'],
      ],
      [
        'POST',
        members,
        { phone: '+34611000001', groupIds: 'all' },
        ['groupIds'],
      ],
      [
        'PATCH',
        `/v1/members/${memberId}`,
        { geofenceMeters: -5 },
        ['geofenceMeters'],
      ],
      [
        'POST',
        `/v1/spaces/${a.space.id}/groups`,
        { name: 'G', doorIds: [42] },
        ['doorIds.0'],
      ],
      [
        'POST',
        `/v1/spaces/${a.space.id}/admins`,
        { phone: '+34611000002', role: 'god' },
        ['role'],
      ],
      [
        'POST',
        `/v1/doors/${a.door.id}/open`,
        { location: { lat: 41, lon: 999 } },
        ['location.lon'],
      ],
      [
        'POST',
        '/v1/auth/verify',
        { phone: '+34611000003', code: '12ab56' },
        ['code'],
      ],
      ['POST', '/v1/spaces', [], ['body']],
      ['POST', '/v1/spaces', 'a string', ['body']],
      ['POST', '/v1/spaces', null, ['body']],
    ];
    const before = await snapshotA();
    for (const [method, path, body, want] of cases) {
      const label = `${method} ${path} ${JSON.stringify(body)}`;
      const res = expectError(
        await req(method, path, { token: a.owner, raw: JSON.stringify(body) }),
        400,
        'invalid_request',
        label,
      );
      expect(fields(res).sort(), label).toEqual(want);
      for (const d of res.body.error.details)
        expect(d.message, label).toEqual(expect.any(String));
    }
    expect(await snapshotA()).toEqual(before);
  });

  it('bad query values are 400 invalid_request naming the parameter', async () => {
    const events = `/v1/spaces/${a.space.id}/events`;
    const cases: [string, string][] = [
      [`/v1/doors/${a.door.id}/state?at=yesterday`, 'at'],
      [`${events}?limit=0`, 'limit'],
      [`${events}?limit=lots`, 'limit'],
      [`${events}?type=door.smashed`, 'type'],
      [`${events}?from=2027-13-01T00:00:00Z`, 'from'],
      [`${events}?cursor=abc`, 'cursor'],
      [`${events}?cursor=99999999999999999999999999`, 'cursor'],
    ];
    for (const [path, field] of cases) {
      const res = expectError(
        await req('GET', path, { token: a.owner }),
        400,
        'invalid_request',
        path,
      );
      expect(fields(res), path).toEqual([field]);
    }
  });

  it('text PostgreSQL cannot store (U+0000) is 400 invalid_request, never 500', async () => {
    const before = await snapshotA();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/spaces', { name: 'a\u0000b', timezone: 'UTC' }, 'name'],
      ['POST', `/v1/spaces/${a.space.id}/units`, { name: '\u0000' }, 'name'],
      [
        'POST',
        `/v1/spaces/${a.space.id}/members`,
        { phone: '+34611000004', name: 'Eve\u0000', groupIds: [] },
        'name',
      ],
      [
        'PATCH',
        `/v1/groups/${a.group.id}`,
        { doorIds: [`${a.door.id}\u0000`] },
        'doorIds.0',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = expectError(
        await req(method, path, { token: a.owner, body }),
        400,
        'invalid_request',
        path,
      );
      expect(fields(res), path).toEqual([field]);
    }
    for (const path of [
      `/v1/doors/%00`,
      `/v1/doors/x%00/state`,
      `/v1/spaces/${a.space.id}/events?doorId=%00`,
    ]) {
      const res = expectError(
        await req('GET', path, { token: a.owner }),
        400,
        'invalid_request',
        path,
      );
      expect(fields(res), path).toEqual(['doorId']);
    }
    expect(await snapshotA()).toEqual(before);
  });

  it('a body over KEYWAY_BODY_LIMIT is 413 payload_too_large', async () => {
    const body = { name: 'x'.repeat(BODY_LIMIT), timezone: 'UTC' };
    expectError(
      await req('POST', '/v1/spaces', { token: a.owner, body }),
      413,
      'payload_too_large',
    );
    const spaces = expectStatus(
      await t.request('GET', '/v1/spaces', { token: a.owner }),
      200,
    ).spaces;
    expect(spaces.map((s: { name: string }) => s.name)).toEqual(['A']);
  });

  it('a body that is not JSON is refused with a stable code, never 500', async () => {
    const raw = '{"name":"x","timezone":"UTC"}';
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'image/png',
    ]) {
      const res = await req('POST', '/v1/spaces', {
        token: a.owner,
        raw,
        headers: { 'content-type': type },
      });
      expect([400, 415], type).toContain(res.status);
      expect(['invalid_request', 'unsupported_media_type'], type).toContain(
        res.body.error.code,
      );
    }
    expectError(
      await req('POST', '/v1/spaces', {
        token: a.owner,
        raw: 'a=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported_media_type',
    );
    const charset = { 'content-type': 'application/json; charset=utf-8' };
    expectStatus(
      await req('POST', '/v1/spaces', {
        token: a.owner,
        raw,
        headers: charset,
      }),
      201,
    );
  });

  it('an unknown route is 404 route_not_found, with or without a token; a malformed URL is 400', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['GET', '/v2/spaces'],
      ['PUT', '/v1/nope'],
      ['POST', `/v1/doors/${a.door.id}/close`],
    ] as const) {
      expectError(
        await req(method, path, { token: a.owner }),
        404,
        'route_not_found',
        path,
      );
      expectError(await req(method, path), 404, 'route_not_found', path);
    }
    expectError(
      await req('GET', '/v1/spaces/%E0%A4%A', { token: a.owner }),
      400,
      'invalid_request',
    );
    expectError(
      await req('GET', `/v1/doors/${'x'.repeat(500)}`, { token: a.owner }),
      400,
      'invalid_request',
    );
  });

  it('a relay already used on the unit is 409 relay_in_use; the same relay on another unit is fine', async () => {
    const before = await snapshotA();
    const doors = `/v1/spaces/${a.space.id}/doors`;
    const created = await req('POST', doors, {
      token: a.owner,
      body: { name: 'Twin', unitId: a.unit.id, relay: 1 },
    });
    expect(fields(expectError(created, 409, 'relay_in_use'))).toEqual([
      'relay',
    ]);
    const moved = await req('PATCH', `/v1/doors/${a.door2.id}`, {
      token: a.owner,
      body: { relay: 1, name: 'X' },
    });
    expectError(moved, 409, 'relay_in_use');
    expect(await snapshotA()).toEqual(before);
    const unit = expectStatus(
      await req('POST', `/v1/spaces/${a.space.id}/units`, {
        token: a.owner,
        body: { name: 'Second' },
      }),
      201,
    ).unit;
    expectStatus(
      await req('POST', doors, {
        token: a.owner,
        body: { name: 'B1', unitId: unit.id, relay: 1 },
      }),
      201,
    );
  });

  it('adding the same member phone twice, in any format, is 409 conflict', async () => {
    const before = await snapshotA();
    for (const phone of [PHONES.member, '+34 600 00 00 04', '0034600000004']) {
      const res = await req('POST', `/v1/spaces/${a.space.id}/members`, {
        token: a.owner,
        body: { phone, groupIds: [] },
      });
      expectError(res, 409, 'conflict', phone);
    }
    expect(await snapshotA()).toEqual(before);
  });

  it('a failed write leaves nothing half-written', async () => {
    const before = await snapshotA();
    const both = [a.door.id, b.door.id];
    const cases: [string, string, unknown][] = [
      [
        'POST',
        `/v1/spaces/${a.space.id}/groups`,
        { name: 'Half', doorIds: both },
      ],
      [
        'PATCH',
        `/v1/groups/${a.group.id}`,
        { name: 'Half', doorIds: both, geofenceMeters: 50 },
      ],
      [
        'POST',
        `/v1/spaces/${a.space.id}/members`,
        { phone: '+34611000005', groupIds: [a.group.id, b.group.id] },
      ],
      [
        'PATCH',
        `/v1/members/${memberId}`,
        { name: 'Half', access: null, groupIds: [a.group.id, b.group.id] },
      ],
      [
        'PATCH',
        `/v1/doors/${a.door.id}`,
        { name: 'Half', pulseMs: 900, unitId: b.unit.id },
      ],
    ];
    for (const [method, path, body] of cases) {
      expectError(
        await req(method, path, { token: a.owner, body }),
        400,
        'invalid_request',
        path,
      );
    }
    expect(await snapshotA()).toEqual(before);
    // The phone refused above was not left behind as a member anywhere.
    const members = expectStatus(
      await req('GET', `/v1/spaces/${a.space.id}/members`, { token: a.owner }),
      200,
    );
    expect(
      members.members.map((m: { phone: string }) => m.phone),
    ).not.toContain('+34611000005');
  });

  it('GET /openapi.json is OpenAPI 3.1.0 with every route, its method and its request body schema', async () => {
    const doc = expectStatus(await req('GET', '/openapi.json'), 200);
    expect(doc.openapi).toBe('3.1.0');
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(Boolean(op.requestBody), `${r.method} ${r.path} requestBody`).toBe(
        Boolean(r.body),
      );
    }
    // Request bodies are named components (http/openapi.unit.test.ts checks the rest).
    const deref = (s: { $ref: string }) =>
      doc.components.schemas[s.$ref.replace('#/components/schemas/', '')];
    const body = deref(
      doc.paths['/v1/spaces/{spaceId}/doors'].post.requestBody.content[
        'application/json'
      ].schema,
    );
    expect(deref(body.properties.relay)).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 4,
    });
    expect(body.required).toEqual(
      expect.arrayContaining(['name', 'unitId', 'relay']),
    );
    const member = deref(
      doc.paths['/v1/spaces/{spaceId}/members'].post.requestBody.content[
        'application/json'
      ].schema,
    );
    expect(member.properties).toHaveProperty('access');
    expect(
      doc.paths['/v1/spaces/{spaceId}/events'].get.parameters.map(
        (p: { name: string }) => p.name,
      ),
    ).toEqual(expect.arrayContaining(['spaceId', 'doorId', 'limit', 'cursor']));
    // Every success names the Server-Timing header, described once.
    expect(
      doc.paths['/v1/doors/{doorId}'].patch.responses['200'].headers,
    ).toEqual({
      'Server-Timing': { $ref: '#/components/headers/ServerTiming' },
    });
    expect(doc.components.headers.ServerTiming.schema.type).toBe('string');
  });
});
