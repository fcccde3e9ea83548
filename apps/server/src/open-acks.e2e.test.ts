import type { OpenCommand } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ack, FakeUnit } from './test/fake-unit';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { waitFor } from './test/unit-process';
import { TestSocket } from './test/ws-client';

/** Each ack result reaches the person and the access log (issue 25 item 4). */
describe('what the unit acks, the phone hears and the log keeps', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: FakeUnit;
  let member: string;

  const open = () =>
    t.request('POST', `/v1/doors/${s.door.id}/open`, { token: member });
  const lastOpen = async () =>
    expectStatus(
      await t.request(
        'GET',
        `/v1/spaces/${s.space.id}/events?type=door.open&limit=1`,
        { token: s.owner },
      ),
      200,
    ).events[0];

  beforeAll(async () => {
    t = await TestServer.start({ config: { openTimeoutMs: 1000 } });
    s = await buildSpace(t);
    member = await t.login(PHONES.member);
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: { phone: PHONES.member, groupIds: [s.group.id] },
      }),
      201,
    );
    unit = await FakeUnit.connect(s.credentials);
    await waitFor(() => t.server.ctx.units.isOnline(s.unit.id), 'unit online');
  });
  afterAll(async () => {
    await unit?.close();
    await t?.stop();
  });

  it.each([
    ['failed', 'relay driver fault', 502, 'unit_failed'],
    ['expired', 'clock past expiresAt', 504, 'command_expired'],
    ['duplicate', undefined, 409, 'command_duplicate'],
    ['invalid', 'pulseMs out of range', 502, 'unit_rejected_command'],
  ] as const)(
    'an ack "%s" answers its own code, with the unit message in the answer and the log',
    async (result, message, status, code) => {
      unit.reply = (cmd) => ack(cmd, result, message);
      const res = await open();
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      if (message) expect(res.body.error.message).toContain(message);
      const ev = await lastOpen();
      expect(ev).toMatchObject({ result: code, reason: code });
      expect(ev.data).toMatchObject({
        ack: result,
        commandId: unit.commands.at(-1)!.id,
      });
      expect(ev.data.unitMessage).toBe(message);
    },
  );

  it('an ack with a result the protocol does not know is answered at once as a protocol error', async () => {
    // Without a match it would wait out the timeout and answer 504 unit_timeout.
    unit.reply = (cmd) => ack(cmd, 'exploded');
    const res = await open();
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('unit_protocol_error');
    expect(await lastOpen()).toMatchObject({
      result: 'unit_protocol_error',
      data: { ack: 'protocol_error' },
    });
  });

  it('a late opened ack corrects the log and reaches the live views of the member and the admin', async () => {
    const phone = await TestSocket.connect(t.url, member);
    const dashboard = await TestSocket.connect(t.url, s.owner);
    let held: OpenCommand | undefined;
    unit.reply = (cmd) => {
      held = cmd;
      return null;
    };
    const res = await open();
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('unit_timeout');
    const timedOut = await lastOpen();
    expect(timedOut.result).toBe('unit_timeout');
    const from = [phone.messages.length, dashboard.messages.length];
    // The relay did pulse, and the ack comes after the phone was told it timed out.
    await unit.sendAck(held!, ack(held!, 'opened'));
    const late = (m: any) =>
      m.events?.find(
        (e: any) => e.type === 'door.open' && e.data?.corrects === timedOut.id,
      );
    for (const [i, socket] of [phone, dashboard].entries()) {
      const msg = await socket.next(late, 'the late open live', from[i]);
      expect(late(msg)).toMatchObject({
        result: 'granted',
        reason: 'opened_after_timeout',
        doorId: s.door.id,
        data: {
          commandId: held!.id,
          note: 'opened after the phone was told it timed out',
        },
      });
    }
    expect(await lastOpen()).toMatchObject({
      result: 'granted',
      reason: 'opened_after_timeout',
      data: { corrects: timedOut.id },
    });
    // A redelivery of the same ack is not a second open.
    await unit.sendAck(held!, ack(held!, 'opened'));
    unit.reply = (cmd) => ack(cmd, 'opened');
    expect((await open()).status).toBe(200);
    const opens = expectStatus(
      await t.request('GET', `/v1/spaces/${s.space.id}/events?type=door.open`, {
        token: s.owner,
      }),
      200,
    ).events.filter((e: any) => e.reason === 'opened_after_timeout');
    expect(opens).toHaveLength(1);
    phone.close();
    dashboard.close();
  });
});
