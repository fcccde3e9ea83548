import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startHaproxy } from '../../apps/server/src/cluster/haproxy';
import { LocalMosquitto } from '../../apps/server/src/cluster/mosquitto';
import { NatsProcess } from '../../apps/server/src/cluster/nats';
import { newSecret } from '../../apps/server/src/ids';
import { createTestDatabase } from '../../apps/server/src/test/db';
import { ServerProcess } from '../../apps/server/src/test/server-process';
import { freePort, onCleanup, track } from '../lib/procs';
import { sleep } from '../sync/worker';

/**
 * The cluster under test, as `npm run cluster` lays it out (docs/cluster.md) but with the
 * bench's own engines: a fresh PostgreSQL database (dropped at the end), a nats-server and a
 * Mosquitto with dynamic security on free ports, N node processes on fixed ports (so a killed
 * node restarts where HAProxy expects it), and HAProxy in front when asked for.
 */
export interface Node {
  id: string;
  port: number;
  url: string;
  server: ServerProcess;
}

export class Cluster {
  readonly nodes: Node[] = [];
  private constructor(
    readonly dataDir: string,
    readonly databaseUrl: string,
    readonly nats: NatsProcess,
    readonly mosquitto: LocalMosquitto,
    private readonly env: Record<string, string>,
  ) {}

  /** The database (created empty and migrated by `prepare`, e.g. seeding), NATS and Mosquitto. */
  static async engines(
    prepare: (db: { dataDir: string; databaseUrl: string }) => Promise<void>,
  ): Promise<Cluster> {
    process.env.KEYWAY_TEST_DB = 'postgres';
    const db = await createTestDatabase();
    onCleanup(db.drop);
    await prepare({ dataDir: db.dataDir, databaseUrl: db.databaseUrl! });
    const nats = await NatsProcess.start();
    onCleanup(() => nats.stop());
    const mosquitto = await LocalMosquitto.start({ password: newSecret(18) });
    onCleanup(() => mosquitto.stop());
    const env = {
      KEYWAY_DATABASE_URL: db.databaseUrl!,
      KEYWAY_NATS_URL: nats.url,
      KEYWAY_MQTT_URL: mosquitto.adminUrl,
      KEYWAY_MQTT_PUBLIC_URL: mosquitto.url,
      KEYWAY_LOG_LEVEL: 'warn',
      KEYWAY_AUTH_PER_IP: '100000',
      KEYWAY_CODES_PER_PHONE: '1000',
    };
    return new Cluster(db.dataDir, db.databaseUrl!, nats, mosquitto, env);
  }

  /** Starts nodes 1..n: the first alone (it migrates and recomputes), then the others together. */
  async start(n: number): Promise<void> {
    for (let i = 0; i < n; i++)
      this.nodes.push({
        id: `node-${i + 1}`,
        port: await freePort(),
        url: '',
        server: undefined as never,
      });
    await this.boot(0);
    await Promise.all(this.nodes.slice(1).map((_, k) => this.boot(k + 1)));
  }

  /** (Re)starts node i on its port; resolves once its /readyz says 200. */
  async boot(i: number): Promise<void> {
    const node = this.nodes[i]!;
    node.server = await ServerProcess.start(
      {
        dataDir: this.dataDir,
        databaseUrl: this.databaseUrl,
        outbox: join(this.dataDir, 'sms.jsonl'),
        port: node.port,
        mqttPort: await freePort(),
        env: { ...this.env, KEYWAY_NODE_ID: node.id },
      },
      600_000,
    );
    track(node.server.child);
    node.url = node.server.url;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ok = await fetch(`${node.url}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${node.id} never ready`);
      await sleep(100);
    }
  }

  /** HAProxy over every node, as `npm run cluster` configures it; its URL. */
  async haproxy(): Promise<string> {
    const port = await freePort();
    const child: ChildProcess = await startHaproxy(
      this.dataDir,
      port,
      this.nodes.map((n) => ({ name: n.id, address: `127.0.0.1:${n.port}` })),
    );
    track(child);
    return `http://127.0.0.1:${port}`;
  }

  /** Last log lines of every node, for an error report. */
  tails(): string {
    return this.nodes
      .map((n) => `--- ${n.id}\n${n.server?.output.slice(-2000) ?? ''}`)
      .join('\n');
  }
}
