import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedRequest, expectError } from '../test/endpoints';
import { buildSpace, PHONES } from '../test/fixtures';
import { expectStatus, TestServer } from '../test/harness';

describe('methods at the edge: 405 with Allow, OPTIONS, path ids', () => {
  let t: TestServer;
  let req: TestServer['request'];
  let a: Awaited<ReturnType<typeof buildSpace>>;

  beforeAll(async () => {
    t = await TestServer.start();
    req = checkedRequest(t);
    a = await buildSpace(t, PHONES.owner, 'A');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a wrong method on a known path is 405 method_not_allowed naming the allowed ones', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', `/v1/doors/${a.door.id}/state`, 'GET, HEAD, OPTIONS'],
      ['PUT', '/v1/spaces', 'GET, HEAD, OPTIONS, POST'],
      ['POST', '/openapi.json', 'GET, HEAD, OPTIONS'],
      ['PUT', `/v1/doors/${a.door.id}`, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ];
    for (const [method, path, allow] of cases) {
      for (const token of [a.owner, undefined]) {
        const res = expectError(
          await req(method, path, token ? { token } : {}),
          405,
          'method_not_allowed',
          `${method} ${path}`,
        );
        expect(res.headers.get('allow'), path).toBe(allow);
      }
    }
  });

  it('an unknown method never reaches body parsing: bad JSON on it is 405, not invalid_json', async () => {
    const res = expectError(
      await req('PROPFIND', '/v1/spaces', { token: a.owner, raw: '{"x":' }),
      405,
      'method_not_allowed',
    );
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('OPTIONS on a known path is 204 with Allow; on an unknown path 404', async () => {
    const res = await t.request('OPTIONS', `/v1/doors/${a.door.id}`);
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH');
    expectError(await req('OPTIONS', '/v1/nope'), 404, 'route_not_found');
  });

  it('an unknown path is still 404 route_not_found, whatever the method', async () => {
    for (const method of ['GET', 'DELETE', 'PROPFIND'])
      expectError(
        await req(method, `/v1/doors/${a.door.id}/close`, { token: a.owner }),
        404,
        'route_not_found',
        method,
      );
  });

  it('a path id that is not an id is 400 invalid_request naming the param; a well-formed unknown one 404', async () => {
    for (const [method, path, field] of [
      ['GET', '/v1/doors/a%20b', 'doorId'],
      ['GET', `/v1/doors/${'x'.repeat(65)}/state`, 'doorId'],
      ['DELETE', `/v1/spaces/${a.space.id}/admins/usr!x`, 'userId'],
    ] as const) {
      const res = expectError(
        await req(method, path, { token: a.owner }),
        400,
        'invalid_request',
        path,
      );
      expect(
        res.body.error.details.map((d: { field: string }) => d.field),
        path,
      ).toEqual([field]);
    }
    expectError(
      await req('GET', '/v1/doors/door_unknown', { token: a.owner }),
      404,
      'not_found',
    );
    expectStatus(
      await req('GET', `/v1/doors/${a.door.id}`, { token: a.owner }),
      200,
    );
  });
});
