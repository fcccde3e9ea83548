import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { waitFor } from './unit-process';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
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

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A nats-server of the test's own on a free port (the machine's one on 4222 is shared and must
 * never be stopped), which the test can stop and start again on the same port: a NATS outage.
 */
export class NatsProcess {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsProcess> {
    const n = new NatsProcess(await freePort());
    await n.resume();
    return n;
  }

  async resume(): Promise<void> {
    this.child = spawn(
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(this.port)],
      {
        stdio: 'ignore',
      },
    );
    this.child.once('error', (err) => {
      throw new Error(
        `nats-server could not start (apt-get install nats-server): ${err.message}`,
      );
    });
    await waitFor(() => answers(this.port), `nats-server on ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
