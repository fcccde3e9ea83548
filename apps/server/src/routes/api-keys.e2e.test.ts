import { createHash } from 'node:crypto';
import { API_SCOPES, type ApiScope } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock } from '../clock';
import {
  call,
  ENDPOINTS,
  type Endpoint,
  expectError,
  fill,
  type Ids,
  routeKey,
  snapshotSpace,
} from '../test/endpoints';
import { buildSpace, PHONES } from '../test/fixtures';
import { expectStatus, TestServer } from '../test/harness';
import { routes } from '.';

const OWNER_B = '+34600000101';

/** The scope each route needs, written out once more: a route that changes its scope fails here. */
const SCOPE_OF: Record<string, ApiScope> = {
  'GET /v1/spaces/{spaceId}': 'spaces:read',
  'PATCH /v1/spaces/{spaceId}': 'spaces:write',
  'POST /v1/spaces/{spaceId}/units': 'units:write',
  'GET /v1/spaces/{spaceId}/units': 'units:read',
  'GET /v1/units/{unitId}': 'units:read',
  'PATCH /v1/units/{unitId}': 'units:write',
  'POST /v1/units/{unitId}/credentials': 'units:write',
  'DELETE /v1/units/{unitId}': 'units:write',
  'POST /v1/spaces/{spaceId}/doors': 'doors:write',
  'GET /v1/spaces/{spaceId}/doors': 'doors:read',
  'GET /v1/doors/{doorId}': 'doors:read',
  'PATCH /v1/doors/{doorId}': 'doors:write',
  'DELETE /v1/doors/{doorId}': 'doors:write',
  'GET /v1/doors/{doorId}/state': 'doors:read',
  'POST /v1/doors/{doorId}/open': 'doors:open',
  'POST /v1/spaces/{spaceId}/groups': 'groups:write',
  'GET /v1/spaces/{spaceId}/groups': 'groups:read',
  'GET /v1/groups/{groupId}': 'groups:read',
  'PATCH /v1/groups/{groupId}': 'groups:write',
  'DELETE /v1/groups/{groupId}': 'groups:write',
  'POST /v1/spaces/{spaceId}/members': 'members:write',
  'GET /v1/spaces/{spaceId}/members': 'members:read',
  'GET /v1/members/{memberId}': 'members:read',
  'PATCH /v1/members/{memberId}': 'members:write',
  'DELETE /v1/members/{memberId}': 'members:write',
  'GET /v1/spaces/{spaceId}/events': 'events:read',
  'GET /v1/spaces/{spaceId}/receipts': 'members:read',
  'GET /v1/spaces/{spaceId}/audit': 'audit:read',
  'GET /v1/spaces/{spaceId}/audit.csv': 'audit:read',
};
const MISSING = {
  unitId: 'unit_missing',
  doorId: 'door_missing',
  groupId: 'grp_missing',
  memberId: 'mem_missing',
};

