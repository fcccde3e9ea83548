import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './nats';

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

const DEPLOY = fileURLToPath(
  new URL('../../../../deploy/mosquitto/', import.meta.url),
);
const SHIPPED_CONF = join(DEPLOY, 'mosquitto.conf');
const INIT_SCRIPT = join(DEPLOY, 'init-dynsec.sh');

/** deploy/mosquitto/mosquitto.conf on 127.0.0.1:port, with files in dir and logs on stderr. */
function testConfig(
  shipped: string,
  o: { port: number; plugin: string; dynsec: string; dir: string },
): string {
  const lines = shipped.split('\n').map((line) => {
    const [key] = line.split(' ');
    if (key === 'listener') return `listener ${o.port} 127.0.0.1`;
    if (key === 'plugin') return `plugin ${o.plugin}`;
    if (key === 'plugin_opt_config_file')
      return `plugin_opt_config_file ${o.dynsec}`;
    if (key === 'persistence_location') return `persistence_location ${o.dir}/`;
    if (key === 'log_dest') return 'log_dest stderr';
    return line;
  });
  // Run as root (CI), mosquitto would drop to user mosquitto, who cannot read this 0700 dir.
  return [...lines, `user ${userInfo().username}`, 'log_type all', ''].join(
    '\n',
  );
}

/**
 * A Mosquitto of Keyway's own (tests, `npm run cluster`): a free port on 127.0.0.1, the shipped
 * config and dynamic-security file (deploy/mosquitto/: `mosquitto_ctrl dynsec init`) and
 * persistence in a temp dir, or in `dir` (kept). Never the machine's broker on 1883.
 */
export class LocalMosquitto {
  output = '';
  private exited: Promise<void>;

  private constructor(
    private child: ChildProcess,
    readonly dir: string,
    readonly port: number,
    readonly admin: { username: string; password: string },
    private keepDir = false,
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

  static async start(
    opts: { dir?: string; password?: string } = {},
  ): Promise<LocalMosquitto> {
    const { plugin } = mosquittoInstall();
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'keyway-mosquitto-'));
    const admin = {
      username: 'keyway-admin',
      password: opts.password ?? 'test-admin-secret',
    };
    const dynsec = join(dir, 'dynamic-security.json');
    // The shipped deployment files, with this run's port and paths.
    mkdirSync(dir, { recursive: true });
    rmSync(dynsec, { force: true });
    execFileSync(INIT_SCRIPT, [dynsec, admin.username, admin.password]);
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      testConfig(readFileSync(SHIPPED_CONF, 'utf8'), {
        port,
        plugin,
        dynsec,
        dir,
      }),
    );
    const child = spawn('/usr/sbin/mosquitto', ['-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const m = new LocalMosquitto(child, dir, port, admin, Boolean(opts.dir));
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
    if (!this.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
