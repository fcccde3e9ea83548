import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';

/**
 * Heartbeats as a phone on a real link sees them (issue 22). The heartbeat does not depend on
 * the storage, so this file runs once (on SQLite).
 */

interface Counted {
  ws: WebSocket;
  pings: number;
  heartbeats: number;
  closed: number | null;
}

/** A raw /v1/sync socket that counts pings and heartbeat messages and answers pings `pongAfter` ms late. */
async function counted(
  url: string,
  token: string,
  pongAfter = 0,
): Promise<Counted> {
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}/v1/sync?token=${token}`,
    {
      autoPong: false,
    },
  );
  const c: Counted = { ws, pings: 0, heartbeats: 0, closed: null };
  ws.on('ping', (data) => {
    c.pings++;
    setTimeout(() => {
      if (ws.readyState === WebSocket.OPEN) ws.pong(data);
    }, pongAfter);
  });
  ws.on('message', (d) => {
    if (JSON.parse(String(d)).type === 'heartbeat') c.heartbeats++;
  });
  ws.on('close', (code) => {
    c.closed = code;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

async function memberToken(t: TestServer) {
  const s = await buildSpace(t);
  expectStatus(
    await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: PHONES.member, groupIds: [s.group.id] },
    }),
    201,
  );
  return { owner: s.owner, member: await t.login(PHONES.member) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sync heartbeats', () => {
  const servers: TestServer[] = [];
  const sockets: Counted[] = [];
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    for (const t of servers) await t.stop();
  });

  it('a default server sends one phone and one dashboard at most 5 heartbeats in 60 s', async () => {
    const t = await TestServer.start();
    servers.push(t);
    const { owner, member } = await memberToken(t);
    const phone = await counted(t.url, member, 150);
    const dashboard = await counted(t.url, owner, 150);
    sockets.push(phone, dashboard);
    await sleep(60_000);
    for (const c of [phone, dashboard]) {
      expect(c.closed).toBeNull();
      expect(c.heartbeats).toBeLessThanOrEqual(5);
      expect(c.pings).toBeLessThanOrEqual(5);
      expect(c.heartbeats).toBeGreaterThanOrEqual(3);
    }
  }, 90_000);

  it('with a short interval: one heartbeat per interval, and pongs 150 ms late keep the socket', async () => {
    const every = 400;
    const t = await TestServer.start({
      env: { KEYWAY_SYNC_HEARTBEAT_MS: String(every) },
    });
    servers.push(t);
    const { owner, member } = await memberToken(t);
    const phone = await counted(t.url, member, 150);
    const dashboard = await counted(t.url, owner, 150);
    sockets.push(phone, dashboard);
    const intervals = 10;
    const from = { phone: phone.heartbeats, dashboard: dashboard.heartbeats };
    await sleep(every * intervals);
    expect(phone.closed).toBeNull();
    expect(dashboard.closed).toBeNull();
    // Ten intervals: ten heartbeats, give or take the one at either end of the window.
    for (const [c, start] of [
      [phone, from.phone],
      [dashboard, from.dashboard],
    ] as const) {
      const n = c.heartbeats - start;
      expect(n).toBeGreaterThanOrEqual(intervals - 1);
      expect(n).toBeLessThanOrEqual(intervals + 1);
    }
  });

  it('closes a socket that answers nothing for two intervals, not before', async () => {
    const every = 300;
    const t = await TestServer.start({
      env: { KEYWAY_SYNC_HEARTBEAT_MS: String(every) },
    });
    servers.push(t);
    const { member } = await memberToken(t);
    // Never pongs, never sends: silent from the start.
    const mute = await counted(t.url, member, 10 * 60_000);
    sockets.push(mute);
    const opened = performance.now();
    while (mute.closed === null && performance.now() - opened < 10 * every)
      await sleep(10);
    const after = performance.now() - opened;
    expect(mute.closed).toBe(1006);
    expect(after).toBeGreaterThanOrEqual(2 * every - 20);
  });
});
