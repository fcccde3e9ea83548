import pg from 'pg';
import type { Logger } from 'pino';
import { PG_APPLICATION_NAME } from '../db/connect';

/**
 * Who does the work that must happen once in a cluster (time-driven recomputes, log
 * compaction): the holder of a lease. `onAcquire` runs each time this node takes it, `onLose`
 * when it finds it has lost it.
 */
export interface Lease {
  readonly held: boolean;
  start(hooks: { onAcquire(): Promise<void>; onLose(): void }): Promise<void>;
  stop(): Promise<void>;
}

/** One process on its own storage (SQLite, or PostgreSQL without a cluster): always the leader. */
export class SoleLease implements Lease {
  held = false;
  async start(hooks: { onAcquire(): Promise<void> }): Promise<void> {
    this.held = true;
    await hooks.onAcquire();
  }
  async stop(): Promise<void> {
    this.held = false;
  }
}

const LEASE_KEY = 72452;

/**
 * A PostgreSQL session advisory lock on a connection of its own. The database drops it the
 * moment that connection ends (a killed node's socket is closed by its kernel); a node cut off
 * from the database loses it once TCP gives up on the connection, which `tcp_user_timeout`
 * and the keep-alives below bound to about `checkMs × 3`. Another node tries every `checkMs`.
 */
export class PgLease implements Lease {
  held = false;
  private client?: pg.Client;
  private timer?: NodeJS.Timeout;
  private hooks?: { onAcquire(): Promise<void>; onLose(): void };
  private stopped = false;
  private busy = false;

  constructor(private opts: { url: string; log: Logger; checkMs?: number }) {}

  private get checkMs(): number {
    return this.opts.checkMs ?? 1000;
  }

  async start(hooks: {
    onAcquire(): Promise<void>;
    onLose(): void;
  }): Promise<void> {
    this.hooks = hooks;
    await this.check();
    this.timer = setInterval(() => void this.check(), this.checkMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.held = false;
    await this.client?.end().catch(() => {});
  }

  private async check(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      if (this.held) await this.confirm();
      else await this.tryAcquire();
    } finally {
      this.busy = false;
    }
  }

  private async tryAcquire(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      const r = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS ok',
        [LEASE_KEY],
      );
      if (!r.rows[0]?.ok || this.stopped) return;
      this.held = true;
      this.opts.log.info({ category: 'lease' }, 'this node took the lease');
      await this.hooks?.onAcquire();
    } catch (err) {
      this.opts.log.warn({ category: 'lease', err }, 'lease check failed');
      this.drop();
    }
  }

  private async confirm(): Promise<void> {
    try {
      await this.client?.query('SELECT 1');
    } catch (err) {
      this.opts.log.warn({ category: 'lease', err }, 'lease lost');
      this.drop();
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.opts.url,
      application_name: PG_APPLICATION_NAME,
      keepAlive: true,
      keepAliveInitialDelayMillis: this.checkMs,
      query_timeout: this.checkMs * 3,
      connectionTimeoutMillis: this.checkMs * 3,
    });
    client.on('error', () => this.drop());
    await client.connect();
    const seconds = Math.max(1, Math.ceil(this.checkMs / 1000));
    // The server side gives up on this connection (and the lock) as soon as the client does.
    await client.query(
      `SET tcp_keepalives_idle = ${seconds}; SET tcp_keepalives_interval = ${seconds}; SET tcp_keepalives_count = 3; SET tcp_user_timeout = ${this.checkMs * 3}`,
    );
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => {});
    if (this.held) {
      this.held = false;
      this.hooks?.onLose();
    }
  }
}
