import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { expectError } from './test/endpoints';
import { type ApiResponse, expectStatus, TestServer } from './test/harness';

const NOW = '2027-03-01T10:00:00Z';
const TTL = 60;
const MAX_ATTEMPTS = 3;

interface OutboxLine {
  to: string;
  text: string;
  code: string;
  at: string;
}
const outbox = (t: TestServer): OutboxLine[] =>
  (existsSync(t.outbox) ? readFileSync(t.outbox, 'utf8') : '')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const requestCode = (
  t: TestServer,
  phone: string,
  headers?: Record<string, string>,
) =>
  t.request('POST', '/v1/auth/code', {
    body: { phone },
    ...(headers ? { headers } : {}),
  });
const verify = (
  t: TestServer,
  phone: string,
  code: string,
  deviceName?: string,
) =>
  t.request('POST', '/v1/auth/verify', {
    body: { phone, code, ...(deviceName ? { deviceName } : {}) },
  });
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
const retryAfter = (res: ApiResponse) => {
  const header = res.headers.get('retry-after') ?? '';
  expect(header).toMatch(/^\d+$/);
  return Number(header);
};

describe('login by SMS code', () => {
  const clock = new ManualClock(Date.parse(NOW));
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start({
      clock,
      env: {
        KEYWAY_CODE_TTL: String(TTL),
        KEYWAY_CODE_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(() => clock.set(NOW));

  it('writes one outbox line {to, text, code, at} with E.164 `to` whatever the input format', async () => {
    for (const given of ['+34 600 00 00 10', '0034600000010', '+34600000010']) {
      const before = outbox(t).length;
      const res = expectStatus(await requestCode(t, given), 202);
      expect(res).toEqual({ expiresInSeconds: TTL });
      const lines = outbox(t);
      expect(lines.length).toBe(before + 1);
      const line = lines[lines.length - 1]!;
      expect(Object.keys(line).sort()).toEqual(['at', 'code', 'text', 'to']);
      expect(line.to).toBe('+34600000010');
      expect(line.code).toMatch(/^\d{6}$/);
      expect(line.text).toContain(line.code);
      expect(new Date(line.at).toISOString()).toBe(line.at);
      expect(line.at).toBe(clock.now().toISOString());
    }
    // The last code works with the number in yet another format; the user is stored in E.164.
    const ok = expectStatus(
      await verify(t, '+34 600000010', t.lastCode('+34600000010'), 'phone'),
      200,
    );
    expect(ok.user.phone).toBe('+34600000010');
    expect(ok.token).toEqual(expect.any(String));
    expect(ok.session.id).toEqual(expect.any(String));
  });

  it('a wrong code is 401 invalid_code; a code for one phone does not work for another', async () => {
    expectStatus(await requestCode(t, '+34600000020'), 202);
    const code = t.lastCode('+34600000020');
    expectError(
      await verify(t, '+34600000020', wrong(code)),
      401,
      'invalid_code',
    );
    expectStatus(await requestCode(t, '+34600000021'), 202);
    expectError(await verify(t, '+34600000021', code), 401, 'invalid_code');
    expectStatus(await verify(t, '+34600000020', code), 200);
  });

  it(`after ${MAX_ATTEMPTS} wrong tries the right code no longer works; one fewer still allows it`, async () => {
    expectStatus(await requestCode(t, '+34600000030'), 202);
    let code = t.lastCode('+34600000030');
    for (let i = 0; i < MAX_ATTEMPTS - 1; i++)
      expectError(
        await verify(t, '+34600000030', wrong(code)),
        401,
        'invalid_code',
      );
    expectStatus(await verify(t, '+34600000030', code), 200);

    expectStatus(await requestCode(t, '+34600000030'), 202);
    code = t.lastCode('+34600000030');
    for (let i = 0; i < MAX_ATTEMPTS; i++)
      expectError(
        await verify(t, '+34600000030', wrong(code)),
        401,
        'invalid_code',
      );
    expectError(await verify(t, '+34600000030', code), 401, 'invalid_code');
  });

  it('guesses sent all at once cannot share a try: the code is burnt after the bounded number', async () => {
    // Several rounds: a read-then-write counter loses updates under load, not on every round.
    for (const phone of ['+34600000031', '+34600000032', '+34600000033']) {
      expectStatus(await requestCode(t, phone), 202);
      const code = t.lastCode(phone);
      const guesses = Array.from({ length: 40 }, (_, i) =>
        String((Number(code) + i + 1) % 1e6).padStart(6, '0'),
      );
      const results = await Promise.all(
        guesses.map((g) => verify(t, phone, g)),
      );
      for (const res of results) expectError(res, 401, 'invalid_code');
      const left = results
        .map((r) => r.body.error.details?.attemptsLeft)
        .filter((n) => n !== undefined);
      expect(left.sort()).toEqual([0, 1, 2]);
      expectError(await verify(t, phone, code), 401, 'invalid_code', phone);
    }
  });

  it('the same code verified by several requests at once opens exactly one session', async () => {
    expectStatus(await requestCode(t, '+34600000034'), 202);
    const code = t.lastCode('+34600000034');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => verify(t, '+34600000034', code)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 200))
      expectError(res, 401, 'invalid_code');
  });

  it('a code works once only', async () => {
    expectStatus(await requestCode(t, '+34600000040'), 202);
    const code = t.lastCode('+34600000040');
    expectStatus(await verify(t, '+34600000040', code), 200);
    expectError(await verify(t, '+34600000040', code), 401, 'invalid_code');
  });

  it('a code expires after KEYWAY_CODE_TTL seconds', async () => {
    expectStatus(await requestCode(t, '+34600000050'), 202);
    clock.advance(TTL * 1000 - 1000);
    expectStatus(
      await verify(t, '+34600000050', t.lastCode('+34600000050')),
      200,
    );

    expectStatus(await requestCode(t, '+34600000050'), 202);
    clock.advance(TTL * 1000 + 1);
    expectError(
      await verify(t, '+34600000050', t.lastCode('+34600000050')),
      401,
      'invalid_code',
    );
  });

  it('a new code replaces the old one', async () => {
    expectStatus(await requestCode(t, '+34600000060'), 202);
    const first = t.lastCode('+34600000060');
    let second = first;
    // Two random 6-digit codes can coincide (1 in a million); ask again until they differ.
    for (let i = 0; i < 5 && second === first; i++) {
      expectStatus(await requestCode(t, '+34600000060'), 202);
      second = t.lastCode('+34600000060');
    }
    expect(second).not.toBe(first);
    expectError(await verify(t, '+34600000060', first), 401, 'invalid_code');
    expectStatus(await verify(t, '+34600000060', second), 200);
  });

  it('an invalid phone number is 400 invalid_phone naming the field, and sends nothing', async () => {
    const before = outbox(t).length;
    for (const phone of ['not a phone', '+34 6', '+999 123']) {
      const res = expectError(
        await requestCode(t, phone),
        400,
        'invalid_phone',
        phone,
      );
      expect(res.body.error.details).toEqual([
        expect.objectContaining({ field: 'phone' }),
      ]);
      expectError(
        await verify(t, phone, '123456'),
        400,
        'invalid_phone',
        phone,
      );
    }
    expect(outbox(t).length).toBe(before);
  });
});

describe('sessions', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start();
  });
  afterAll(async () => {
    await t?.stop();
  });
  const login = async (phone: string, deviceName: string) => {
    expectStatus(await requestCode(t, phone), 202);
    return expectStatus(
      await verify(t, phone, t.lastCode(phone), deviceName),
      200,
    ) as {
      token: string;
      session: { id: string };
      user: { id: string };
    };
  };
  const me = (token: string) => t.request('GET', '/v1/me', { token });

  it('GET /v1/me lists the sessions, marking the current one', async () => {
    const phone = await login('+34600000070', 'phone');
    const laptop = await login('+34600000070', 'laptop');
    expect(laptop.user.id).toBe(phone.user.id);
    const body = expectStatus(await me(phone.token), 200);
    expect(body.user).toMatchObject({
      id: phone.user.id,
      phone: '+34600000070',
    });
    const sessions = body.sessions.map((s: any) => [
      s.id,
      s.deviceName,
      s.current,
    ]);
    expect(sessions).toEqual([
      [phone.session.id, 'phone', true],
      [laptop.session.id, 'laptop', false],
    ]);
  });

  it('revoking another device’s session makes its token 401 at once; it is no longer listed', async () => {
    const phone = await login('+34600000071', 'phone');
    const lost = await login('+34600000071', 'lost phone');
    expectStatus(await me(lost.token), 200);
    expectStatus(
      await t.request('DELETE', `/v1/me/sessions/${lost.session.id}`, {
        token: phone.token,
      }),
      204,
    );
    expectError(await me(lost.token), 401, 'unauthorized');
    expectError(
      await t.request('GET', '/v1/spaces', { token: lost.token }),
      401,
      'unauthorized',
    );
    const left = expectStatus(await me(phone.token), 200).sessions.map(
      (s: any) => s.id,
    );
    expect(left).toEqual([phone.session.id]);
    expectError(
      await t.request('DELETE', `/v1/me/sessions/${lost.session.id}`, {
        token: phone.token,
      }),
      404,
      'not_found',
    );
  });

  it('logout makes the current token 401; the user’s other sessions live on', async () => {
    const one = await login('+34600000072', 'one');
    const two = await login('+34600000072', 'two');
    expect(
      (await t.request('POST', '/v1/auth/logout', { token: one.token })).status,
    ).toBe(204);
    expectError(await me(one.token), 401, 'unauthorized');
    expectError(
      await t.request('POST', '/v1/auth/logout', { token: one.token }),
      401,
      'unauthorized',
    );
    expectStatus(await me(two.token), 200);
  });

  it('another user’s session id is 404 not_found, and that session keeps working', async () => {
    const mine = await login('+34600000073', 'mine');
    const theirs = await login('+34600000074', 'theirs');
    expectError(
      await t.request('DELETE', `/v1/me/sessions/${theirs.session.id}`, {
        token: mine.token,
      }),
      404,
      'not_found',
    );
    expectStatus(await me(theirs.token), 200);
  });
});

