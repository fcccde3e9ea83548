import { ERRORS, type ErrorCode } from '@keyway/protocol';
import { expect } from 'vitest';
import { type ApiResponse, expectStatus, type TestServer } from './harness';

/**
 * Who may call an endpoint:
 * - public: no token; self: any signed-in user, about herself (no tenant ids);
 * - session: one of the caller's own sessions; view: admins of any role and the space's members;
 * - open: the open path (its own rules); admin.read / admin.write / audit.read / owner: as in
 *   policy/space.ts.
 */
export type Access =
  | 'public'
  | 'self'
  | 'session'
  | 'view'
  | 'open'
  | 'admin.read'
  | 'admin.write'
  | 'audit.read'
  | 'owner';

/** The ids a path or a body may name, all from one tenant. */
export interface Ids {
  spaceId: string;
  unitId: string;
  doorId: string;
  groupId: string;
  memberId: string;
  userId: string;
  sessionId: string;
  keyId: string;
}

export interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  access: Access;
  /** A valid body, so that only authorization can refuse the call. */
  body?: (ids: Ids) => unknown;
}

const e = (
  method: Endpoint['method'],
  path: string,
  access: Access,
  body?: Endpoint['body'],
): Endpoint => ({
  method,
  path,
  access,
  ...(body ? { body } : {}),
});

/** Every route of the API; authz.e2e.test.ts fails when routes/index.ts gains one without a row here. */
export const ENDPOINTS: Endpoint[] = [
  e('POST', '/v1/auth/code', 'public'),
  e('POST', '/v1/auth/verify', 'public'),
  e('POST', '/v1/auth/logout', 'self'),
  e('GET', '/v1/me', 'self'),
  e('PATCH', '/v1/me', 'self', () => ({ name: 'Me' })),
  e('DELETE', '/v1/me/sessions/{sessionId}', 'session'),
  e('POST', '/v1/spaces', 'self', () => ({ name: 'Mine', timezone: 'UTC' })),
  e('GET', '/v1/spaces', 'self'),
  e('GET', '/v1/spaces/{spaceId}', 'view'),
  e('PATCH', '/v1/spaces/{spaceId}', 'admin.write', () => ({
    name: 'Taken over',
    lockdown: true,
  })),
  e('DELETE', '/v1/spaces/{spaceId}', 'owner'),
  e('POST', '/v1/spaces/{spaceId}/admins', 'owner', () => ({
    phone: '+34699000001',
    role: 'owner',
  })),
  e('GET', '/v1/spaces/{spaceId}/admins', 'admin.read'),
  e('PATCH', '/v1/spaces/{spaceId}/admins/{userId}', 'owner', () => ({
    role: 'viewer',
  })),
  e('DELETE', '/v1/spaces/{spaceId}/admins/{userId}', 'owner'),
  e('POST', '/v1/spaces/{spaceId}/units', 'admin.write', () => ({
    name: 'Rogue unit',
  })),
  e('GET', '/v1/spaces/{spaceId}/units', 'admin.read'),
  e('GET', '/v1/units/{unitId}', 'admin.read'),
  e('PATCH', '/v1/units/{unitId}', 'admin.write', () => ({ name: 'Renamed' })),
  e('POST', '/v1/units/{unitId}/credentials', 'admin.write'),
  e('DELETE', '/v1/units/{unitId}', 'admin.write'),
  e('POST', '/v1/spaces/{spaceId}/doors', 'admin.write', (ids) => ({
    name: 'Rogue door',
    unitId: ids.unitId,
    relay: 4,
  })),
  e('GET', '/v1/spaces/{spaceId}/doors', 'view'),
  e('GET', '/v1/doors/{doorId}', 'view'),
  e('PATCH', '/v1/doors/{doorId}', 'admin.write', () => ({
    name: 'Renamed',
    pulseMs: 9000,
  })),
  e('DELETE', '/v1/doors/{doorId}', 'admin.write'),
  e('GET', '/v1/doors/{doorId}/state', 'view'),
  e('POST', '/v1/doors/{doorId}/open', 'open'),
  e('POST', '/v1/spaces/{spaceId}/groups', 'admin.write', (ids) => ({
    name: 'Rogue',
    doorIds: [ids.doorId],
  })),
  e('GET', '/v1/spaces/{spaceId}/groups', 'admin.read'),
  e('GET', '/v1/groups/{groupId}', 'admin.read'),
  e('PATCH', '/v1/groups/{groupId}', 'admin.write', () => ({
    name: 'Renamed',
    doorIds: [],
  })),
  e('DELETE', '/v1/groups/{groupId}', 'admin.write'),
  e('POST', '/v1/spaces/{spaceId}/members', 'admin.write', (ids) => ({
    phone: '+34699000002',
    groupIds: [ids.groupId],
  })),
  e('GET', '/v1/spaces/{spaceId}/members', 'admin.read'),
  // A member may also read her own member record (see authz.e2e.test.ts).
  e('GET', '/v1/members/{memberId}', 'admin.read'),
  e('PATCH', '/v1/members/{memberId}', 'admin.write', () => ({
    groupIds: [],
    access: null,
  })),
  e('DELETE', '/v1/members/{memberId}', 'admin.write'),
  e('GET', '/v1/spaces/{spaceId}/events', 'view'),
  e('GET', '/v1/spaces/{spaceId}/receipts', 'admin.read'),
  e('GET', '/v1/spaces/{spaceId}/audit', 'audit.read'),
  e('GET', '/v1/spaces/{spaceId}/audit.csv', 'audit.read'),
  e('POST', '/v1/spaces/{spaceId}/api-keys', 'admin.write', () => ({
    name: 'Rogue key',
    scopes: ['doors:open'],
  })),
  e('GET', '/v1/spaces/{spaceId}/api-keys', 'admin.read'),
  e('POST', '/v1/api-keys/{keyId}/rotate', 'admin.write'),
  e('DELETE', '/v1/api-keys/{keyId}', 'admin.write'),
];

