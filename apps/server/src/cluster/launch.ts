import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startUnit } from '../demo-data';
import { newSecret } from '../ids';
import { buildWebApps } from '../web-build';
import { seedDemoOverApi } from './demo-api';
import { startHaproxy } from './haproxy';
import { LocalMosquitto } from './mosquitto';
import { freePort, NatsProcess } from './nats';

/**
 * `npm run cluster -- --nodes N --dir DIR [--port P]`: a local Keyway cluster for a newcomer and
 * for the tests — N nodes on PostgreSQL, NATS, a Mosquitto with dynamic security and HAProxy in
 * front, the demo building and one simulated unit on the broker. Writes DIR/cluster.json once
 * everything answers; SIGINT/SIGTERM stops what it started (docs/cluster.md).
 */
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    dir: { type: 'string', default: './cluster-data' },
    port: { type: 'string', default: '0' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run cluster -- [--nodes 3] [--dir ./cluster-data] [--port 0]\n\nKEYWAY_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/keyway_cluster, created if missing) and KEYWAY_NATS_URL (default: a nats-server started here) choose the engines.\n',
  );
  process.exit(0);
}
const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) {
  process.stderr.write('--nodes must be a whole number from 1 to 16\n');
  process.exit(2);
}
const dir = resolve(values.dir!);
mkdirSync(dir, { recursive: true });
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVER_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
  process.exit(code);
}
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

/** The cluster's own database (created on first use), and its URL. */
async function database(): Promise<string> {
  const url = new URL(
    process.env.KEYWAY_DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/keyway_cluster',
  );
  const name = url.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [
    name,
  ]);
  if (!found.rowCount)
    await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await c.end();
  return url.toString();
}

function ensureHaproxy(): void {
  if (existsSync('/usr/sbin/haproxy') || existsSync('/usr/bin/haproxy')) return;
  if (process.getuid?.() !== 0) return; // startHaproxy says how to install it
  process.stdout.write("installing Debian's haproxy\n");
  execFileSync('apt-get', ['install', '-y', '-qq', 'haproxy'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function ready(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} never became ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Node {
  id: string;
  port: number;
  child: ChildProcess;
  url: string;
}

function startNode(i: number, port: number, env: NodeJS.ProcessEnv): Node {
  const id = `node-${i}`;
  const log = createWriteStream(join(dir, `${id}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      KEYWAY_NODE_ID: id,
      KEYWAY_PORT: String(port),
      KEYWAY_LOG_PRETTY: 'false',
      KEYWAY_WEB_BUILD: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return { id, port, child, url: `http://127.0.0.1:${port}` };
}

try {
  // Once here, not in each node at the same time.
  if (!values['no-build']) buildWebApps((l) => process.stdout.write(`${l}\n`));
  ensureHaproxy();
  const databaseUrl = await database();
  let natsUrl = process.env.KEYWAY_NATS_URL;
  if (!natsUrl) {
    const nats = await NatsProcess.start();
    cleanups.push(() => nats.stop());
    natsUrl = nats.url;
  }
  const mosquitto = await LocalMosquitto.start({
    dir: join(dir, 'mosquitto'),
    password: newSecret(18),
  });
  cleanups.push(() => mosquitto.stop());
  const outbox = join(dir, 'sms-outbox.jsonl');
  const env = {
    KEYWAY_DATABASE_URL: databaseUrl,
    KEYWAY_NATS_URL: natsUrl,
    KEYWAY_MQTT_URL: mosquitto.adminUrl,
    KEYWAY_MQTT_PUBLIC_URL: mosquitto.url,
    KEYWAY_SMS_OUTBOX: outbox,
    KEYWAY_TRUST_PROXY: 'loopback',
  };
  // The first node migrates the database; the others start beside it once it answers.
  const ports = await Promise.all(
    Array.from({ length: nodes }, () => freePort()),
  );
  const started = [startNode(1, ports[0]!, env)];
  await ready(started[0]!.url);
  for (let i = 2; i <= nodes; i++)
    started.push(startNode(i, ports[i - 1]!, env));
  await Promise.all(started.map((n) => ready(n.url)));
  const port = Number(values.port) || (await freePort());
  const haproxy = await startHaproxy(
    dir,
    port,
    started.map((n) => ({ name: n.id, address: `127.0.0.1:${n.port}` })),
  );
  children.push(haproxy);
  const url = `http://127.0.0.1:${port}`;
  await ready(url);
  const { credentials } = await seedDemoOverApi(url, outbox);
  children.push(startUnit(credentials, dir, 'ignore'));

  const info = {
    url,
    mqttUrl: mosquitto.url,
    outbox,
    nodes: started.map((n) => ({ pid: n.child.pid, url: n.url })),
  };
  writeFileSync(
    join(dir, 'cluster.json'),
    `${JSON.stringify(info, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdout.write(
    `\n  Keyway cluster: ${nodes} nodes behind ${url} (phone app ${url}/app/, dashboard ${url}/admin/)\n  SMS codes: ${outbox} · logs: ${dir}/node-*.log · stop with Ctrl-C\n`,
  );
  // A node that dies is the point of a cluster: say so and keep the rest serving.
  for (const n of started)
    n.child.once('exit', (code, signal) => {
      if (!stopping)
        process.stdout.write(
          `  ${n.id} (pid ${n.child.pid}) exited (${signal ?? code}); the others go on serving\n`,
        );
    });
} catch (err) {
  process.stderr.write(`npm run cluster: ${(err as Error).message}\n`);
  await stopAll(1);
}