describe('login rate limits', () => {
  const clock = new ManualClock(Date.parse(NOW));
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const t = await TestServer.start({ clock, env });
    servers.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of servers) await t.stop();
  });

  it('per phone (KEYWAY_CODES_PER_PHONE=2): the third code is 429 rate_limited with Retry-After', async () => {
    clock.set(NOW);
    const t = await start({ KEYWAY_CODES_PER_PHONE: '2' });
    expectStatus(await requestCode(t, '+34600000080'), 202);
    expectStatus(await requestCode(t, '+34 600 00 00 80'), 202);
    const kept = t.lastCode('+34600000080');
    const sent = outbox(t).length;
    const res = expectError(
      await requestCode(t, '0034600000080'),
      429,
      'rate_limited',
    );
    const seconds = retryAfter(res);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(3600);
    expect(outbox(t).length).toBe(sent);
    // Another phone is not affected; the refused request did not replace the last code.
    expectStatus(await requestCode(t, '+34600000081'), 202);
    expectStatus(await verify(t, '+34600000080', kept), 200);
    clock.advance(seconds * 1000);
    expectStatus(await requestCode(t, '+34600000080'), 202);
  });

  it('per client address (KEYWAY_AUTH_PER_IP=3): code and verify both count; X-Forwarded-For does not reset it', async () => {
    clock.set(NOW);
    const t = await start({ KEYWAY_AUTH_PER_IP: '3' });
    expectStatus(await requestCode(t, '+34600000090'), 202);
    expectStatus(await requestCode(t, '+34600000091'), 202);
    expectError(
      await verify(t, '+34600000090', wrong(t.lastCode('+34600000090'))),
      401,
      'invalid_code',
    );
    let res = expectError(
      await requestCode(t, '+34600000092'),
      429,
      'rate_limited',
    );
    const seconds = retryAfter(res);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    res = await requestCode(t, '+34600000093', {
      'x-forwarded-for': '203.0.113.7',
    });
    expectError(res, 429, 'rate_limited');
    expectError(
      await verify(t, '+34600000091', t.lastCode('+34600000091')),
      429,
      'rate_limited',
    );
    clock.advance(seconds * 1000);
    expectStatus(
      await verify(t, '+34600000091', t.lastCode('+34600000091')),
      200,
    );
  });

  it('behind a trusted proxy (KEYWAY_TRUST_PROXY): each X-Forwarded-For client has its own limit, and a forged hop does not escape it', async () => {
    clock.set(NOW);
    const t = await start({
      KEYWAY_AUTH_PER_IP: '2',
      KEYWAY_TRUST_PROXY: 'loopback',
    });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expectStatus(
      await requestCode(t, '+34600000190', from('203.0.113.7')),
      202,
    );
    expectStatus(
      await requestCode(t, '+34600000191', from('203.0.113.7')),
      202,
    );
    expectError(
      await requestCode(t, '+34600000192', from('203.0.113.7')),
      429,
      'rate_limited',
    );
    // a client claiming an earlier hop is still the address the proxy saw
    expectError(
      await requestCode(t, '+34600000193', from('198.51.100.1, 203.0.113.7')),
      429,
      'rate_limited',
    );
    // another client behind the same proxy is not held back by the first
    expectStatus(
      await requestCode(t, '+34600000194', from('203.0.113.8')),
      202,
    );
  });
});
