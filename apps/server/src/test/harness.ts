import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Clock } from '../clock';
import { type Config, loadConfig } from '../config';
import { type KeywayServer, startServer } from '../server';
import { createTestDatabase, type TestDatabase } from './db';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A real server on port 0 (HTTP and embedded MQTT broker), on a fresh database, with helpers. */
export class TestServer {
  private constructor(
    readonly server: KeywayServer,
    readonly db: TestDatabase,
    readonly outbox: string,
    /** Dropped with this server (not when it joined another's database: a cluster node). */
    private ownsDb = true,
    /** With KEYWAY_TLS_CERT: the CA requests verify the server against. */
    readonly ca?: Buffer,
  ) {}

  static async start(
    opts: {
      clock?: Clock;
      config?: Partial<Config>;
      env?: Record<string, string>;
      /** Another server's database: this one is a second node on it. */
      db?: TestDatabase;
      /** Where the server logs (default: pino at KEYWAY_TEST_LOG, silent). */
      log?: Logger;
      /** The API is https:// (KEYWAY_TLS_CERT): requests trust this CA only. */
      ca?: Buffer;
    } = {},
  ): Promise<TestServer> {
    const db = opts.db ?? (await createTestDatabase());
    const outbox = join(db.dataDir, 'sms.jsonl');
    const config = loadConfig(
      {
        KEYWAY_PORT: '0',
        KEYWAY_MQTT_PORT: '0',
        KEYWAY_DATA_DIR: db.dataDir,
        KEYWAY_SMS_OUTBOX: outbox,
        KEYWAY_LOG_LEVEL: process.env.KEYWAY_TEST_LOG ?? 'silent',
        KEYWAY_AUTH_PER_IP: '100000',
        KEYWAY_CODES_PER_PHONE: '1000',
        ...(db.databaseUrl ? { KEYWAY_DATABASE_URL: db.databaseUrl } : {}),
        ...opts.env,
      },
      opts.config,
    );
    const log = opts.log ?? pino({ level: config.logLevel });
    const server = await startServer(config, { clock: opts.clock, log });
    return new TestServer(server, db, outbox, !opts.db, opts.ca);
  }

  get url(): string {
    return this.server.url;
  }

  async request<T = any>(
    method: string,
    path: string,
    opts: {
      token?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const res = this.ca
      ? await httpsFetch(`${this.url}${path}`, this.ca, method, headers, body)
      : await fetch(`${this.url}${path}`, { method, headers, body }).then(
          async (r) => ({
            status: r.status,
            text: await r.text(),
            headers: r.headers,
          }),
        );
    return {
      status: res.status,
      body: res.text ? JSON.parse(res.text) : undefined,
      headers: res.headers,
    };
  }

  /** The last code the console SMS provider wrote for a phone. */
  lastCode(phone: string): string {
    const lines = readFileSync(this.outbox, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; code: string });
    const mine = lines.filter((l) => l.to === phone);
    const last = mine[mine.length - 1];
    if (!last) throw new Error(`no SMS for ${phone}`);
    return last.code;
  }

  /** Logs in by SMS code, as a phone would; returns the session token. */
  async login(phone: string, deviceName = 'test'): Promise<string> {
    const sent = await this.request('POST', '/v1/auth/code', {
      body: { phone },
    });
    if (sent.status !== 202)
      throw new Error(`code: ${sent.status} ${JSON.stringify(sent.body)}`);
    const res = await this.request('POST', '/v1/auth/verify', {
      body: { phone, code: this.lastCode(phone), deviceName },
    });
    if (res.status !== 200)
      throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    if (this.ownsDb) await this.db.drop();
  }
}

/** Throws unless the response has this status; returns the body. */
export function expectStatus<T = any>(res: ApiResponse<T>, status: number): T {
  if (res.status !== status)
    throw new Error(
      `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`,
    );
  return res.body;
}

/** One HTTPS request that trusts `ca` only (Node's fetch has no per-request CA). */
export function httpsFetch(
  url: string,
  ca: Buffer,
  method = 'GET',
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string; headers: Headers }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, text, headers: h });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
