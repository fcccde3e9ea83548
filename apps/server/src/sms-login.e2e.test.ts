import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { ConfigError, loadConfig } from './config';
import { expectError } from './test/endpoints';
import { expectStatus, TestServer } from './test/harness';
import { SmsStandIn, twilioCreated, twilioError } from './test/sms-stand-in';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const BASIC = Buffer.from(`${SID}:${TOKEN}`).toString('base64');

/** Every log line the server writes, to check that no credential and no code is in one. */
class LogCapture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  matching(re: RegExp) {
    return this.lines.filter((l) => re.test(l));
  }
}

const codeIn = (body: string) => {
  const m = /code is (\d{6})/.exec(new URLSearchParams(body).get('Body') ?? '');
  if (!m) throw new Error(`no code in ${body}`);
  return m[1] as string;
};

async function twilioServer(
  standIn: SmsStandIn,
  logs: LogCapture,
  env: Record<string, string> = {},
  clock?: ManualClock,
) {
  return TestServer.start({
    log: pino({ level: 'debug' }, logs),
    ...(clock ? { clock } : {}),
    env: {
      KEYWAY_SMS_PROVIDER: 'twilio',
      KEYWAY_TWILIO_ACCOUNT_SID: SID,
      KEYWAY_TWILIO_AUTH_TOKEN: TOKEN,
      KEYWAY_TWILIO_FROM: '+14155552345',
      KEYWAY_TWILIO_BASE_URL: standIn.url,
      KEYWAY_SMS_TIMEOUT_MS: '400',
      KEYWAY_CODES_PER_PHONE: '3',
      ...env,
    },
  });
}

const ask = (t: TestServer, phone: string) =>
  t.request('POST', '/v1/auth/code', { body: { phone } });
const verify = (t: TestServer, phone: string, code: string) =>
  t.request('POST', '/v1/auth/verify', { body: { phone, code } });

describe('login codes through Twilio (a local stand-in)', () => {
  const logs = new LogCapture();
  let standIn: SmsStandIn;
  let t: TestServer;
  beforeAll(async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, '+34600000001', 'x'));
    t = await twilioServer(standIn, logs);
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });
  afterEach(() => {
    standIn.seen.length = 0;
  });

  it('sends the code Twilio-style; the code it carried logs in', async () => {
    const phone = '+34600000001';
    expectStatus(await ask(t, phone), 202);
    expect(standIn.seen).toHaveLength(1);
    const r = standIn.seen[0]!;
    expect(r.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(r.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(new URLSearchParams(r.body).get('To')).toBe(phone);
    expectStatus(await verify(t, phone, codeIn(r.body)), 200);
  });

  it('a 503 from Twilio is retried once with the same code; one SMS, one working code', async () => {
    const phone = '+34600000002';
    standIn.next({ status: 503, text: 'unavailable' });
    expectStatus(await ask(t, phone), 202);
    expect(standIn.seen).toHaveLength(2);
    expect(standIn.seen[1]!.body).toBe(standIn.seen[0]!.body);
    expectStatus(await verify(t, phone, codeIn(standIn.seen[1]!.body)), 200);
  });

  it('a provider that keeps failing or never answers: 503 sms_unavailable, no attempt used, the previous code still valid', async () => {
    const phone = '+34600000003';
    expectStatus(await ask(t, phone), 202);
    const first = codeIn(standIn.seen[0]!.body);
    standIn.seen.length = 0;
    // Four failed requests (two 500s each, then two timeouts each) against a limit of 3 codes per hour.
    standIn.next(
      twilioError(500, 20500, 'Internal Server Error'),
      twilioError(500, 20500, 'Internal Server Error'),
      'hang',
      'hang',
      twilioError(429, 20429, 'Too Many Requests'),
      twilioError(429, 20429, 'Too Many Requests'),
      'hang',
      'hang',
    );
    for (let i = 0; i < 4; i++)
      expectError(await ask(t, phone), 503, 'sms_unavailable');
    expect(standIn.seen).toHaveLength(8);
    // Two more codes still fit in the hour: the failures used none.
    expectStatus(await ask(t, phone), 202);
    expectStatus(await ask(t, phone), 202);
    expectError(await ask(t, phone), 429, 'rate_limited');
    // A code replaced by a later one is gone; the latest works.
    const latest = codeIn(standIn.seen[standIn.seen.length - 1]!.body);
    if (latest !== first)
      expectError(await verify(t, phone, first), 401, 'invalid_code');
    expectStatus(await verify(t, phone, latest), 200);
  });

  it('a failure leaves the code sent before it valid', async () => {
    const phone = '+34600000004';
    expectStatus(await ask(t, phone), 202);
    const sent = codeIn(standIn.seen[0]!.body);
    standIn.next(
      twilioError(500, 20500, 'Internal Server Error'),
      twilioError(500, 20500, 'Internal Server Error'),
    );
    expectError(await ask(t, phone), 503, 'sms_unavailable');
    expectStatus(await verify(t, phone, sent), 200);
  });

  it('a number Twilio refuses is 400 invalid_phone, not retried', async () => {
    standIn.next(
      twilioError(400, 21614, "'To' number is not a valid mobile number"),
    );
    expectError(await ask(t, '+34900000005'), 400, 'invalid_phone');
    expect(standIn.seen).toHaveLength(1);
  });

  it('no log line carries the auth token, the basic credentials or a code', () => {
    const all = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.matching(/SMS not sent/).length).toBeGreaterThan(0);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(BASIC);
    expect(all).not.toMatch(/code is \d{6}/);
  });
});

