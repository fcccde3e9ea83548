import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../demo-data';
import { NetNamespace } from '../test/netns';
import { PostgresProcess } from '../test/postgres-process';
import { ServerProcess } from '../test/server-process';
import { httpRequest } from '../test/sync-backend';
import { waitFor } from '../test/unit-process';
import { seedDemoOverApi } from './demo-api';
import { NatsProcess } from './nats';

// Issue 17: a node cut off from the others on the network — a real separate host (a network
// namespace joined by a veth pair), its link taken down so packets vanish — never serves a
// stale view as current, and recovers when the link comes back. Node A and the engines
// (PostgreSQL, NATS) are on this host; node B and a phone talking to it are on the other.

const PHONE = fileURLToPath(new URL('../test/netns-phone.ts', import.meta.url));
const FENCE_MS = 2000;

interface PhoneEvent {
  t: number;
  ev: 'status' | 'change' | 'error';
  status?: string;
  kind?: string;
  cursor?: string;
  group?: string | null;
  code?: string;
}

let ns: NetNamespace;
let pg: PostgresProcess;
let nats: NatsProcess;
let a: ServerProcess;
let b: ServerProcess;
let bPort: number;
let phone: ChildProcess;
const events: PhoneEvent[] = [];
let dir: string;
let outbox: string;

const call = (
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) => httpRequest(url, method, path, { token, body });

async function login(phoneNumber: string): Promise<string> {
  expect(
    (
      await call(a.url, 'POST', '/v1/auth/code', undefined, {
        phone: phoneNumber,
      })
    ).status,
  ).toBe(202);
  const code = readFileSync(outbox, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.to === phoneNumber)
    .at(-1).code;
  const r = await call(a.url, 'POST', '/v1/auth/verify', undefined, {
    phone: phoneNumber,
    code,
  });
  expect(r.status).toBe(200);
  return r.body.token;
}

