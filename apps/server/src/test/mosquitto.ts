import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const PLUGIN_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
];

/** Debian's mosquitto and its dynamic-security plugin, or an error that says how to get them. */
export function mosquittoInstall(): { plugin: string } {
  for (const bin of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto_ctrl'])
    if (!existsSync(bin))
      throw new Error(
        `${bin} is missing: these tests need a real Mosquitto 2 (apt-get install mosquitto mosquitto-clients)`,
      );
  const plugin = PLUGIN_CANDIDATES.find((p) => existsSync(p));
  if (!plugin)
    throw new Error(
      `mosquitto_dynamic_security.so not found (looked in ${PLUGIN_CANDIDATES.join(', ')})`,
    );
  return { plugin };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (typeof addr !== 'object' || !addr) throw new Error('no free port');
  return addr.port;
}

/**
 * A Mosquitto of the test's own: a free port on 127.0.0.1, its config, dynamic-security file
 * (made by `mosquitto_ctrl dynsec init`, as deploy/mosquitto/ documents) and persistence in a
 * temp dir. Never the machine's broker on 1883.
 */
export class TestMosquitto {
  output = '';
  private exited: Promise<void>;

  private constructor(
    private child: ChildProcess,
    readonly dir: string,
    readonly port: number,
    readonly admin: { username: string; password: string },
  ) {
    child.stdout?.on('data', (d) => this.keep(String(d)));
    child.stderr?.on('data', (d) => this.keep(String(d)));
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  /** mqtt://admin:password@127.0.0.1:port — what KEYWAY_MQTT_URL is set to. */
  get adminUrl(): string {
    const { username, password } = this.admin;
    return `mqtt://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestMosquitto> {
    const { plugin } = mosquittoInstall();
    const dir = mkdtempSync(join(tmpdir(), 'keyway-mosquitto-'));
    const admin = { username: 'keyway-admin', password: 'test-admin-secret' };
    const dynsec = join(dir, 'dynamic-security.json');
    execFileSync('/usr/bin/mosquitto_ctrl', [
      'dynsec',
      'init',
      dynsec,
      admin.username,
      admin.password,
    ]);
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        'per_listener_settings false',
        `listener ${port} 127.0.0.1`,
        'allow_anonymous false',
        `plugin ${plugin}`,
        `plugin_opt_config_file ${dynsec}`,
        'persistence true',
        `persistence_location ${dir}/`,
        'log_dest stderr',
        // Run as root (CI), mosquitto would drop to user mosquitto, who cannot read this 0700 dir.
        `user ${userInfo().username}`,
        'log_type all',
        '',
      ].join('\n'),
    );
    const child = spawn('/usr/sbin/mosquitto', ['-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const m = new TestMosquitto(child, dir, port, admin);
    const deadline = Date.now() + 10_000;
    while (!m.output.includes(`Opening ipv4 listen socket on port ${port}`)) {
      if (child.exitCode !== null)
        throw new Error(`mosquitto exited at start:\n${m.output}`);
      if (Date.now() > deadline)
        throw new Error(`mosquitto did not start:\n${m.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return m;
  }

  private keep(text: string) {
    this.output = (this.output + text).slice(-256 * 1024);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
