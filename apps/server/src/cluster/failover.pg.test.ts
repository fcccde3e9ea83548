import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncClient } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DEMO } from '../demo-data';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { waitFor } from '../test/unit-process';
import { TestSocket } from '../test/ws-client';

// `npm run cluster` as a newcomer runs it — 3 node processes, PostgreSQL, NATS, Mosquitto with
// dynamic security, HAProxy, the demo unit — and one node SIGKILLed in the middle of a stream
// of writes and opens from several clients through the one URL (issue 17).

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
interface ClusterInfo {
  url: string;
  mqttUrl: string;
  outbox: string;
  nodes: { pid: number; url: string }[];
}

let db: TestDatabase;
let launcher: ChildProcess;
let info: ClusterInfo;
const dir = () => join(db.dataDir, 'cluster');

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) {
  const res = await fetch(`${info.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, body: json };
}

async function login(phone: string): Promise<string> {
  expect(
    (await call('POST', '/v1/auth/code', undefined, { phone })).status,
  ).toBe(202);
  const code = readFileSync(info.outbox, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.to === phone)
    .at(-1).code;
  const r = await call('POST', '/v1/auth/verify', undefined, { phone, code });
  expect(r.status).toBe(200);
  return r.body.token;
}

/** A phone or dashboard on the cluster URL: the real SyncClient, recording what it applied. */
function client(token: string) {
  const changes: number[] = [];
  let snapshots = 0;
  const c = new SyncClient({
    url: `${info.url.replace(/^http/, 'ws')}/v1/sync`,
    token,
    WebSocketImpl: WebSocket as never,
    backoff: { minMs: 100, maxMs: 2000 },
  });
  c.on('change', (ch) => {
    if (ch.kind === 'snapshot') snapshots++;
    else changes.push(Number(ch.cursor.split('.')[1]));
  });
  c.start();
  return { c, changes, snapshots: () => snapshots, token };
}

beforeAll(async () => {
  db = await createTestDatabase();
  launcher = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/server/src/cluster/launch.ts',
      '--nodes',
      '3',
      '--dir',
      dir(),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, KEYWAY_DATABASE_URL: db.databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await waitFor(
    () => existsSync(join(dir(), 'cluster.json')),
    'cluster.json',
    90_000,
  );
  info = JSON.parse(readFileSync(join(dir(), 'cluster.json'), 'utf8'));
}, 120_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    const exited = new Promise((r) => launcher.once('exit', r));
    launcher.kill('SIGTERM');
    await exited;
  }
  rmSync(dir(), { recursive: true, force: true });
  await db?.drop();
});

describe('npm run cluster: a node killed mid-stream', () => {
  it('loses no acknowledged write, delivers each change once and in order on the survivors, pulses no door twice, moves the lease', async () => {
    expect(info.nodes).toHaveLength(3);
    const admin = await login(DEMO.admin.phone);
    const member = await login(DEMO.basic.phone);
    const spaceId = (await call('GET', '/v1/spaces', admin)).body.spaces[0].id;
    const groupId = (await call('GET', `/v1/spaces/${spaceId}/groups`, admin))
      .body.groups[0].id;
    const doorId = (await call('GET', `/v1/spaces/${spaceId}/doors`, admin))
      .body.doors[0].id;
    const clients = [admin, admin, admin, member, member, member].map(client);
    await waitFor(
      () => clients.every((k) => k.c.status === 'live'),
      'every client live',
    );

    const readyz = async (url: string) =>
      (await fetch(`${url}/readyz`).then((r) => r.json())) as {
        leader: boolean;
      };
    const leaderIndex = (
      await Promise.all(info.nodes.map((n) => readyz(n.url)))
    ).findIndex((r) => r.leader);
    expect(leaderIndex).toBeGreaterThanOrEqual(0);

    const acknowledged: string[] = [];
    const opens = { requests: 0, opened: 0 };
    for (let i = 0; i < 40; i++) {
      if (i === 15) process.kill(info.nodes[leaderIndex]!.pid, 'SIGKILL');
      const name = `Residents ${i}`;
      const r = await call('PATCH', `/v1/groups/${groupId}`, admin, { name });
      if (r.status === 200) acknowledged.push(name);
      if (i % 4 === 0) {
        opens.requests++;
        const o = await call('POST', `/v1/doors/${doorId}/open`, member);
        if (o.status === 200 && o.body.result === 'opened') opens.opened++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // One last acknowledged write: every client ends on it.
    await waitFor(
      async () =>
        (await call('PATCH', `/v1/groups/${groupId}`, admin, { name: 'Final' }))
          .status === 200,
      'a write after the kill',
    );
    const groupName = (k: (typeof clients)[number]) =>
      (
        (k.c.entries('group')[0] ?? k.c.entries('admin.group')[0])?.[1] as
          | { name?: string }
          | undefined
      )?.name;
    await waitFor(
      () =>
        clients.every((k) => k.c.status === 'live' && groupName(k) === 'Final'),
      'every client on the final name',
      30_000,
    ).catch((err) => {
      throw new Error(
        `${err.message}: ${JSON.stringify(clients.map((k) => [k.c.status, groupName(k), k.changes.length, k.snapshots()]))}`,
      );
    });

    expect(acknowledged.length).toBeGreaterThan(30);
    for (const k of clients) {
      expect(new Set(k.changes).size).toBe(k.changes.length); // nothing twice
      expect([...k.changes].sort((a, b) => a - b)).toEqual(k.changes); // in order
      expect(k.snapshots()).toBe(1); // resumed by cursor, never a new snapshot
      const fresh = await TestSocket.connect(info.url, k.token);
      expect(Object.fromEntries(k.c.view)).toEqual(
        Object.fromEntries(fresh.view),
      );
      fresh.close();
      k.c.stop();
    }
    // Every acknowledged rename is in the access log (an admin.change each).
    const events = (
      await call(
        'GET',
        `/v1/spaces/${spaceId}/events?type=admin.change&limit=200`,
        admin,
      )
    ).body.events as { data?: { changes?: { name?: string } } }[];
    const logged = new Set(events.map((e) => e.data?.changes?.name));
    for (const name of acknowledged) expect(logged, name).toContain(name);
    // No request pulsed twice: at most one granted open per request, one for each "opened".
    const granted = (
      await call(
        'GET',
        `/v1/spaces/${spaceId}/events?type=door.open&limit=200`,
        admin,
      )
    ).body.events.filter((e: { result?: string }) => e.result === 'granted');
    expect(granted.length).toBeGreaterThanOrEqual(opens.opened);
    expect(granted.length).toBeLessThanOrEqual(opens.requests);
    // The lease moved to a survivor.
    const survivors = info.nodes.filter((_, i) => i !== leaderIndex);
    await waitFor(
      async () =>
        (await Promise.all(survivors.map((n) => readyz(n.url)))).some(
          (r) => r.leader,
        ),
      'a survivor takes the lease',
    );
  }, 180_000);
});
