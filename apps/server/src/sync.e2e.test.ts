import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { buildSpace } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { waitFor } from './test/unit-process';
import { TestSocket } from './test/ws-client';

// Tuesday 5 January 2027, 17:00 in Madrid.
const FIVE_PM = '2027-01-05T17:00:00+01:00';

describe('push sync: the seed story over real sockets', () => {
  const clock = new ManualClock(Date.parse(FIVE_PM));
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let ana: string;
  let memberId: string;
  const sockets: TestSocket[] = [];
  const connect = async (token: string, cursor?: string | null) => {
    const sock = await TestSocket.connect(t.url, token, cursor);
    sockets.push(sock);
    return sock;
  };

  beforeAll(async () => {
    t = await TestServer.start({ clock });
    s = await buildSpace(t);
    ana = await t.login('+34622000001');
    const m = await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: {
        phone: '+34622000001',
        name: 'Ana',
        groupIds: [s.group.id],
        access: { timeFrames: [{ days: ['tue'], from: '20:00', to: '22:00' }] },
      },
    });
    memberId = expectStatus(m, 201).member.id;
  });
  afterAll(async () => {
    for (const sock of sockets) sock.close();
    await t?.stop();
  });

  it('schedule moved from 20:00 to 18:00 reaches her socket; at 18:00 she is told; revoked, the door vanishes and opening is refused', async () => {
    const phone = await connect(ana);
    const snap = phone.messages[0];
    expect(snap.type).toBe('snapshot');
    const access = () => phone.entries('access')[0]?.[1];
    expect(access().status).toEqual({
      allowed: false,
      reason: 'outside_schedule',
      nextChangeAt: '2027-01-05T19:00:00.000Z',
    });
    expect(
      phone
        .entries('door')
        .map(([, d]) => d.name)
        .sort(),
    ).toEqual(['Front gate', 'Garage']);

    // The admin moves the schedule to 18:00: her phone has it without asking.
    let from = phone.messages.length;
    expectStatus(
      await t.request('PATCH', `/v1/members/${memberId}`, {
        token: s.owner,
        body: {
          access: {
            timeFrames: [{ days: ['tue'], from: '18:00', to: '22:00' }],
          },
        },
      }),
      200,
    );
    await phone.next(
      (m) =>
        m.type === 'change' &&
        m.ops.some((o: any) => o.key.includes('/access/')),
      'schedule change',
      from,
    );
    expect(access().access.timeFrames[0].from).toBe('18:00');
    expect(access().status.nextChangeAt).toBe('2027-01-05T17:00:00.000Z');

    // 17:59:59: nothing changes. 18:00: she is told the door is available.
    from = phone.messages.length;
    clock.set('2027-01-05T17:59:59+01:00');
    await new Promise((r) => setTimeout(r, 100));
    expect(
      phone.messages.slice(from).filter((m) => m.type === 'change'),
    ).toEqual([]);
    clock.set('2027-01-05T18:00:00+01:00');
    await waitFor(
      () => access().status.allowed === true,
      'access status allowed at 18:00',
    );
    expect(access().status).toEqual({
      allowed: true,
      reason: null,
      nextChangeAt: '2027-01-05T21:00:00.000Z',
    });

    // Revoked: the space and its doors leave her view at once, and an open right after is refused.
    from = phone.messages.length;
    expectStatus(
      await t.request('DELETE', `/v1/members/${memberId}`, { token: s.owner }),
      204,
    );
    await phone.next(
      (m) => m.type === 'change' && m.ops.some((o: any) => o.op === 'del'),
      'revocation',
      from,
    );
    expect(phone.entries('door')).toEqual([]);
    expect(phone.entries('space')).toEqual([]);
    const res = await t.request('POST', `/v1/doors/${s.door.id}/open`, {
      token: ana,
    });
    expect(res.status).toBe(404);
  });

  it('the dashboard sees the whole space and live events; a viewer is an admin audience too', async () => {
    const dash = await connect(s.owner);
    expect(dash.entries('admin.space')).toHaveLength(1);
    expect(dash.entries('admin.door')).toHaveLength(2);
    const from = dash.messages.length;
    const g = await t.request('POST', `/v1/spaces/${s.space.id}/groups`, {
      token: s.owner,
      body: { name: 'Night shift', doorIds: [s.door.id] },
    });
    const groupId = expectStatus(g, 201).group.id;
    const change = await dash.next(
      (m) =>
        m.type === 'change' &&
        m.ops.some((o: any) => o.key.endsWith(`/admin.group/${groupId}`)),
      'group change',
      from,
    );
    expect(change.events.map((e: any) => e.type)).toEqual(['admin.change']);
  });

  it('resumes by cursor without loss or duplicates, and sends a snapshot for an unknown epoch', async () => {
    const bea = await t.login('+34622000002');
    const m = await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: '+34622000002', groupIds: [s.group.id] },
    });
    const beaMember = expectStatus(m, 201).member.id;
    const first = await connect(bea);
    const cursor = first.cursor;
    first.close();
    // Three changes while she is away.
    for (const name of ['Bea 1', 'Bea 2', 'Bea 3']) {
      expectStatus(
        await t.request('PATCH', `/v1/members/${beaMember}`, {
          token: s.owner,
          body: { name },
        }),
        200,
      );
    }
    const again = await connect(bea, cursor);
    await waitFor(
      () => again.entries('access')[0]?.[1].name === 'Bea 3',
      'resumed changes',
    );
    const changes = again.messages.filter((x) => x.type === 'change');
    expect(again.messages[0].type).toBe('change');
    expect(
      changes.map(
        (c) => c.ops.find((o: any) => o.key.includes('/access/')).value.name,
      ),
    ).toEqual(['Bea 1', 'Bea 2', 'Bea 3']);
    const cursors = changes.map((c) => Number(c.cursor.split('.')[1]));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);

    // The old view plus the replayed changes is exactly what a fresh snapshot says.
    const resumed = new Map(first.view);
    for (const c of changes)
      for (const op of c.ops)
        op.op === 'put'
          ? resumed.set(op.key, op.value)
          : resumed.delete(op.key);
    // A cursor past the end of the log (a restored backup) is unknown too: snapshot.
    const future = await connect(bea, `${again.cursor!.split('.')[0]}.999999`);
    expect(future.messages[0].type).toBe('snapshot');
    expect(future.view).toEqual(resumed);
    const stale = await connect(bea, 'otherepoch.1');
    expect(stale.messages[0].type).toBe('snapshot');
    expect(stale.view).toEqual(resumed);
  });

  it('a revoked session’s socket closes at once; a bad token is refused at the upgrade', async () => {
    const token = await t.login('+34622000003', 'lost phone');
    const other = await t.login('+34622000003', 'new phone');
    const sock = await connect(token);
    const me = expectStatus(
      await t.request('GET', '/v1/me', { token: other }),
      200,
    );
    const lost = me.sessions.find((x: any) => x.deviceName === 'lost phone');
    expectStatus(
      await t.request('DELETE', `/v1/me/sessions/${lost.id}`, { token: other }),
      204,
    );
    await waitFor(() => sock.closed, 'socket closed');
    expect(sock.messages.at(-1)).toMatchObject({
      type: 'error',
      code: 'unauthorized',
    });
    // Browsers pass ?token= and cannot see an upgrade's status: they get one error message and a 4401 close.
    const refused = await TestSocket.connect(t.url, token);
    await waitFor(() => refused.closed, 'refused socket closed');
    expect(refused.messages).toEqual([
      {
        type: 'error',
        cursor: null,
        code: 'unauthorized',
        message: expect.any(String),
      },
    ]);
    expect(refused.closeCode).toBe(4401);
    // Clients that send the Authorization header get a plain 401 at the upgrade.
    await expect(
      TestSocket.connect(t.url, '', null, 'nonsense'),
    ).rejects.toThrow(/401/);
  });

  it('delivery receipts: which dashboards and phones have each change', async () => {
    const phoneToken = await t.login('+34622000004');
    const m = await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: '+34622000004', groupIds: [s.group.id] },
    });
    const member = expectStatus(m, 201).member;
    const phone = await connect(phoneToken);
    const dash = await connect(s.owner);
    let from = phone.messages.length;
    expectStatus(
      await t.request('PATCH', `/v1/members/${member.id}`, {
        token: s.owner,
        body: { name: 'Carla' },
      }),
      200,
    );
    await phone.next((x) => x.type === 'change', 'change on the phone', from);
    await dash.next(
      (x) =>
        x.type === 'change' &&
        x.ops.some((o: any) => o.key.endsWith(`/admin.member/${member.id}`)),
      'change on the dashboard',
    );
    const before = expectStatus(
      await t.request('GET', `/v1/spaces/${s.space.id}/receipts`, {
        token: s.owner,
      }),
      200,
    ).receipts;
    const phoneChange = before.find((r: any) => r.cursor === phone.cursor);
    expect(phoneChange.phones).toMatchObject({ total: 1, received: 0 });
    phone.ack();
    dash.ack();
    await waitFor(async () => {
      const r = expectStatus(
        await t.request('GET', `/v1/spaces/${s.space.id}/receipts`, {
          token: s.owner,
        }),
        200,
      ).receipts;
      return (
        r.find((x: any) => x.cursor === phone.cursor)?.phones.received === 1 &&
        r.find((x: any) => x.cursor === dash.cursor)?.dashboards.received >= 1
      );
    }, 'receipts updated');
    from = phone.messages.length;
    // Members cannot read receipts; another tenant gets 404.
    expect(
      (
        await t.request('GET', `/v1/spaces/${s.space.id}/receipts`, {
          token: phoneToken,
        })
      ).status,
    ).toBe(403);
    const stranger = await t.login('+34622000099');
    expect(
      (
        await t.request('GET', `/v1/spaces/${s.space.id}/receipts`, {
          token: stranger,
        })
      ).status,
    ).toBe(404);
  });

  it('a cursor older than the retention window gets a fresh snapshot', async () => {
    const token = await t.login('+34622000005');
    await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: '+34622000005', groupIds: [s.group.id] },
    });
    const first = await connect(token);
    const cursor = first.cursor;
    first.close();
    expectStatus(
      await t.request('PATCH', `/v1/spaces/${s.space.id}`, {
        token: s.owner,
        body: { name: 'HQ renamed' },
      }),
      200,
    );
    clock.advance(31 * 24 * 3_600_000); // past the 30-day default window
    await t.server.ctx.sync!.compact();
    const again = await connect(token, cursor);
    expect(again.messages[0].type).toBe('snapshot');
    expect(again.entries('space')[0]![1].name).toBe('HQ renamed');
  });
});
