import { NatsProcess } from '../cluster/nats';
import { createTestDatabase, type TestDatabase } from './db';
import { ServerProcess } from './server-process';
import {
  outboxOf,
  ProcessBackend,
  type SyncBackend,
  TEST_ENV,
} from './sync-backend';

/**
 * Keyway as a cluster for the sync walk (issue 17): `nodes` server processes on one PostgreSQL
 * database and a NATS of the test's own. Each request and each new socket goes to the next node
 * in turn, so writes on one node are read and pushed by the others; a restart SIGKILLs (or
 * SIGTERMs) one node, taking turns, and starts it again while the others serve.
 */
export class ClusterBackend extends ProcessBackend implements SyncBackend {
  onStopped?: () => Promise<void>;
  private turn = 0;
  private victim = 0;

  private constructor(
    private procs: ServerProcess[],
    private nats: NatsProcess,
    readonly db: TestDatabase,
    private env: Record<string, string>,
  ) {
    super();
  }

  private static spawn(
    db: TestDatabase,
    nats: NatsProcess,
    env: Record<string, string>,
    i: number,
  ) {
    return ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: outboxOf(db),
      env: {
        ...TEST_ENV,
        ...env,
        KEYWAY_NATS_URL: nats.url,
        KEYWAY_NODE_ID: `node-${i + 1}`,
      },
    });
  }

  static async start(
    nodes: number,
    env: Record<string, string> = {},
  ): Promise<ClusterBackend> {
    if (process.env.KEYWAY_TEST_DB !== 'postgres')
      throw new Error('a cluster runs on PostgreSQL (a *.pg.test.ts file)');
    const db = await createTestDatabase();
    const nats = await NatsProcess.start();
    const procs: ServerProcess[] = [];
    try {
      // The first node migrates the database; the others start beside it.
      procs.push(await ClusterBackend.spawn(db, nats, env, 0));
      for (let i = 1; i < nodes; i++)
        procs.push(await ClusterBackend.spawn(db, nats, env, i));
      return new ClusterBackend(procs, nats, db, env);
    } catch (err) {
      for (const p of procs) await p.kill('SIGKILL');
      await nats.stop();
      await db.drop();
      throw err;
    }
  }

  /** The next node in turn. */
  get url(): string {
    const p = this.procs[this.turn++ % this.procs.length]!;
    return p.url;
  }
  get urls(): string[] {
    return this.procs.map((p) => p.url);
  }
  get output(): string {
    return this.procs
      .map((p, i) => `--- node-${i + 1}\n${p.output}`)
      .join('\n');
  }
  async restart(how: 'graceful' | 'kill'): Promise<string> {
    const i = this.victim++ % this.procs.length;
    const old = this.procs[i]!;
    await old.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
    await this.onStopped?.();
    this.procs[i] = await ClusterBackend.spawn(this.db, this.nats, this.env, i);
    return old.url;
  }

  async stop(): Promise<void> {
    try {
      for (const p of this.procs) await p.kill('SIGKILL');
      await this.nats.stop();
    } finally {
      await this.db.drop();
    }
  }
}