/** An HTTP request made from inside the other host (node B's own loopback). */
function fromHostB(
  path: string,
  token: string,
): { status: number; body: string } {
  const script = `fetch(${JSON.stringify(`http://127.0.0.1:${bPort}${path}`)}, {headers: {authorization: ${JSON.stringify(`Bearer ${token}`)}}, signal: AbortSignal.timeout(8000)}).then(async (r) => console.log(JSON.stringify({status: r.status, body: await r.text()})), (e) => console.log(JSON.stringify({status: 0, body: String(e)})))`;
  const out = execFileSync(
    ns.command()[0]!,
    [...ns.command().slice(1), process.execPath, '-e', script],
    { encoding: 'utf8', timeout: 15_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const last = (ev: PhoneEvent['ev']) => events.filter((e) => e.ev === ev).at(-1);

beforeAll(async () => {
  ns = NetNamespace.create();
  pg = await PostgresProcess.start([ns.localAddress]);
  nats = await NatsProcess.start('0.0.0.0');
  dir = mkdtempSync(join(tmpdir(), 'keyway-partition-'));
  outbox = join(dir, 'sms.jsonl');
  const env = {
    KEYWAY_CLUSTER_FENCE_MS: String(FENCE_MS),
    KEYWAY_SYNC_HEARTBEAT_MS: '1000',
  };
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  a = await ServerProcess.start({
    dataDir: join(dir, 'a'),
    databaseUrl: pg.url,
    outbox,
    env: { ...env, KEYWAY_NATS_URL: nats.url, KEYWAY_NODE_ID: 'node-a' },
  });
  const viaVeth = (u: string) => {
    const url = new URL(u);
    url.hostname = ns.localAddress;
    return url.toString();
  };
  b = await ServerProcess.start({
    dataDir: join(dir, 'b'),
    databaseUrl: viaVeth(pg.url),
    outbox,
    command: ns.command(),
    env: {
      ...env,
      KEYWAY_HOST: '0.0.0.0',
      KEYWAY_NATS_URL: viaVeth(nats.url),
      KEYWAY_NODE_ID: 'node-b',
    },
  });
  bPort = Number(new URL(b.url).port);
  await seedDemoOverApi(a.url, outbox);
}, 120_000);

afterAll(async () => {
  phone?.kill('SIGKILL');
  await ServerProcess.killAll();
  await nats?.stop();
  await pg?.drop();
  ns?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a node cut off from the others on the network', () => {
  it('stops vouching for its views (phones told node_isolated, requests 503) and, once the link is back, resumes them by cursor with what it missed, once', async () => {
    const admin = await login(DEMO.admin.phone);
    const member = await login(DEMO.basic.phone);
    const spaceId = (await call(a.url, 'GET', '/v1/spaces', admin)).body
      .spaces[0].id;
    const groupId = (
      await call(a.url, 'GET', `/v1/spaces/${spaceId}/groups`, admin)
    ).body.groups[0].id;

    // The member's phone, on the other host, synced from node B.
    const [bin, ...argv] = [
      ...ns.command(),
      process.execPath,
      '--import',
      'tsx',
      PHONE,
      `ws://127.0.0.1:${bPort}/v1/sync`,
      member,
    ];
    phone = spawn(bin!, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    phone.stdout!.on('data', (d) => {
      pending += String(d);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('{')) events.push(JSON.parse(l));
    });
    await waitFor(
      () => last('status')?.status === 'live' && last('change'),
      'the phone live on node B',
      30_000,
    );
    const before = last('change')!.group;
    expect(before).toBeTruthy();

    // Node B's host loses the network. The admin, on node A, renames the member's group.
    ns.cut();
    const cutAt = events.length;
    const renamed = `Renamed while B was cut off ${Date.now()}`;
    expect(
      (
        await call(a.url, 'PATCH', `/v1/groups/${groupId}`, admin, {
          name: renamed,
        })
      ).status,
    ).toBe(200);

    // B cannot know of it: it must stop presenting its view as current.
    await waitFor(
      () =>
        events
          .slice(cutAt)
          .some((e) => e.ev === 'error' && e.code === 'node_isolated'),
      'node B telling its phone it is isolated',
      30_000,
    );
    const isolatedAt = events.findIndex(
      (e, i) => i >= cutAt && e.ev === 'error' && e.code === 'node_isolated',
    );
    // Requests to B are refused with a clear error, not answered from what it had.
    const me = fromHostB('/v1/me', member);
    expect(me.status).toBe(503);
    expect(JSON.parse(me.body).error.code).toBe('node_isolated');
    // Its reconnects are refused while the link is down: the phone stays not live.
    await new Promise((r) => setTimeout(r, 3000));
    const during = events.slice(isolatedAt + 1);
    expect(during.filter((e) => e.ev === 'change')).toEqual([]);
    expect(during.filter((e) => e.status === 'live')).toEqual([]);
    expect(last('status')?.status).not.toBe('live');

    // The link comes back: B serves again, and the phone resumes with the rename, once.
    const healAt = events.length;
    ns.heal();
    await waitFor(
      () =>
        last('status')?.status === 'live' && last('change')?.group === renamed,
      'the phone resumed on node B with the rename',
      60_000,
    );
    const after = events.slice(healAt).filter((e) => e.ev === 'change');
    expect(after.filter((e) => e.kind === 'snapshot')).toEqual([]); // resumed by cursor
    expect(
      after.filter((e) => e.group === renamed).length,
    ).toBeGreaterThanOrEqual(1);
    const cursors = events
      .filter((e) => e.ev === 'change' && e.kind !== 'snapshot')
      .map((e) => Number(e.cursor!.split('.')[1]));
    expect(new Set(cursors).size).toBe(cursors.length); // nothing twice
    expect([...cursors].sort((x, y) => x - y)).toEqual(cursors); // in order
    // Nothing before the heal showed the rename, and B is ready again.
    expect(events.slice(0, healAt).some((e) => e.group === renamed)).toBe(
      false,
    );
    await waitFor(
      async () =>
        (await fetch(`http://${ns.hostAddress}:${bPort}/readyz`)).status ===
        200,
      'node B ready again',
      30_000,
    );
  }, 180_000);
});
