import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface Backend {
  name: string;
  /** host:port of the node's own HTTP listener. */
  address: string;
}

/**
 * HAProxy in front of the nodes, for HTTP and the /v1/sync WebSockets (deploy/haproxy/ holds the
 * same settings for production, with TLS). A node is taken out after three failed /readyz
 * checks (about 4 s), and the sockets it held are cut at once (`on-marked-down shutdown-sessions`)
 * so phones reconnect to another node instead of waiting on a dead one. Requests are retried
 * elsewhere only when the connection to a node failed — never a request a node may have begun
 * (an open must not pulse twice).
 */
export function haproxyConfig(port: number, backends: Backend[]): string {
  return `global
  # Each connection takes two descriptors (client and node); this machine allows 20,000.
  maxconn 9500

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A sync WebSocket is quiet between heartbeats (15 s by default).
  timeout tunnel 1h
  timeout check 5s
  option redispatch
  retries 2

frontend keyway
  bind 127.0.0.1:${port}
  # The nodes trust it from here (KEYWAY_TRUST_PROXY): login limits count per client address.
  option forwardfor
  default_backend nodes

backend nodes
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  # Checked every 2 s; after a failure every second (fastinter), so a node whose /readyz fails
  # three times in a row (a fenced node, its broker link lost, a drain) is out within about 4 s
  # and its sockets are cut at once; two passes bring it back. A check waits 5 s at most.
  default-server inter 2s fastinter 1s downinter 2s fall 3 rise 2 on-marked-down shutdown-sessions
${backends.map((b) => `  server ${b.name} ${b.address} check`).join('\n')}
`;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts Debian's haproxy on 127.0.0.1:port with the config above, written under dir. */
export async function startHaproxy(
  dir: string,
  port: number,
  backends: Backend[],
): Promise<ChildProcess> {
  const bin = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find(existsSync);
  if (!bin)
    throw new Error(
      'haproxy is missing: apt-get install -y haproxy (npm run cluster installs it where it can)',
    );
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, backends));
  const child = spawn(bin, ['-f', cfg, '-db'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null)
      throw new Error(`haproxy exited at start (config: ${cfg})`);
    if (Date.now() > deadline) throw new Error('haproxy did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}
