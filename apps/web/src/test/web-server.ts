import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Clock } from '../../../server/src/clock';
import { loadConfig } from '../../../server/src/config';
import { type KeywayServer, startServer } from '../../../server/src/server';
import {
  createTestDatabase,
  type TestDatabase,
} from '../../../server/src/test/db';
import type { ApiResponse } from '../../../server/src/test/harness';

/**
 * A real server (HTTP, sync, embedded broker) serving the built app at /app/, like the server
 * harness's TestServer, plus `halt()` / `resume()`: stop it and start it again on the same
 * database, HTTP port and broker port, so phones and units come back to the same address.
 */
export class WebServer {
  private running: KeywayServer | null;

  private constructor(
    server: KeywayServer,
    readonly db: TestDatabase,
    readonly outbox: string,
    private readonly clock: Clock | undefined,
  ) {
    this.running = server;
  }

  static async start(opts: { clock?: Clock } = {}): Promise<WebServer> {
    const db = await createTestDatabase();
    const outbox = join(db.dataDir, 'sms.jsonl');
    const server = await boot(db, outbox, opts.clock, 0, 0);
    return new WebServer(server, db, outbox, opts.clock);
  }

  get server(): KeywayServer {
    if (!this.running) throw new Error('server is halted');
    return this.running;
  }
  get url(): string {
    return this.server.url;
  }

  private lastUrl = '';
  private lastMqtt = '';
  /** Stops the server (clients see it go away); the database stays. */
  async halt(): Promise<void> {
    this.lastUrl = this.server.url;
    this.lastMqtt = this.server.mqttUrl;
    await this.server.stop();
    this.running = null;
  }
  /** Starts it again on the same database and ports. */
  async resume(): Promise<void> {
    const port = Number(new URL(this.lastUrl).port);
    const mqttPort = Number(new URL(this.lastMqtt).port);
    this.running = await boot(this.db, this.outbox, this.clock, port, mqttPort);
  }

  async request<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const body =
      opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  lastCode(phone: string): string {
    const mine = readFileSync(this.outbox, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; code: string })
      .filter((l) => l.to === phone);
    const last = mine[mine.length - 1];
    if (!last) throw new Error(`no SMS for ${phone}`);
    return last.code;
  }

  async login(phone: string, deviceName = 'test'): Promise<string> {
    const sent = await this.request('POST', '/v1/auth/code', {
      body: { phone },
    });
    if (sent.status !== 202) throw new Error(`code: ${sent.status}`);
    const res = await this.request('POST', '/v1/auth/verify', {
      body: { phone, code: this.lastCode(phone), deviceName },
    });
    if (res.status !== 200)
      throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = null;
    await this.db.drop();
  }
}

function boot(
  db: TestDatabase,
  outbox: string,
  clock: Clock | undefined,
  port: number,
  mqttPort: number,
): Promise<KeywayServer> {
  const config = loadConfig({
    KEYWAY_PORT: String(port),
    KEYWAY_MQTT_PORT: String(mqttPort),
    KEYWAY_DATA_DIR: db.dataDir,
    KEYWAY_SMS_OUTBOX: outbox,
    KEYWAY_LOG_LEVEL: process.env.KEYWAY_TEST_LOG ?? 'silent',
    KEYWAY_AUTH_PER_IP: '100000',
    KEYWAY_CODES_PER_PHONE: '1000',
    ...(db.databaseUrl ? { KEYWAY_DATABASE_URL: db.databaseUrl } : {}),
  });
  return startServer(config, { clock, log: pino({ level: config.logLevel }) });
}
