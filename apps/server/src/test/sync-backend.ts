import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import type { ManualClock } from '../clock';
import { loadConfig } from '../config';
import { openStorage, type Storage } from '../db/connect';
import { type KeywayServer, startServer } from '../server';
import { createTestDatabase, type TestDatabase } from './db';
import type { ApiResponse } from './harness';
import { publishedDrift } from './published-check';
import { ServerProcess } from './server-process';

/**
 * A Keyway server the sync walk can restart on the same database: in this process with an
 * injected ManualClock (graceful stop + start), or as a child process on the real clock
 * (SIGTERM, or SIGKILL as a power cut would).
 */
export interface SyncBackend {
  readonly url: string;
  /** The injected clock; null when the server runs on the real clock (child process). */
  readonly clock: ManualClock | null;
  readonly db: TestDatabase;
  now(): Date;
  request<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown },
  ): Promise<ApiResponse<T>>;
  login(phone: string, deviceName: string): Promise<string>;
  /**
   * Stops the server (gracefully, or SIGKILL when the backend can) and starts it again on the
   * same data. A cluster restarts one node and answers its URL (only its sockets closed).
   */
  restart(how: 'graceful' | 'kill'): Promise<string | undefined>;
  /** Between stop and start (for reading the database while no server runs). */
  onStopped?: () => Promise<void>;
  stop(): Promise<void>;
}

export const outboxOf = (db: TestDatabase) => join(db.dataDir, 'sms.jsonl');

export async function httpRequest(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : undefined,
    headers: res.headers,
  };
}

export async function loginVia(
  request: SyncBackend['request'],
  outbox: string,
  phone: string,
  deviceName: string,
): Promise<string> {
  const sent = await request('POST', '/v1/auth/code', { body: { phone } });
  if (sent.status !== 202)
    throw new Error(`code: ${sent.status} ${JSON.stringify(sent.body)}`);
  const code = readFileSync(outbox, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { to: string; code: string })
    .filter((l) => l.to === phone)
    .at(-1)?.code;
  const res = await request('POST', '/v1/auth/verify', {
    body: { phone, code, deviceName },
  });
  if (res.status !== 200)
    throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export const TEST_ENV = {
  KEYWAY_AUTH_PER_IP: '100000',
  KEYWAY_CODES_PER_PHONE: '1000',
};

/** A server reached over HTTP at `url`, logging in through the SMS outbox. */
export abstract class HttpBackend {
  abstract readonly db: TestDatabase;
  abstract get url(): string;
  request<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown } = {},
  ) {
    return httpRequest(this.url, method, path, opts) as Promise<ApiResponse<T>>;
  }
  login(phone: string, deviceName: string): Promise<string> {
    return loginVia(
      (m, p, o) => this.request(m, p, o),
      outboxOf(this.db),
      phone,
      deviceName,
    );
  }
}

/** The server in this process, with the test's ManualClock; restarts are graceful. */
export class InProcessBackend extends HttpBackend implements SyncBackend {
  onStopped?: () => Promise<void>;
  private constructor(
    private server: KeywayServer,
    private readonly config: ReturnType<typeof loadConfig>,
    readonly clock: ManualClock,
    readonly db: TestDatabase,
  ) {
    super();
  }

  static async start(
    clock: ManualClock,
    env: Record<string, string> = {},
  ): Promise<InProcessBackend> {
    const db = await createTestDatabase();
    const config = loadConfig({
      KEYWAY_PORT: '0',
      KEYWAY_MQTT_PORT: '0',
      KEYWAY_DATA_DIR: db.dataDir,
      KEYWAY_SMS_OUTBOX: outboxOf(db),
      KEYWAY_LOG_LEVEL: process.env.KEYWAY_TEST_LOG ?? 'silent',
      ...(db.databaseUrl ? { KEYWAY_DATABASE_URL: db.databaseUrl } : {}),
      ...TEST_ENV,
      ...env,
    });
    try {
      const server = await startServer(config, {
        clock,
        log: pino({ level: config.logLevel }),
      });
      return new InProcessBackend(server, config, clock, db);
    } catch (err) {
      await db.drop();
      throw err;
    }
  }

  get url(): string {
    return this.server.url;
  }
  now(): Date {
    return this.clock.now();
  }

  async restart(how: 'graceful' | 'kill'): Promise<undefined> {
    if (how === 'kill')
      throw new Error('an in-process server cannot be SIGKILLed');
    await this.server.stop();
    await this.onStopped?.();
    this.server = await startServer(this.config, {
      clock: this.clock,
      log: pino({ level: this.config.logLevel }),
    });
    return undefined;
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
    } finally {
      await this.db.drop();
    }
  }
}

