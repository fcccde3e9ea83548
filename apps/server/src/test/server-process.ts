import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiResponse } from './harness';

const SERVER_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const KEEP_OUTPUT = 64 * 1024;

export interface ServerProcessOptions {
  dataDir: string;
  /** PostgreSQL instead of SQLite under dataDir. */
  databaseUrl?: string | undefined;
  outbox: string;
  /** 0 (default) picks a free port, read back from the start-up log lines. */
  port?: number;
  mqttPort?: number;
  /** More KEYWAY_* variables (rate limits, log level...). */
  env?: Record<string, string>;
  /** argv prefix the server runs under (`ip netns exec <ns>`: another host, test/netns.ts). */
  command?: string[];
}

/**
 * `npm run serve` as its own process, configured only by the environment, so a test can
 * SIGKILL it the way a power cut would. With port 0 the URLs come from its JSON log lines
 * (`category: http` and `category: mqtt`), which needs KEYWAY_LOG_LEVEL info or lower; with
 * fixed ports it is ready once `/healthz` answers, at any log level.
 */
export class ServerProcess {
  /** Every server started and not yet exited, ready or not: `killAll` leaves none behind. */
  private static live = new Set<ServerProcess>();
  output = '';
  url = '';
  mqttPort = 0;
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly outbox: string,
  ) {
    ServerProcess.live.add(this);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        ServerProcess.live.delete(this);
        resolve();
      }),
    );
  }

  static async killAll(): Promise<void> {
    await Promise.all([...ServerProcess.live].map((s) => s.kill()));
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(
    opts: ServerProcessOptions,
    timeoutMs = 30_000,
  ): Promise<ServerProcess> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KEYWAY_PORT: String(opts.port ?? 0),
      KEYWAY_MQTT_PORT: String(opts.mqttPort ?? 0),
      KEYWAY_DATA_DIR: opts.dataDir,
      KEYWAY_DATABASE_URL: opts.databaseUrl ?? '',
      KEYWAY_SMS_OUTBOX: opts.outbox,
      KEYWAY_LOG_LEVEL: 'info',
      KEYWAY_LOG_PRETTY: 'false',
      // Tests serve what the browser suites built; parallel builds would race.
      KEYWAY_WEB_BUILD: 'false',
      ...opts.env,
    };
    const [bin, ...argv] = [
      ...(opts.command ?? []),
      process.execPath,
      '--import',
      'tsx',
      SERVER_MAIN,
    ];
    const child = spawn(bin!, argv, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sp = new ServerProcess(child, opts.outbox);
    const fixed = Boolean(opts.port && opts.mqttPort);
    if (fixed) {
      sp.url = `http://127.0.0.1:${opts.port}`;
      sp.mqttPort = opts.mqttPort!;
    }
    let pending = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error('server did not start in time')),
        timeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(new Error(`${err.message}\n${sp.output}`));
      };
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      child.once('exit', (code, signal) =>
        fail(new Error(`server exited (${code ?? signal}) before ready`)),
      );
      child.stderr?.on('data', (d) => sp.keep(String(d)));
      child.stdout?.on('data', (d) => {
        const text = String(d);
        sp.keep(text);
        if (fixed) return;
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) sp.readStartLine(line);
        if (sp.url && sp.mqttPort) done();
      });
      if (fixed) void sp.pollHealth(timeoutMs).then(done, fail);
    });
    try {
      await ready;
    } catch (err) {
      await sp.kill();
      throw err;
    }
    return sp;
  }

  private keep(text: string) {
    this.output = (this.output + text).slice(-KEEP_OUTPUT);
  }

  private readStartLine(line: string) {
    if (!line.startsWith('{')) return;
    try {
      const rec = JSON.parse(line) as {
        category?: string;
        url?: string;
        port?: number;
      };
      if (rec.category === 'http' && rec.url && !this.url) this.url = rec.url;
      if (rec.category === 'mqtt' && rec.port && !this.mqttPort)
        this.mqttPort = rec.port;
    } catch {
      // Not a log record (a stray write): ignore.
    }
  }

  private async pollHealth(timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (this.alive) {
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('server /healthz never answered');
  }

  async request<T = any>(
    method: string,
    path: string,
    opts: { token?: string | undefined; body?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const body =
      opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      headers: res.headers,
    };
  }

  /** Logs in by SMS code read from the outbox file; returns the session token. */
  async login(phone: string, deviceName = 'test'): Promise<string> {
    const sent = await this.request('POST', '/v1/auth/code', {
      body: { phone },
    });
    if (sent.status !== 202)
      throw new Error(`code: ${sent.status} ${JSON.stringify(sent.body)}`);
    const codes = readFileSync(this.outbox, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; code: string })
      .filter((l) => l.to === phone);
    const code = codes[codes.length - 1]?.code;
    if (!code) throw new Error(`no SMS for ${phone}`);
    const res = await this.request('POST', '/v1/auth/verify', {
      body: { phone, code, deviceName },
    });
    if (res.status !== 200)
      throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  /** SIGKILL by default: no shutdown hook runs, open transactions die with the process. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }
}
