import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Every child the bench started; all of them die with the bench, however it ends. */
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs before the children are killed (graceful steps such as dropping a bench database). */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function cleanup(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise((resolve) =>
          c.exitCode !== null ? resolve(0) : c.once('exit', resolve),
        ),
    ),
  );
  for (const fn of cleanups.splice(0).reverse())
    await fn().catch(() => undefined);
}

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });

/** A port that was free a moment ago (the server needs fixed ports at log level warn). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `bench/lib/<script>` in its own Node process (through tsx) and resolves with the first
 * JSON line it prints, which announces that it is ready.
 */
export function spawnScript<T>(
  script: string,
  args: string[],
): Promise<{ child: ChildProcess; ready: T }> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) =>
      reject(new Error(`${script} exited (${code}): ${out}`)),
    );
    child.stdout?.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, ready: JSON.parse(line) as T });
    });
  });
}
