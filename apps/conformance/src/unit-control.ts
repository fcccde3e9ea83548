import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How the kit restarts the unit under test, if it can. */
export interface UnitControl {
  /** Power cut: the unit dies without a goodbye (SIGKILL), then starts again. */
  crashAndRestart?: () => Promise<void>;
  /** Asks the unit to stop cleanly (SIGTERM); resolves when it has exited. */
  stop?: () => Promise<void>;
  /** What the unit printed (a launched unit only), for --verbose and failures. */
  output(): string;
  close(): Promise<void>;
}

/**
 * The unit as a child process the kit starts (`--unit-cmd`, in a shell, its own process group),
 * with the credentials in KEYWAY_UNIT_URL/USERNAME/PASSWORD and a fresh KEYWAY_UNIT_STATE_FILE.
 */
export function launchUnit(
  cmd: string,
  env: { url: string; username: string; password: string },
): UnitControl {
  const stateFile = join(
    mkdtempSync(join(tmpdir(), 'keyway-conformance-')),
    'state.json',
  );
  let out = '';
  let child: ChildProcess;
  let exited: Promise<void>;
  const start = () => {
    child = spawn(cmd, {
      shell: true,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KEYWAY_UNIT_URL: env.url,
        KEYWAY_UNIT_USERNAME: env.username,
        KEYWAY_UNIT_PASSWORD: env.password,
        KEYWAY_UNIT_STATE_FILE: stateFile,
      },
    });
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      // The whole group: `sh -c` and whatever it started.
      process.kill(-(child.pid as number), sig);
    } catch {
      // already gone
    }
    await exited;
  };
  start();
  return {
    async crashAndRestart() {
      await signal('SIGKILL');
      out += '\n--- conformance kit: SIGKILL, restarting ---\n';
      start();
    },
    stop: () => signal('SIGTERM'),
    output: () => out,
    close: () => signal('SIGKILL'),
  };
}

/** A unit the kit did not start; `--restart-cmd` (if given) restarts it. */
export function externalUnit(restartCmd: string | undefined): UnitControl {
  let out = '';
  return {
    ...(restartCmd && {
      crashAndRestart: () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(restartCmd, {
            shell: true,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          child.stdout?.on('data', (d) => (out += d));
          child.stderr?.on('data', (d) => (out += d));
          child.once('exit', (code) =>
            code === 0
              ? resolve()
              : reject(new Error(`--restart-cmd exited with ${code}`)),
          );
        }),
    }),
    output: () => out,
    close: async () => {},
  };
}
