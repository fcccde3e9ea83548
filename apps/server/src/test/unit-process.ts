import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UNIT_MAIN = fileURLToPath(
  new URL('../../../unit/src/main.ts', import.meta.url),
);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The real unit agent, as its own process, the way an installer would start it. */
export class UnitProcess {
  output = '';
  private exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d) => {
      this.output += d;
    });
    child.stderr?.on('data', (d) => {
      this.output += d;
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
  }

  /** `stateFile`: where the unit keeps its synced view (a fresh temp file unless given; reuse it to restart). */
  static spawn(
    credentials: { username: string; password: string; mqttUrl: string },
    extra: string[] = [],
    stateFile = join(mkdtempSync(join(tmpdir(), 'keyway-unit-')), 'state.json'),
  ): UnitProcess {
    const args = [
      '--import',
      'tsx',
      UNIT_MAIN,
      '--url',
      credentials.mqttUrl,
      '--username',
      credentials.username,
      '--password',
      credentials.password,
      '--driver',
      'sim',
      '--sim-close-ms',
      '300',
      '--reconnect-min-ms',
      '50',
      '--reconnect-max-ms',
      '500',
      '--state-file',
      stateFile,
      '--log-level',
      'debug',
      ...extra,
    ];
    return new UnitProcess(
      spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: ROOT,
      }),
    );
  }

  /** SIGKILL: the unit vanishes without a goodbye; only its last will tells the server. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill(signal);
    await this.exited;
  }
}

/** Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
