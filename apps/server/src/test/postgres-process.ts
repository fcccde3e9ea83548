import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../cluster/nats';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL of the test's own (initdb in a temp folder, a free port, trust auth), so a
 * test can stop and start it under a running server. As root, it runs as the `postgres` user.
 */
export class PostgresProcess {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private listen: string[],
  ) {}

  /** `listen`: more addresses than 127.0.0.1 (another network namespace's way in), trusted too. */
  static async start(listen: string[] = []): Promise<PostgresProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-pg-'));
    chmodSync(dir, 0o777);
    const pg = new PostgresProcess(dir, await freePort(), listen);
    pg.run('initdb', [
      '-D',
      pg.data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    if (listen.length)
      appendFileSync(
        join(pg.data, 'pg_hba.conf'),
        listen.map((a) => `host all all ${a}/24 trust\n`).join(''),
      );
    pg.startServer();
    return pg;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  startServer(): void {
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=${['127.0.0.1', ...this.listen].join(',')} -c fsync=off`,
      'start',
    ]);
  }

  /** `fast` shutdown: connections are cut, as when a database server goes away. */
  stopServer(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  async drop(): Promise<void> {
    spawnSync(
      ...this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', 'stop']),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private command(bin: string, args: string[]): [string, string[]] {
    const path = join(BIN, bin);
    return process.getuid?.() === 0
      ? ['runuser', ['-u', 'postgres', '--', path, ...args]]
      : [path, args];
  }

  private run(bin: string, args: string[]): void {
    const [cmd, argv] = this.command(bin, args);
    execFileSync(cmd, argv, { stdio: 'pipe' });
  }
}
