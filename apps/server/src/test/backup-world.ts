import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncClient } from '@keyway/protocol';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { WebSocket } from 'ws';
import { type Db, sqliteFile } from '../db/connect';
import type { Database } from '../db/schema';
import { viewRows } from '../sync/shared';
import { unitAudience } from '../sync/views';
import { createTestDatabase, type TestDatabase } from './db';
import { PHONES } from './fixtures';
import { expectStatus } from './harness';
import { ServerProcess } from './server-process';
import { UnitProcess, waitFor } from './unit-process';

const CLI = fileURLToPath(new URL('../ops/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The cursors the real unit process logged as applied, in order. */
export const appliedCursors = (output: string) =>
  [...output.matchAll(/(snapshot|change) (\S+\.\d+) applied/g)].map((m) => ({
    type: m[1]!,
    cursor: m[2]!,
  }));
export const epochOf = (cursor: string | null | undefined) =>
  cursor?.slice(0, cursor.lastIndexOf('.'));
export const cursorNumber = (cursor: string) =>
  Number(cursor.slice(cursor.lastIndexOf('.') + 1));

/** Keys in order, so two views compare as JSON. */
export const sortedJson = (view: Record<string, unknown>) =>
  JSON.stringify(Object.entries(view).sort(([a], [b]) => (a < b ? -1 : 1)));

/** A SyncClient that records what it applied (snapshot or change, and the cursor). */
export interface RecordingClient {
  c: SyncClient;
  applied: { kind: string; cursor: string }[];
}

/**
 * For the backup tests: `npm run serve` as a process of its own (restarted on the same ports),
 * a space with a unit, two doors, a group and a member, the real unit agent with its state
 * file, SyncClients, and the backup/restore command run as an operator runs it.
 */
export class BackupWorld {
  db!: TestDatabase;
  server!: ServerProcess;
  unit: UnitProcess | undefined;
  owner = '';
  memberToken = '';
  spaceId = '';
  unitId = '';
  groupId = '';
  doorId = '';
  door2Id = '';
  credentials!: { username: string; password: string; mqttUrl: string };
  readonly work = mkdtempSync(join(tmpdir(), 'keyway-backup-'));
  readonly stateFile = join(this.work, 'unit-state.json');
  private ports: { port: number; mqttPort: number } | undefined;
  private clients: SyncClient[] = [];

  static async create(): Promise<BackupWorld> {
    const w = new BackupWorld();
    w.db = await createTestDatabase();
    w.server = await w.start();
    w.ports = {
      port: Number(new URL(w.server.url).port),
      mqttPort: w.server.mqttPort,
    };
    await w.buildSpace();
    return w;
  }

  /** Starts the server (again, on the ports of the first start). */
  async start(): Promise<ServerProcess> {
    this.server = await ServerProcess.start({
      dataDir: this.db.dataDir,
      databaseUrl: this.db.databaseUrl,
      outbox: join(this.db.dataDir, 'sms.jsonl'),
      ...(this.ports ?? {}),
      env: {
        KEYWAY_AUTH_PER_IP: '100000',
        KEYWAY_CODES_PER_PHONE: '1000',
      },
    });
    return this.server;
  }

  private async buildSpace(): Promise<void> {
    this.owner = await this.server.login(PHONES.owner);
    this.spaceId = (
      await this.post('/v1/spaces', {
        name: 'Backup HQ',
        timezone: 'Europe/Madrid',
      })
    ).space.id;
    const created = await this.post(`/v1/spaces/${this.spaceId}/units`, {
      name: 'Gate',
    });
    this.unitId = created.unit.id;
    this.credentials = created.credentials;
    for (const [relay, name] of [
      [1, 'Front door'],
      [2, 'Garage'],
    ] as const) {
      const id = (
        await this.post(`/v1/spaces/${this.spaceId}/doors`, {
          name,
          unitId: this.unitId,
          relay,
        })
      ).door.id;
      if (relay === 1) this.doorId = id;
      else this.door2Id = id;
    }
    this.groupId = (
      await this.post(`/v1/spaces/${this.spaceId}/groups`, {
        name: 'Residents',
        doorIds: [this.doorId, this.door2Id],
      })
    ).group.id;
    await this.post(`/v1/spaces/${this.spaceId}/members`, {
      phone: PHONES.member,
      groupIds: [this.groupId],
    });
    this.memberToken = await this.server.login(PHONES.member);
  }

  api(method: string, path: string, body?: unknown, token = this.owner) {
    return this.server.request(method, path, { token, body });
  }
  async post(path: string, body: unknown) {
    return expectStatus(await this.api('POST', path, body), 201);
  }
  async patch(path: string, body: unknown) {
    return expectStatus(await this.api('PATCH', path, body), 200);
  }

  get wsUrl(): string {
    return `${this.server.url.replace(/^http/, 'ws')}/v1/sync`;
  }

  /** `npm run backup` / `npm run restore`: a process of its own, with the server's settings. */
  cli(...args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          KEYWAY_DATA_DIR: this.db.dataDir,
          KEYWAY_DATABASE_URL: this.db.databaseUrl ?? '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      child.once('close', (code) => resolve({ code, out }));
    });
  }

  /** A short-lived connection of the test's own, for reading what is stored. */
  async readDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const k = this.db.databaseUrl
      ? new Kysely<Database>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({
              connectionString: this.db.databaseUrl,
              max: 1,
            }),
          }),
        })
      : new Kysely<Database>({
          dialect: new SqliteDialect({
            database: new SQLite(sqliteFile(this.db.dataDir), {
              fileMustExist: true,
            }),
          }),
        });
    try {
      return await fn(k);
    } finally {
      await k.destroy();
    }
  }

  /** The epoch, the front door's name, the members: what a restore changes. */
  stored() {
    return this.readDb(async (k) => ({
      epoch: (
        await k.selectFrom('sync_meta').select('epoch').executeTakeFirst()
      )?.epoch,
      door: (
        await k
          .selectFrom('doors')
          .select('name')
          .where('id', '=', this.doorId)
          .executeTakeFirst()
      )?.name,
      members: (await k.selectFrom('members').select('id').execute())
        .map((m) => m.id)
        .sort(),
    }));
  }

  headCursor(): Promise<number> {
    return this.readDb(async (k) =>
      Number(
        (
          await k
            .selectFrom('changes')
            .select((eb) => eb.fn.max('cursor').as('c'))
            .executeTakeFirst()
        )?.c ?? 0,
      ),
    );
  }

  /** The unit's view as the server has it published. */
  unitViewStored() {
    return this.readDb(async (k) => {
      const rows = await viewRows(k)
        .where('v.audience', '=', unitAudience(this.unitId))
        .execute();
      return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value!)]));
    });
  }

  /** What the unit agent saved: its cursor and view. */
  unitState(): { cursor: string | null; view: Record<string, unknown> } {
    try {
      return JSON.parse(readFileSync(this.stateFile, 'utf8'));
    } catch {
      return { cursor: null, view: {} };
    }
  }

  spawnUnit(): UnitProcess {
    this.unit = UnitProcess.spawn(this.credentials, [], this.stateFile);
    return this.unit;
  }

  /** What a client connecting now with no cursor is given: the truth to converge to. */
  freshView(token: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.wsUrl}?token=${token}`);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type !== 'snapshot') return;
        ws.close();
        resolve(msg.view);
      });
      ws.on('error', reject);
    });
  }

  client(
    token: string,
    initial?: { cursor: string; view: Record<string, unknown> },
  ): RecordingClient {
    const c = new SyncClient({
      url: this.wsUrl,
      token,
      WebSocketImpl: WebSocket,
      backoff: { minMs: 50, maxMs: 500 },
      initial: initial ?? null,
    });
    const applied: RecordingClient['applied'] = [];
    c.on('change', (ch) => applied.push({ kind: ch.kind, cursor: ch.cursor }));
    this.clients.push(c);
    c.start();
    return { c, applied };
  }

  /** Waits until a client's view is what a fresh connection is given. */
  converges(c: SyncClient, token: string, what: string) {
    return waitFor(
      async () =>
        sortedJson(Object.fromEntries(c.view)) ===
          sortedJson(await this.freshView(token)) || undefined,
      what,
      30_000,
    );
  }

  /** Waits until the unit's saved view is the one the server publishes for it. */
  unitConverges(what: string) {
    return waitFor(
      async () =>
        sortedJson(this.unitState().view) ===
          sortedJson(await this.unitViewStored()) || undefined,
      what,
      30_000,
    );
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.stop();
    await this.unit?.kill();
    await ServerProcess.killAll();
    await this.db?.drop();
    rmSync(this.work, { recursive: true, force: true });
  }
}
