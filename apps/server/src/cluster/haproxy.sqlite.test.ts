import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../test/unit-process';
import { haproxyConfig, startHaproxy } from './haproxy';
import { freePort } from './nats';

// Issue 17: HAProxy in front of the nodes (the local cluster's config, and deploy/haproxy/ for
// production) checks /readyz with the same timings, and takes a node whose /readyz fails out:
// no new request goes to it and the sockets it held are cut. Real Debian haproxy; the nodes are
// two plain HTTP servers whose /readyz the test turns off (no database: runs once, here).

const HEALTH = [
  'option httpchk GET /readyz',
  'http-check expect status 200',
  'timeout check 5s',
  'default-server inter 2s fastinter 1s downinter 2s fall 3 rise 2 on-marked-down shutdown-sessions',
];
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'keyway-haproxy-'));
let haproxy: ChildProcess | undefined;
const servers: Server[] = [];

afterAll(async () => {
  haproxy?.kill('SIGKILL');
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(tmp, { recursive: true, force: true });
});

/** A stand-in node: /readyz as `ready` says, /who its name, /hold a response that never ends. */
async function node(name: string) {
  const state = { ready: true, held: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/readyz') res.writeHead(state.ready ? 200 : 503).end();
    else if (req.url === '/hold') {
      state.held++;
      res.writeHead(200).write('held\n');
    } else res.writeHead(200).end(name);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { name, state, address: `127.0.0.1:${port}` };
}

const get = (port: number, path: string) =>
  fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.text());

describe('HAProxy in front of the nodes', () => {
  it('the generated and the shipped configs check /readyz with the same timings', () => {
    const generated = haproxyConfig(8080, [
      { name: 'node-1', address: '127.0.0.1:9001' },
    ]);
    const shipped = readFileSync(
      join(ROOT, 'deploy/haproxy/haproxy.cfg'),
      'utf8',
    );
    for (const cfg of [generated, shipped])
      for (const line of HEALTH) expect(cfg).toContain(`  ${line}\n`);
    const file = join(tmp, 'generated.cfg');
    writeFileSync(file, generated);
    const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/Configuration file is valid/);
  });

  it('takes out a node whose /readyz fails: its held sockets are cut, new requests go to the other', async () => {
    const a = await node('a');
    const b = await node('b');
    const port = await freePort();
    haproxy = await startHaproxy(tmp, port, [a, b]);
    await waitFor(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(await get(port, '/who'));
      return seen.size === 2;
    }, 'both nodes serving');

    // A long-lived socket (a sync WebSocket's stand-in) on each node (leastconn spreads them).
    const closed: boolean[] = [];
    for (const i of [0, 1])
      request(`http://127.0.0.1:${port}/hold`, (res) => {
        res.on('data', () => {});
        res.once('close', () => {
          closed[i] = true;
        });
      })
        .once('error', () => {
          closed[i] = true;
        })
        .end();
    await waitFor(
      () => a.state.held === 1 && b.state.held === 1,
      'a socket on each',
    );

    a.state.ready = false;
    await waitFor(async () => {
      for (let i = 0; i < 6; i++)
        if ((await get(port, '/who')) !== 'b') return false;
      return true;
    }, 'node a out of the pool');
    // a's socket was cut when it was marked down; b's is still open.
    await waitFor(() => closed.some(Boolean), 'the socket on a cut', 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(closed.filter(Boolean)).toHaveLength(1);

    a.state.ready = true;
    await waitFor(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(await get(port, '/who'));
      return seen.has('a');
    }, 'node a back in the pool');
  }, 60_000);
});
