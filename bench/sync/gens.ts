import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from '../lib/procs';

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A worker process of `bench:sync` (load generator or bare server), started with an IPC channel:
 * `call` sends a command and resolves with its answer (see worker.ts `serve`). Tracked by
 * lib/procs, so it dies with the bench however it ends.
 */
export class Worker {
  private seq = 0;
  private pending = new Map<number, Pending>();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on(
      'message',
      (m: { id?: number; result?: unknown; error?: string }) => {
        const p = m.id === undefined ? undefined : this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id!);
        clearTimeout(p.timer);
        if (m.error) p.reject(new Error(`${name}: ${m.error}`));
        else p.resolve(m.result);
      },
    );
    child.once('exit', (code, signal) => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (${code ?? signal})`));
      }
      this.pending.clear();
    });
  }

  /** Starts `bench/sync/<script>` under tsx; resolves once it says it is ready. */
  static start(
    script: string,
    name: string,
    nodeArgs: string[] = [],
  ): Promise<Worker> {
    const file = fileURLToPath(new URL(script, import.meta.url));
    const child = track(
      fork(file, [], {
        execArgv: ['--import', 'tsx', ...nodeArgs],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start in 30 s`)),
        30_000,
      );
      child.once('exit', (code) =>
        reject(new Error(`${name} exited (${code}) before ready`)),
      );
      child.once('message', () => {
        clearTimeout(timer);
        resolve(new Worker(name, child));
      });
    });
  }

  /** Ends the generator (its sockets die with it). */
  stop(): void {
    this.child.kill('SIGKILL');
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T = any>(
    cmd: string,
    args: unknown = {},
    timeoutMs = 60_000,
  ): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ id, cmd, args });
    });
  }
}

/** Client i lives in worker i mod n: the same split for every phase and every baseline. */
export const owner = <T>(workers: T[], i: number): T =>
  workers[i % workers.length]!;

/** Calls every worker with its share of `items` (by `index`), in parallel; answers in worker order. */
export function callSplit<T, R>(
  workers: Worker[],
  cmd: string,
  items: T[],
  index: (t: T) => number,
  args: (share: T[]) => unknown,
  timeoutMs: number,
): Promise<R[]> {
  const shares = workers.map(() => [] as T[]);
  for (const it of items) shares[index(it) % workers.length]!.push(it);
  return Promise.all(
    workers.map((w, k) => w.call<R>(cmd, args(shares[k]!), timeoutMs)),
  );
}

export function callAll<R>(
  workers: Worker[],
  cmd: string,
  args: unknown,
  timeoutMs = 60_000,
): Promise<R[]> {
  return Promise.all(workers.map((w) => w.call<R>(cmd, args, timeoutMs)));
}