export const routeKey = (r: { method: string; path: string }) =>
  `${r.method} ${r.path}`;

/** The endpoint's path with `{name}` replaced by the tenant's ids. */
export function fill(path: string, ids: Ids): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = ids[name as keyof Ids];
    if (!v) throw new Error(`no id for {${name}}`);
    return encodeURIComponent(v);
  });
}

/** Calls one endpoint with a token (or none) and the tenant's ids. */
export function call(
  t: TestServer,
  ep: Endpoint,
  ids: Ids,
  token?: string,
): Promise<ApiResponse> {
  return t.request(ep.method, fill(ep.path, ids), {
    ...(token ? { token } : {}),
    ...(ep.body ? { body: ep.body(ids) } : {}),
  });
}

/** API.md: every error is `{error: {code, message, details?}}`, with the status its code stands for. */
export function expectErrorShape(res: ApiResponse): void {
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(Object.keys(res.body ?? {})).toEqual(['error']);
  const err = res.body.error;
  expect(
    Object.keys(err).every((k) => ['code', 'message', 'details'].includes(k)),
  ).toBe(true);
  expect(typeof err.message).toBe('string');
  expect(err.message.length).toBeGreaterThan(0);
  expect(Object.keys(ERRORS)).toContain(err.code);
  expect(ERRORS[err.code as ErrorCode].status).toBe(res.status);
}

/** Asserts an error response: status, stable code and the API.md shape. */
export function expectError(
  res: ApiResponse,
  status: number,
  code: ErrorCode,
  label = '',
): ApiResponse {
  expect({ label, status: res.status, code: res.body?.error?.code }).toEqual({
    label,
    status,
    code,
  });
  expectErrorShape(res);
  return res;
}

/** t.request that also checks the shape of every error response it sees. */
export function checkedRequest(t: TestServer): TestServer['request'] {
  return async (method, path, opts) => {
    const res = await t.request(method, path, opts);
    if (res.status >= 400) expectErrorShape(res);
    return res as never;
  };
}

/** Everything an admin of the space can read, for "nothing changed" comparisons (volatile fields dropped). */
export async function snapshotSpace(
  t: TestServer,
  token: string,
  spaceId: string,
) {
  const get = async (path: string) =>
    expectStatus(await t.request('GET', path, { token }), 200);
  const me = await get('/v1/me');
  return {
    space: (await get(`/v1/spaces/${spaceId}`)).space,
    admins: (await get(`/v1/spaces/${spaceId}/admins`)).admins,
    units: (await get(`/v1/spaces/${spaceId}/units`)).units,
    doors: (await get(`/v1/spaces/${spaceId}/doors`)).doors,
    groups: (await get(`/v1/spaces/${spaceId}/groups`)).groups,
    members: (await get(`/v1/spaces/${spaceId}/members`)).members,
    apiKeys: (await get(`/v1/spaces/${spaceId}/api-keys`)).apiKeys.map(
      ({ lastUsedAt, lastUsedIp, ...key }: Record<string, unknown>) => key,
    ),
    adminChanges: (
      await get(`/v1/spaces/${spaceId}/events?type=admin.change&limit=1000`)
    ).events,
    audit: (await get(`/v1/spaces/${spaceId}/audit?limit=200`)).entries,
    user: me.user,
    sessions: me.sessions.map(
      (s: { id: string; deviceName: string | null }) => [s.id, s.deviceName],
    ),
  };
}
