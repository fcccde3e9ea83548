import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { waitFor } from './test/unit-process';
import { TestSocket } from './test/ws-client';

describe('push sync at the edges', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  const sockets: TestSocket[] = [];
  const connect = async (token: string, cursor?: string | null) => {
    const sock = await TestSocket.connect(t.url, token, cursor);
    sockets.push(sock);
    return sock;
  };

  beforeAll(async () => {
    // Frequent heartbeats. (The slow-consumer rule is tested in sync/ws-session.unit.test.ts:
    // over loopback the kernel's socket buffers absorb megabytes before it could trigger.)
    t = await TestServer.start({
      env: { KEYWAY_SYNC_HEARTBEAT_MS: '200' },
    });
    s = await buildSpace(t);
  });
  afterAll(async () => {
    for (const sock of sockets) sock.close();
    await t?.stop();
  });

  it('heartbeats carry the cursor', async () => {
    const sock = await connect(s.owner);
    const hb = await sock.next((m) => m.type === 'heartbeat', 'a heartbeat');
    expect(hb.cursor).toBe(sock.cursor);
  });

  it('demoting an admin takes the space off her dashboard at once; promoting brings it back', async () => {
    const phone = '+34644000001';
    const token = await t.login(phone);
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/admins`, {
        token: s.owner,
        body: { phone, role: 'admin' },
      }),
      201,
    );
    const dash = await connect(token);
    expect(dash.entries('admin.door')).toHaveLength(2);
    const me = expectStatus(
      await t.request('GET', '/v1/me', { token }),
      200,
    ).user;
    expectStatus(
      await t.request('DELETE', `/v1/spaces/${s.space.id}/admins/${me.id}`, {
        token: s.owner,
      }),
      204,
    );
    await waitFor(
      () =>
        dash.entries('admin.door').length === 0 &&
        dash.entries('admin.space').length === 0,
      'space gone from her dashboard',
    );
    // Later changes in that space never reach her.
    const from = dash.messages.length;
    expectStatus(
      await t.request('PATCH', `/v1/doors/${s.door.id}`, {
        token: s.owner,
        body: { name: 'Secret gate' },
      }),
      200,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(JSON.stringify(dash.messages.slice(from))).not.toContain(
      'Secret gate',
    );
    // Viewer again: it comes back.
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/admins`, {
        token: s.owner,
        body: { phone, role: 'viewer' },
      }),
      201,
    );
    await waitFor(
      () =>
        dash.entries('admin.door').some(([, d]) => d.name === 'Secret gate'),
      'space back on her dashboard',
    );
  });

  it('a client message that is not JSON closes the socket with invalid_message', async () => {
    const sock = await connect(s.owner);
    sock.ws.send('not json');
    await waitFor(() => sock.closed, 'closed');
    expect(sock.messages.at(-1)).toMatchObject({
      type: 'error',
      code: 'invalid_message',
    });
  });

  it('deleting a space empties it from members’ phones and admins’ dashboards', async () => {
    const owner = await t.login('+34644000010');
    const sp = expectStatus(
      await t.request('POST', '/v1/spaces', {
        token: owner,
        body: { name: 'Doomed', timezone: 'UTC' },
      }),
      201,
    ).space;
    const g = expectStatus(
      await t.request('POST', `/v1/spaces/${sp.id}/groups`, {
        token: owner,
        body: { name: 'All' },
      }),
      201,
    ).group;
    const memberToken = await t.login('+34644000011');
    expectStatus(
      await t.request('POST', `/v1/spaces/${sp.id}/members`, {
        token: owner,
        body: { phone: '+34644000011', groupIds: [g.id] },
      }),
      201,
    );
    const phone = await connect(memberToken);
    const dash = await connect(owner);
    expect(phone.entries('space').map(([k]) => k)).toEqual([
      `${sp.id}/space/${sp.id}`,
    ]);
    expect(dash.entries('admin.space')).toHaveLength(1);
    expectStatus(
      await t.request('DELETE', `/v1/spaces/${sp.id}`, { token: owner }),
      204,
    );
    await waitFor(() => phone.view.size === 0, 'the space leaves her phone');
    await waitFor(
      () => dash.entries('admin.space').length === 0 && dash.view.size === 0,
      'the space leaves the dashboard',
    );
  });
});