describe('SMS pumping guards', () => {
  const logs = new LogCapture();
  let standIn: SmsStandIn;
  afterEach(async () => {
    await standIn?.stop();
  });

  it('KEYWAY_SMS_COUNTRIES: another country is 400 sms_country_not_allowed and no SMS', async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, '+34600000001', 'x'));
    const t = await twilioServer(standIn, logs, {
      KEYWAY_SMS_COUNTRIES: 'ES,PT',
    });
    try {
      expectError(await ask(t, '+33612345678'), 400, 'sms_country_not_allowed');
      expectError(
        await ask(t, '+882345678901'),
        400,
        'sms_country_not_allowed',
      );
      expect(standIn.seen).toHaveLength(0);
      expectStatus(await ask(t, '+351912345678'), 202);
      expect(standIn.seen).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it('KEYWAY_SMS_PER_HOUR: above the ceiling 503 with Retry-After, one warning, open again next hour', async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, '+34600000001', 'x'));
    const clock = new ManualClock(Date.parse('2027-03-01T10:20:00Z'));
    const own = new LogCapture();
    const t = await TestServer.start({
      clock,
      log: pino({ level: 'info' }, own),
      env: {
        KEYWAY_SMS_PROVIDER: 'twilio',
        KEYWAY_TWILIO_ACCOUNT_SID: SID,
        KEYWAY_TWILIO_AUTH_TOKEN: TOKEN,
        KEYWAY_TWILIO_FROM: '+14155552345',
        KEYWAY_TWILIO_BASE_URL: standIn.url,
        KEYWAY_SMS_PER_HOUR: '2',
      },
    });
    try {
      expectStatus(await ask(t, '+34600000011'), 202);
      expectStatus(await ask(t, '+34600000012'), 202);
      const refused = await ask(t, '+34600000013');
      expectError(refused, 503, 'sms_unavailable');
      expect(refused.headers.get('retry-after')).toBe(String(40 * 60));
      expectError(await ask(t, '+34600000014'), 503, 'sms_unavailable');
      expect(standIn.seen).toHaveLength(2);
      expect(own.matching(/SMS ceiling reached/)).toHaveLength(1);
      // The refused number lost no attempt and is served in the next hour.
      clock.advance(41 * 60_000);
      expectStatus(await ask(t, '+34600000013'), 202);
      expect(standIn.seen).toHaveLength(3);
    } finally {
      await t.stop();
    }
  });

  it('KEYWAY_SIGNUP=invite: a stranger gets the same 202 and no SMS; a member and a listed operator get codes', async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, '+34600000001', 'x'));
    const operator = '+34600000021';
    const t = await twilioServer(standIn, logs, {
      KEYWAY_SIGNUP: 'invite',
      KEYWAY_SIGNUP_PHONES: operator,
    });
    try {
      const stranger = await ask(t, '+34600000022');
      expectStatus(stranger, 202);
      expect(standIn.seen).toHaveLength(0);
      expectStatus(await ask(t, operator), 202);
      const owner = expectStatus(
        await verify(t, operator, codeIn(standIn.seen[0]!.body)),
        200,
      ).token;
      const space = expectStatus(
        await t.request('POST', '/v1/spaces', {
          token: owner,
          body: { name: 'Invite only', timezone: 'Europe/Madrid' },
        }),
        201,
      ).space;
      expectStatus(
        await t.request('POST', `/v1/spaces/${space.id}/members`, {
          token: owner,
          body: { phone: '+34600000022', groupIds: [] },
        }),
        201,
      );
      const again = await ask(t, '+34600000022');
      expect([again.status, again.body]).toEqual([
        stranger.status,
        stranger.body,
      ]);
      expect(standIn.seen).toHaveLength(2);
      expectStatus(
        await verify(t, '+34600000022', codeIn(standIn.seen[1]!.body)),
        200,
      );
    } finally {
      await t.stop();
    }
  });
});

describe('SMS settings at start', () => {
  it('names every missing setting of the chosen provider', () => {
    let err: unknown;
    try {
      loadConfig({
        KEYWAY_SMS_PROVIDER: 'vonage',
        KEYWAY_VONAGE_API_KEY: 'a1b2c3d4',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(/KEYWAY_VONAGE_API_SECRET is required/);
    expect(text).toMatch(/KEYWAY_VONAGE_FROM is required/);
    expect(text).not.toMatch(/KEYWAY_VONAGE_API_KEY is required/);
  });

  it('refuses a malformed credential without printing it', () => {
    let err: unknown;
    try {
      loadConfig({
        KEYWAY_SMS_PROVIDER: 'twilio',
        KEYWAY_TWILIO_ACCOUNT_SID: SID,
        KEYWAY_TWILIO_AUTH_TOKEN: 'not-a-token-but-a-secret-value',
        KEYWAY_TWILIO_FROM: '+14155552345',
        KEYWAY_SMS_COUNTRIES: 'ES,XX',
      });
    } catch (e) {
      err = e;
    }
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(/KEYWAY_TWILIO_AUTH_TOKEN=\(secret, not shown\)/);
    expect(text).not.toContain('not-a-token-but-a-secret-value');
    expect(text).toMatch(/KEYWAY_SMS_COUNTRIES/);
  });
});