describe('API keys: one space, its scopes, nothing more', () => {
  const clock = new ManualClock(Date.parse('2027-05-03T08:00:00.000Z'));
  let t: TestServer;
  let a: Awaited<ReturnType<typeof buildSpace>>;
  let b: Awaited<ReturnType<typeof buildSpace>>;
  let ids: Ids;
  const keys = new Map<ApiScope, string>();
  let allOfB = '';

  const createKey = async (
    token: string,
    spaceId: string,
    body: Record<string, unknown>,
  ) =>
    expectStatus(
      await t.request('POST', `/v1/spaces/${spaceId}/api-keys`, {
        token,
        body,
      }),
      201,
    );
  const snapshotA = () => snapshotSpace(t, a.owner, a.space.id);

  beforeAll(async () => {
    t = await TestServer.start({
      clock,
      config: { apiKeyRequestsPerMinute: 1_000_000 },
    });
    a = await buildSpace(t, PHONES.owner, 'A');
    b = await buildSpace(t, OWNER_B, 'B');
    for (const scope of API_SCOPES) {
      const made = await createKey(a.owner, a.space.id, {
        name: `only ${scope}`,
        scopes: [scope],
      });
      keys.set(scope, made.secret);
    }
    allOfB = (
      await createKey(b.owner, b.space.id, {
        name: 'everything of B',
        scopes: [...API_SCOPES],
      })
    ).secret;
    const me = expectStatus(
      await t.request('GET', '/v1/me', { token: a.owner }),
      200,
    );
    const member = expectStatus(
      await t.request('POST', `/v1/spaces/${a.space.id}/members`, {
        token: a.owner,
        body: { phone: PHONES.member, groupIds: [a.group.id] },
      }),
      201,
    ).member;
    ids = {
      spaceId: a.space.id,
      unitId: a.unit.id,
      doorId: a.door.id,
      groupId: a.group.id,
      memberId: member.id,
      userId: me.user.id,
      sessionId: me.sessions[0].id,
      keyId: 'key_unused',
    };
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the scope table names every route a key may call, and those routes only', () => {
    const scoped = routes.filter((r) => r.scope).map(routeKey);
    expect(scoped.sort()).toEqual(Object.keys(SCOPE_OF).sort());
    for (const r of routes.filter((r) => r.scope))
      expect(r.scope, routeKey(r)).toBe(SCOPE_OF[routeKey(r)]);
  });

  it('a key of any other scope gets 403 insufficient_scope on every route, and nothing changes', async () => {
    const before = await snapshotA();
    for (const ep of ENDPOINTS.filter((ep) => ep.access !== 'public')) {
      for (const [scope, secret] of keys) {
        if (SCOPE_OF[routeKey(ep)] === scope) continue;
        expectError(
          await call(t, ep, ids, secret),
          403,
          'insufficient_scope',
          `${routeKey(ep)} with ${scope}`,
        );
      }
    }
    expect(await snapshotA()).toEqual(before);
  });

  it('the key with a route’s scope is let through: reads answer, writes reach the object (404 for one that does not exist)', async () => {
    const writes: Endpoint[] = [];
    for (const ep of ENDPOINTS) {
      const scope = SCOPE_OF[routeKey(ep)];
      if (!scope) continue;
      const secret = keys.get(scope)!;
      if (ep.method === 'GET') {
        // By status alone: the audit export answers CSV.
        const res = await fetch(`${t.url}${fill(ep.path, ids)}`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        expect(res.status, routeKey(ep)).toBe(200);
      } else if (/\{(unitId|doorId|groupId|memberId)\}/.test(ep.path)) {
        // Against ids that do not exist: the scope let it through to the policy, which found nothing.
        expectError(
          await call(t, ep, { ...ids, ...MISSING }, secret),
          404,
          'not_found',
          routeKey(ep),
        );
      } else writes.push(ep);
    }
    // The space's own writes (create a unit, door, group, member; change the space) succeed.
    for (const ep of writes) {
      const res = await call(t, ep, ids, keys.get(SCOPE_OF[routeKey(ep)]!)!);
      expect(
        [200, 201],
        `${routeKey(ep)}: ${JSON.stringify(res.body)}`,
      ).toContain(res.status);
    }
  });

  it('another space’s key, with every scope, gets 404 for every object of A, and nothing changes', async () => {
    const before = await snapshotA();
    for (const ep of ENDPOINTS.filter((ep) => SCOPE_OF[routeKey(ep)])) {
      expectError(
        await call(t, ep, ids, allOfB),
        404,
        'not_found',
        routeKey(ep),
      );
    }
    // And its own space works.
    expectStatus(
      await t.request('GET', `/v1/spaces/${b.space.id}/doors`, {
        token: allOfB,
      }),
      200,
    );
    expect(await snapshotA()).toEqual(before);
  });

  it('the secret is shown once and stored only as its hash; lists never show it; last use is kept', async () => {
    const made = await createKey(a.owner, a.space.id, {
      name: 'Exporter',
      scopes: ['events:read'],
    });
    expect(made.secret).toMatch(/^kw_[A-Za-z0-9_-]{43}$/);
    expect(made.apiKey).toMatchObject({
      name: 'Exporter',
      scopes: ['events:read'],
      prefix: made.secret.slice(0, 7),
      lastUsedAt: null,
    });
    const row = await t.server.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', made.apiKey.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(
      createHash('sha256').update(made.secret).digest('hex'),
    );
    expect(JSON.stringify(row)).not.toContain(made.secret.slice(7));
    expectStatus(
      await t.request('GET', `/v1/spaces/${a.space.id}/events`, {
        token: made.secret,
      }),
      200,
    );
    const listed = expectStatus(
      await t.request('GET', `/v1/spaces/${a.space.id}/api-keys`, {
        token: a.owner,
      }),
      200,
    );
    expect(JSON.stringify(listed)).not.toContain(made.secret.slice(7));
    const shown = listed.apiKeys.find(
      (k: { id: string }) => k.id === made.apiKey.id,
    );
    expect(shown.lastUsedAt).toBe(clock.now().toISOString());
    expect(shown.lastUsedIp).toMatch(/127\.0\.0\.1/);
  });

  it('a revoked key is 401 at once; a rotated key’s old secret is 401 and the new one works; an expired key is 401', async () => {
    const events = `/v1/spaces/${a.space.id}/events`;
    const get = (token: string) => t.request('GET', events, { token });
    const revoked = await createKey(a.owner, a.space.id, {
      name: 'Lost',
      scopes: ['events:read'],
    });
    expectStatus(await get(revoked.secret), 200);
    expectStatus(
      await t.request('DELETE', `/v1/api-keys/${revoked.apiKey.id}`, {
        token: a.owner,
      }),
      204,
    );
    expectError(await get(revoked.secret), 401, 'unauthorized');
    expectError(
      await t.request('POST', `/v1/api-keys/${revoked.apiKey.id}/rotate`, {
        token: a.owner,
      }),
      404,
      'not_found',
    );

    const rotated = await createKey(a.owner, a.space.id, {
      name: 'Rotated',
      scopes: ['events:read'],
    });
    const fresh = expectStatus(
      await t.request('POST', `/v1/api-keys/${rotated.apiKey.id}/rotate`, {
        token: a.owner,
      }),
      200,
    );
    expect(fresh.secret).not.toBe(rotated.secret);
    expectError(await get(rotated.secret), 401, 'unauthorized');
    expectStatus(await get(fresh.secret), 200);

    const expiresAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const expiring = await createKey(a.owner, a.space.id, {
      name: 'For an hour',
      scopes: ['events:read'],
      expiresAt,
    });
    expectStatus(await get(expiring.secret), 200);
    clock.advance(3_600_000);
    expectError(await get(expiring.secret), 401, 'unauthorized');
    // An expiry already past is refused when the key is made.
    expectError(
      await t.request('POST', `/v1/spaces/${a.space.id}/api-keys`, {
        token: a.owner,
        body: { name: 'Late', scopes: ['events:read'], expiresAt },
      }),
      400,
      'invalid_request',
    );
  });

  it('keys cannot make keys, log in as people or use the live sync; viewers cannot make keys', async () => {
    const anyKey = keys.get('members:write')!;
    for (const [method, path] of [
      ['POST', `/v1/spaces/${a.space.id}/api-keys`],
      ['GET', `/v1/spaces/${a.space.id}/api-keys`],
      ['GET', '/v1/me'],
      ['GET', '/v1/spaces'],
      ['POST', '/v1/spaces'],
    ] as const) {
      expectError(
        await t.request(method, path, {
          token: anyKey,
          ...(method === 'POST'
            ? { body: { name: 'x', scopes: ['doors:open'], timezone: 'UTC' } }
            : {}),
        }),
        403,
        'insufficient_scope',
        `${method} ${path}`,
      );
    }
    // The sync socket refuses the upgrade with 403 insufficient_scope.
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/v1/sync`, {
        headers: { authorization: `Bearer ${anyKey}` },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('a key opened a sync socket')));
      ws.on('error', () => {});
    });
    expect(refused).toBe(403);
    expectStatus(
      await t.request('POST', `/v1/spaces/${a.space.id}/admins`, {
        token: a.owner,
        body: { phone: PHONES.viewer, role: 'viewer' },
      }),
      201,
    );
    expectError(
      await t.request('POST', `/v1/spaces/${a.space.id}/api-keys`, {
        token: await t.login(PHONES.viewer),
        body: { name: 'Mine', scopes: ['doors:open'] },
      }),
      403,
      'forbidden',
    );
  });

  it('what a key does is in the audit trail and the access log as that key', async () => {
    const made = await createKey(a.owner, a.space.id, {
      name: 'Booking tool',
      scopes: ['members:write'],
    });
    const member = expectStatus(
      await t.request('POST', `/v1/spaces/${a.space.id}/members`, {
        token: made.secret,
        body: { phone: '+34600000333', groupIds: [] },
      }),
      201,
    ).member;
    const entry = expectStatus(
      await t.request(
        'GET',
        `/v1/spaces/${a.space.id}/audit?objectType=member&limit=1`,
        { token: a.owner },
      ),
      200,
    ).entries[0];
    expect(entry).toMatchObject({
      action: 'createMember',
      object: { type: 'member', id: member.id },
      actor: {
        apiKeyId: made.apiKey.id,
        name: 'API key “Booking tool”',
        phone: null,
        sessionId: null,
      },
    });
    const logged = expectStatus(
      await t.request(
        'GET',
        `/v1/spaces/${a.space.id}/events?type=admin.change&limit=1`,
        { token: a.owner },
      ),
      200,
    ).events[0];
    expect(logged.userId).toBe(entry.actor.userId);
    expect(logged.data.apiKey).toEqual({
      id: made.apiKey.id,
      name: 'Booking tool',
    });
  });
});