/** Server processes on the real clock. */
export abstract class ProcessBackend extends HttpBackend {
  readonly clock = null;
  now(): Date {
    return new Date();
  }
}

/** `npm run serve` as a child process on the real clock: restarts by SIGTERM or SIGKILL. */
export class ChildBackend extends ProcessBackend implements SyncBackend {
  onStopped?: () => Promise<void>;
  private constructor(
    private proc: ServerProcess,
    readonly db: TestDatabase,
    private env: Record<string, string>,
  ) {
    super();
  }

  private static spawn(db: TestDatabase, env: Record<string, string>) {
    return ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: outboxOf(db),
      env: { ...TEST_ENV, ...env },
    });
  }

  static async start(env: Record<string, string> = {}): Promise<ChildBackend> {
    const db = await createTestDatabase();
    try {
      return new ChildBackend(await ChildBackend.spawn(db, env), db, env);
    } catch (err) {
      await db.drop();
      throw err;
    }
  }

  get url(): string {
    return this.proc.url;
  }
  get output(): string {
    return this.proc.output;
  }

  async restart(how: 'graceful' | 'kill'): Promise<undefined> {
    await this.proc.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
    await this.onStopped?.();
    this.proc = await ChildBackend.spawn(this.db, this.env);
    return undefined;
  }

  async stop(): Promise<void> {
    try {
      await this.proc.kill('SIGKILL');
    } finally {
      await this.db.drop();
    }
  }
}

/** One committed row of the change log with its targets, as read from the database. */
export interface LoggedChange {
  cursor: number;
  at: string;
  payload: string;
  audiences: string[];
}

/**
 * The test's own copy of the change log, read straight from the database after every step
 * (and before every restart, so compaction at start cannot take rows the checks still need).
 * Writers commit in cursor order (see lockChangeLog), so reading `cursor > last` never skips.
 */
export class ChangeLogMirror {
  readonly rows: LoggedChange[] = [];
  private sqlite: SQLite.Database | null = null;
  private pgClient: pg.Client | null = null;
  private storage: Storage | null = null;

  constructor(private db: TestDatabase) {}

  get max(): number {
    return this.rows.at(-1)?.cursor ?? 0;
  }

  private async query(
    after: number,
  ): Promise<
    { cursor: number | string; at: string; payload: string; audience: string }[]
  > {
    const sql =
      'SELECT c.cursor AS cursor, c.at AS at, c.payload AS payload, t.audience AS audience FROM changes c JOIN change_targets t ON t.cursor = c.cursor WHERE c.cursor > ';
    if (this.db.databaseUrl) {
      if (!this.pgClient) {
        this.pgClient = new pg.Client({
          connectionString: this.db.databaseUrl,
        });
        this.pgClient.on('error', () => {});
        await this.pgClient.connect();
      }
      return (
        await this.pgClient.query(`${sql}$1 ORDER BY c.cursor, t.audience`, [
          after,
        ])
      ).rows;
    }
    if (!this.sqlite) {
      this.sqlite = new SQLite(join(this.db.dataDir, 'keyway.db'), {
        fileMustExist: true,
      });
      this.sqlite.pragma('busy_timeout = 5000');
    }
    return this.sqlite
      .prepare(`${sql}? ORDER BY c.cursor, t.audience`)
      .all(after) as any;
  }

  /** Reads every change committed since the last pull; returns the highest cursor. */
  async pull(): Promise<number> {
    const rows = await this.query(this.max);
    for (const r of rows) {
      const cursor = Number(r.cursor);
      const last = this.rows.at(-1);
      if (last && last.cursor === cursor) last.audiences.push(r.audience);
      else
        this.rows.push({
          cursor,
          at: r.at,
          payload: r.payload,
          audiences: [r.audience],
        });
    }
    return this.max;
  }

  /** Index of the first row with a cursor above `n`. */
  firstAfter(n: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.cursor <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(cursor: number): LoggedChange | undefined {
    const i = this.firstAfter(cursor - 1);
    const r = this.rows[i];
    return r && r.cursor === cursor ? r : undefined;
  }

  /** Releases the connection (before a child server restarts on the SQLite file, and at the end). */
  /** Published views vs a whole rebuild at `now` (see published-check.ts); differences. */
  async publishedDrift(now: Date): Promise<string[]> {
    this.storage ??= await openStorage({
      dataDir: this.db.dataDir,
      databaseUrl: this.db.databaseUrl,
    });
    return publishedDrift(this.storage.db, now);
  }

  async close(): Promise<void> {
    const storage = this.storage;
    this.storage = null;
    await storage?.close();
    this.sqlite?.close();
    this.sqlite = null;
    const c = this.pgClient;
    this.pgClient = null;
    await c?.end().catch(() => {});
  }
}
