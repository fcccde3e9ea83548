import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { NatsProcess } from './cluster/nats';
import { buildSpace } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { waitFor } from './test/unit-process';
import { TestSocket } from './test/ws-client';

// Several server nodes on one PostgreSQL database and one NATS (issue 17). Each node is a
// whole server (its own HTTP port, hub, view cache and embedded broker) in this process.

const MACHINE_NATS =
  process.env.KEYWAY_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function cluster(
  n: number,
  opts: { natsUrl?: string; clock?: ManualClock } = {},
): Promise<TestServer[]> {
  const env = { KEYWAY_NATS_URL: opts.natsUrl ?? MACHINE_NATS };
  const first = await TestServer.start({ env, clock: opts.clock });
  const rest: TestServer[] = [];
  for (let i = 1; i < n; i++)
    rest.push(await TestServer.start({ env, db: first.db, clock: opts.clock }));
  return [first, ...rest];
}

/** The change cursors a socket received, as numbers. */
const cursors = (s: TestSocket) =>
  s.messages
    .filter((m) => m.type === 'change')
    .map((m) => Number(String(m.cursor).split('.')[1]));

const open: { nodes: TestServer[]; sockets: TestSocket[]; nats?: NatsProcess } =
  { nodes: [], sockets: [] };
afterEach(async () => {
  for (const s of open.sockets) s.close();
  // The node that owns the database goes last: it drops it.
  for (const t of open.nodes.reverse()) await t.stop();
  await open.nats?.stop();
  open.nodes = [];
  open.sockets = [];
  open.nats = undefined;
});

async function phoneOn(t: TestServer, token: string): Promise<TestSocket> {
  const s = await TestSocket.connect(t.url, token);
  open.sockets.push(s);
  return s;
}

async function renameGroup(
  t: TestServer,
  token: string,
  groupId: string,
  name: string,
) {
  expectStatus(
    await t.request('PATCH', `/v1/groups/${groupId}`, {
      token,
      body: { name },
    }),
    200,
  );
}

const groupName = (s: TestSocket) => s.entries('group')[0]?.[1]?.name;

describe('cluster: nodes over PostgreSQL and NATS', () => {
  it('a write on one node reaches a phone on another; no node computes a change from a view another node replaced', async () => {
    const [a, b] = await cluster(2);
    open.nodes.push(a!, b!);
    const s = await buildSpace(a!);
    expectStatus(
      await a!.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: { phone: '+34622000001', name: 'Ana', groupIds: [s.group.id] },
      }),
      201,
    );
    const ana = await b!.login('+34622000001');
    const onB = await phoneOn(b!, ana);
    const onA = await phoneOn(a!, ana);
    expect(groupName(onB)).toBe('Residents');

    // Alternate writers: each node's cached views are replaced by the other's write. A node that
    // trusted its cache would see "Residents" as already published and send nothing.
    const names = [
      'Vecinos',
      'Residents',
      'Vecinos',
      'Residents',
      'Neighbours',
    ];
    for (const [i, name] of names.entries()) {
      await renameGroup(i % 2 ? b! : a!, s.owner, s.group.id, name);
      await waitFor(
        () => groupName(onB) === name && groupName(onA) === name,
        `both phones show ${name}`,
      );
    }
    for (const sock of [onA, onB]) {
      const got = cursors(sock);
      expect(got.length).toBe(names.length);
      expect([...got].sort((x, y) => x - y)).toEqual(got);
      expect(new Set(got).size).toBe(got.length);
    }
    // What each node now has published is what a fresh snapshot from the other says.
    const fresh = await phoneOn(a!, ana);
    expect(fresh.view).toEqual(onB.view);
  });

  it('NATS stopped for 10 s mid-stream, then started: every change reaches the other node once, in order', async () => {
    const nats = await NatsProcess.start();
    open.nats = nats;
    const [a, b] = await cluster(2, { natsUrl: nats.url });
    open.nodes.push(a!, b!);
    const s = await buildSpace(a!);
    expectStatus(
      await a!.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: { phone: '+34622000003', name: 'Leo', groupIds: [s.group.id] },
      }),
      201,
    );
    const watcher = await phoneOn(b!, await b!.login('+34622000003'));
    const before = cursors(watcher).length;
    let n = 0;
    const write = () =>
      renameGroup(n % 3 ? a! : b!, s.owner, s.group.id, `Group ${n++}`);
    for (let i = 0; i < 5; i++) await write();
    expect((await b!.request('GET', '/readyz')).body).toMatchObject({
      ready: true,
      checks: { database: 'ok', broker: 'ok', bus: 'ok' },
    });
    await nats.stop();
    // Slower, not down: the load balancer keeps the node (http/ready.ts).
    await waitFor(
      async () =>
        (await b!.request('GET', '/readyz')).body.degraded?.[0] === 'bus',
      'readiness says the bus is down',
    );
    expect((await b!.request('GET', '/readyz')).status).toBe(200);
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      await write();
      await new Promise((r) => setTimeout(r, 400));
    }
    // Still down: the other node finds the changes by reading the log's head.
    const during = `Group ${n - 1}`;
    await waitFor(
      () => groupName(watcher) === during,
      'a rename made during the outage, before NATS is back',
      5_000,
    );
    await nats.resume();
    for (let i = 0; i < 5; i++) await write();
    const last = `Group ${n - 1}`;
    await waitFor(
      () => groupName(watcher) === last,
      'the last rename on B',
      20_000,
    );
    const got = cursors(watcher).slice(before);
    expect(got.length).toBeGreaterThanOrEqual(n);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort((x, y) => x - y)).toEqual(got);
    // Nothing lost: the socket holds exactly what a fresh snapshot holds.
    const fresh = await phoneOn(a!, await a!.login('+34622000003'));
    expect(fresh.view).toEqual(watcher.view);
  }, 60_000);

  it('the scheduling lease moves when its node stops: a frame that starts then is still pushed', async () => {
    // Tuesday 5 January 2027, 17:00 in Madrid.
    const clock = new ManualClock(Date.parse('2027-01-05T17:00:00+01:00'));
    const [a, b] = await cluster(2, { clock });
    open.nodes.push(a!, b!);
    const s = await buildSpace(a!);
    expectStatus(
      await b!.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: {
          phone: '+34622000002',
          name: 'Eva',
          groupIds: [s.group.id],
          access: {
            timeFrames: [{ days: ['tue'], from: '18:00', to: '20:00' }],
          },
        },
      }),
      201,
    );
    const eva = await b!.login('+34622000002');
    const phone = await phoneOn(b!, eva);
    const allowed = () => phone.entries('access')[0]?.[1]?.status?.allowed;
    expect(allowed()).toBe(false);
    expect(a!.server.ctx.sync?.leading).toBe(true);
    expect(b!.server.ctx.sync?.leading).toBe(false);

    await a!.server.stop(); // the leader goes; its database stays (b still uses it)
    await waitFor(() => b!.server.ctx.sync?.leading, 'b takes the lease');
    clock.set('2027-01-05T18:00:00+01:00');
    await waitFor(() => allowed() === true, 'the 18:00 frame on her phone');
  });
});
