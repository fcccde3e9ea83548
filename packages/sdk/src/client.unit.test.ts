import { describe, expect, expectTypeOf, it } from 'vitest';
import { createKeyway, KeywayError, type OperationData } from './index';

/** A fetch that answers one canned response and keeps the request it got. */
function answering(status: number, body: unknown, headers = {}) {
  const seen: Request[] = [];
  const fetch = async (req: Request) => {
    seen.push(req);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  };
  return { fetch, seen };
}

describe('createKeyway', () => {
  it('sends the token as a bearer token and resolves to the success body', async () => {
    const { fetch, seen } = answering(200, { spaces: [] });
    const kw = createKeyway({
      baseUrl: 'http://k.example/',
      token: 'kw_abc',
      fetch,
    });
    expect(await kw.GET('/v1/spaces')).toEqual({ spaces: [] });
    expect(seen[0]?.url).toBe('http://k.example/v1/spaces');
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer kw_abc');
  });

  it('fills path parameters and sends the body as JSON', async () => {
    const { fetch, seen } = answering(204, null);
    const kw = createKeyway({ baseUrl: 'http://k.example', token: 't', fetch });
    const out = await kw.PATCH('/v1/members/{memberId}', {
      params: { path: { memberId: 'mem_1' } },
      body: { name: 'Ana' },
    });
    expect(out).toBeUndefined();
    expect(seen[0]?.method).toBe('PATCH');
    expect(seen[0]?.url).toBe('http://k.example/v1/members/mem_1');
    expect(await seen[0]?.json()).toEqual({ name: 'Ana' });
  });

  it('throws a KeywayError with the API’s code, message, details and Retry-After', async () => {
    const { fetch } = answering(
      429,
      {
        error: {
          code: 'rate_limited',
          message: 'Too many.',
          details: { limit: 5 },
        },
      },
      { 'retry-after': '30' },
    );
    const kw = createKeyway({ baseUrl: 'http://k.example', fetch });
    const err = await kw
      .POST('/v1/auth/code', { body: { phone: '+34600000001' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeywayError);
    expect(err).toMatchObject({
      status: 429,
      code: 'rate_limited',
      message: 'Too many.',
      details: { limit: 5 },
      retryAfterSeconds: 30,
    });
  });

  it('names an error answer without a Keyway body (a proxy’s page) unexpected_response', async () => {
    const { fetch } = answering(502, '<html>Bad gateway</html>');
    const kw = createKeyway({ baseUrl: 'http://k.example', token: 't', fetch });
    const err = await kw.GET('/v1/me').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, code: 'unexpected_response' });
    expect((err as KeywayError).retryAfterSeconds).toBeUndefined();
  });

  it('types each call by its path: the body it takes and the answer it resolves to', () => {
    expectTypeOf<
      OperationData<'openDoor'>['result']
    >().toEqualTypeOf<'opened'>();
    expectTypeOf<OperationData<'deleteMember'>>().toEqualTypeOf<undefined>();
    const kw = createKeyway({ baseUrl: 'http://k.example' });
    expectTypeOf(
      kw.GET<'/v1/spaces', undefined>,
    ).returns.resolves.toHaveProperty('spaces');
  });

  it('opens a sync client on /v1/sync with the same token', () => {
    class FakeSocket {
      static urls: string[] = [];
      readyState = 0;
      onopen = null;
      onmessage = null;
      onclose = null;
      onerror = null;
      constructor(url: string) {
        FakeSocket.urls.push(url);
      }
      send() {}
      close() {}
    }
    const kw = createKeyway({ baseUrl: 'https://k.example', token: 'tok' });
    const live = kw.sync({ WebSocketImpl: FakeSocket });
    expect(live.status).toBe('stopped');
    expect(() => createKeyway({ baseUrl: 'http://k' }).sync()).toThrow(/token/);
  });
});
