import { afterEach, describe, expect, it } from 'vitest';
import {
  SmsStandIn,
  twilioCreated,
  twilioError,
  vonageAnswer,
} from '../../test/sms-stand-in';
import { verifySignature } from '../signature';
import { httpSms } from './http';
import { SmsSendError } from './provider';
import { twilioSms } from './twilio';
import { vonageSms } from './vonage';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const TO = '+34600000001';
const TEXT = 'Your Keyway code is 123456. It expires in 5 minutes.';
const msg = { id: 'sms_test', to: TO, text: TEXT, code: '123456' };

let standIn: SmsStandIn | undefined;
afterEach(async () => {
  await standIn?.stop();
  standIn = undefined;
});

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsSendError);
  return err as SmsSendError;
};

describe('twilio', () => {
  const provider = (url: string, from = '+14155552345', timeoutMs = 2000) =>
    twilioSms({
      accountSid: SID,
      authToken: TOKEN,
      from,
      baseUrl: url,
      timeoutMs,
    });

  it('sends the documented request: POST Messages.json, basic auth, form To/From/Body', async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, TO, TEXT));
    await provider(standIn.url).send(msg);
    expect(standIn.seen).toHaveLength(1);
    const r = standIn.seen[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(r.headers.authorization).toBe(
      `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
    );
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r.body).toBe(
      'To=%2B34600000001&From=%2B14155552345&Body=Your+Keyway+code+is+123456.+It+expires+in+5+minutes.',
    );
  });

  it('sends from a Messaging Service as MessagingServiceSid', async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, TO, TEXT));
    const mg = `MG${'a'.repeat(32)}`;
    await provider(standIn.url, mg).send(msg);
    expect(
      new URLSearchParams(standIn.seen[0]!.body).get('MessagingServiceSid'),
    ).toBe(mg);
    expect(new URLSearchParams(standIn.seen[0]!.body).has('From')).toBe(false);
  });

  it('sorts Twilio errors: 21211 is the recipient, 20003 the account, 429 and 5xx transient', async () => {
    standIn = await SmsStandIn.start(twilioCreated(SID, TO, TEXT));
    standIn.next(
      twilioError(400, 21211, "Invalid 'To' Phone Number: +3460000000"),
      twilioError(401, 20003, 'Authenticate'),
      twilioError(429, 20429, 'Too Many Requests'),
      { status: 503, text: 'Service Unavailable' },
    );
    const p = provider(standIn.url);
    const recipient = await failure(p.send(msg));
    expect([recipient.kind, recipient.providerCode]).toEqual([
      'recipient',
      21211,
    ]);
    expect(recipient.message).toMatch(/Invalid 'To' Phone Number/);
    expect((await failure(p.send(msg))).kind).toBe('account');
    expect((await failure(p.send(msg))).kind).toBe('transient');
    expect((await failure(p.send(msg))).kind).toBe('transient');
  });

  it('a provider that does not answer is a transient timeout', async () => {
    standIn = await SmsStandIn.start('hang');
    const e = await failure(
      provider(standIn.url, '+14155552345', 200).send(msg),
    );
    expect(e.kind).toBe('transient');
    expect(e.message).toMatch(/no answer .* within 200 ms/);
  });

  it('an unreachable provider is transient and its error names no credential', async () => {
    const e = await failure(provider('http://127.0.0.1:1').send(msg));
    expect(e.kind).toBe('transient');
    expect(e.message).not.toContain(TOKEN);
  });
});

describe('vonage', () => {
  const KEY = 'a1b2c3d4';
  const SECRET = 'Zx9Yw8Vu7Ts6Rq5P';
  const provider = (url: string) =>
    vonageSms({
      apiKey: KEY,
      apiSecret: SECRET,
      from: 'Keyway',
      baseUrl: url,
      timeoutMs: 2000,
    });

  it('sends the documented request: POST /sms/json, form api_key/api_secret/from/to/text, to without +', async () => {
    standIn = await SmsStandIn.start(vonageAnswer('34600000001'));
    await provider(standIn.url).send(msg);
    const r = standIn.seen[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/sms/json');
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r.headers.authorization).toBeUndefined();
    expect(r.body).toBe(
      `api_key=${KEY}&api_secret=${SECRET}&from=Keyway&to=34600000001&text=Your+Keyway+code+is+123456.+It+expires+in+5+minutes.`,
    );
  });

  it('reads the outcome from the message status of a 200 answer', async () => {
    standIn = await SmsStandIn.start(vonageAnswer('34600000001'));
    standIn.next(
      vonageAnswer(
        '34600000001',
        '1',
        'Throughput Rate Exceeded - please wait [ 30 ] and retry',
      ),
      vonageAnswer('34600000001', '4', 'Bad Credentials'),
      vonageAnswer('34600000001', '6', 'Unroutable message - rejected'),
      { status: 200, json: {} },
      { status: 500, text: 'oops' },
    );
    const p = provider(standIn.url);
    const throttled = await failure(p.send(msg));
    expect([throttled.kind, throttled.providerCode]).toEqual([
      'transient',
      '1',
    ]);
    expect((await failure(p.send(msg))).kind).toBe('account');
    expect((await failure(p.send(msg))).kind).toBe('recipient');
    expect((await failure(p.send(msg))).kind).toBe('transient');
    expect((await failure(p.send(msg))).kind).toBe('transient');
    await p.send(msg);
  });
});

describe('http (your own gateway)', () => {
  const SECRET = 'gateway-secret-0123456789';
  const now = new Date('2027-03-01T10:00:00Z');
  const provider = (url: string) =>
    httpSms({
      url: `${url}/send`,
      secret: SECRET,
      timeoutMs: 2000,
      now: () => now,
    });

  it('POSTs {id, to, text} as JSON with a Keyway-Signature over timestamp and body', async () => {
    standIn = await SmsStandIn.start({ status: 202 });
    await provider(standIn.url).send(msg);
    const r = standIn.seen[0]!;
    expect(r.url).toBe('/send');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe(JSON.stringify({ id: 'sms_test', to: TO, text: TEXT }));
    const sig = String(r.headers['keyway-signature']);
    // The worked example of docs/deploy.md.
    expect(sig).toBe(
      't=1803895200,v1=6210069cf7a5e9abeb17bb93e4dff28ac5c56335a2e465ff2659d8cc946d7525',
    );
    expect(verifySignature(SECRET, r.body, sig, now)).toBe(true);
    expect(verifySignature('wrong', r.body, sig, now)).toBe(false);
    expect(verifySignature(SECRET, `${r.body} `, sig, now)).toBe(false);
    expect(
      verifySignature(SECRET, r.body, sig, new Date(now.getTime() + 301_000)),
    ).toBe(false);
  });

  it('sorts answers: 2xx sent, 5xx transient, 4xx {error: recipient} the number, other 4xx the setup', async () => {
    standIn = await SmsStandIn.start({ status: 200 });
    standIn.next(
      { status: 502, text: 'bad gateway' },
      { status: 422, json: { error: 'recipient' } },
      { status: 401, json: { error: 'unauthorized' } },
    );
    const p = provider(standIn.url);
    expect((await failure(p.send(msg))).kind).toBe('transient');
    expect((await failure(p.send(msg))).kind).toBe('recipient');
    expect((await failure(p.send(msg))).kind).toBe('account');
    await p.send(msg);
  });
});
