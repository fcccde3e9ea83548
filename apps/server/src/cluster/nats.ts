import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';

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
 * A nats-server of Keyway's own on a free port (tests, `npm run cluster`; the machine's one on
 * 4222 is shared and must never be stopped), which can be stopped and started again on the same
 * port: a NATS outage. JetStream is not used: the change log in PostgreSQL is the durable part.
 */
export class NatsProcess {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    private host = '127.0.0.1',
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** `host`: the address it listens on (0.0.0.0 for nodes in other network namespaces). */
  static async start(host?: string): Promise<NatsProcess> {
    const n = new NatsProcess(await freePort(), host);
    await n.resume();
    return n;
  }

  async resume(): Promise<void> {
    this.child = spawn(
      'nats-server',
      ['-a', this.host, '-p', String(this.port)],
      {
        stdio: 'ignore',
      },
    );
    this.child.once('error', (err) => {
      throw new Error(
        `nats-server could not start (apt-get install nats-server): ${err.message}`,
      );
    });
    const deadline = Date.now() + 15_000;
    while (!(await answers(this.port))) {
      if (Date.now() > deadline)
        throw new Error(`nats-server did not answer on ${this.port}`);
      await new Promise((r) => setTimeout(r, 25));
    }
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
