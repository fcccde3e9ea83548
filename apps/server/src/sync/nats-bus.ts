import { connect, Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Db } from '../db/connect';
import type { ChangeBatch, ChangeBus } from './bus';
import { headCursor } from './changelog';
import { readChangeRange } from './reader';
import { ChangeSequencer } from './sequencer';

/** A batch as it crosses NATS: the changes themselves, or only their range when too big. */
interface Wire {
  node: string;
  prev?: number | undefined;
  changes?: ChangeBatch['changes'];
  /** The last cursor of a batch sent without its changes (they are read from the log). */
  upTo?: number;
  nextChangeAt: [string, string | null][];
  earlierOnly?: string[];
  revokedSessions?: string[] | undefined;
}

export interface NatsBusOptions {
  url: string;
  subject: string;
  nodeId: string;
  db: Db;
  log: Logger;
  /** How often the log's head is read while NATS is connected; 4× as often while it is not. */
  pollMs?: number;
  /** Told when a gap was read from the log (the leader reloads its timers). */
  onGap?: () => void;
}

/**
 * The bus between server nodes (issue 17): after commit the writing node delivers the batch to
 * its own hub at once and publishes it on NATS; every other node hands what it receives to its
 * hub through a sequencer, in cursor order, reading from the change log whatever NATS lost or
 * brought out of order. With NATS down, nodes still deliver every change, found by polling the
 * log's head: later (up to two poll periods), never missing (docs/cluster.md).
 */
export class NatsBus implements ChangeBus {
  private listeners = new Set<(batch: ChangeBatch) => void>();
  private nc?: NatsConnection;
  private seq!: ChangeSequencer;
  private poller?: NodeJS.Timeout;
  private connecting?: Promise<void>;
  private stopped = false;
  private polls = 0;
  private maxPayload = 1024 * 1024;
  private polling = false;
  private lastContact = performance.now();
  /** Whether NATS is connected now (readiness). */
  connected = false;

  private constructor(private opts: NatsBusOptions) {}

  static async start(opts: NatsBusOptions): Promise<NatsBus> {
    const bus = new NatsBus(opts);
    bus.seq = new ChangeSequencer(
      {
        readRange: (after, upTo) => readChangeRange(opts.db, after, upTo),
        readHead: () => headCursor(opts.db),
        deliver: (b) => {
          for (const l of bus.listeners) l(b);
        },
        onGap: opts.onGap,
        onError: (err) =>
          opts.log.warn(
            { category: 'bus', err },
            'reading the change log failed',
          ),
      },
      await headCursor(opts.db),
    );
    bus.connecting = bus.connect();
    await Promise.race([bus.connecting, sleep(2000)]);
    const every = Math.max(10, Math.round((opts.pollMs ?? 1000) / 4));
    bus.poller = setInterval(() => bus.tick(), every);
    bus.poller.unref();
    return bus;
  }

  /** Every cursor up to this one has reached this node's hub. */
  get delivered(): number {
    return this.seq.delivered;
  }

  publish(batch: ChangeBatch): void {
    this.seq.offer(batch);
    if (!this.nc || this.nc.isClosed()) return; // the others find it by polling the log
    try {
      this.nc.publish(this.opts.subject, this.encode(batch));
    } catch (err) {
      this.opts.log.warn({ category: 'bus', err }, 'NATS publish failed');
    }
  }

  subscribe(listener: (batch: ChangeBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.nc?.close().catch(() => {});
  }

  /** How long the change log has not answered a poll (sync/fence.ts). */
  logSilentMs(): number {
    return performance.now() - this.lastContact;
  }

  private tick(): void {
    // Every quarter period while NATS is away, every fourth tick while it is here. One poll at
    // a time: on a link that went silent a poll hangs, and more would only fill the pool.
    if (this.polling || (this.connected && ++this.polls % 4)) return;
    this.polling = true;
    this.seq
      .poll()
      .then(() => {
        this.lastContact = performance.now();
      })
      .catch((err) =>
        this.opts.log.warn(
          { category: 'bus', err },
          'polling the change log failed',
        ),
      )
      .finally(() => {
        this.polling = false;
      });
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      try {
        const nc = await connect({
          servers: this.opts.url,
          name: this.opts.nodeId,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 5000,
          maxPingOut: 2,
        });
        this.nc = nc;
        this.maxPayload = nc.info?.max_payload ?? this.maxPayload;
        this.connected = true;
        nc.subscribe(this.opts.subject, {
          callback: (err, msg) => {
            if (!err) this.receive(msg.data);
          },
        });
        void this.watch(nc);
        this.opts.log.info(
          { category: 'bus', url: this.opts.url, subject: this.opts.subject },
          'NATS bus connected',
        );
        return;
      } catch (err) {
        this.opts.log.warn(
          { category: 'bus', err },
          'NATS not reachable; changes from other nodes come by polling the log',
        );
        await sleep(1000);
      }
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) this.connected = false;
      if (s.type === Events.Reconnect) this.connected = true;
      this.opts.log.info({ category: 'bus', status: s.type }, 'NATS status');
    }
    this.connected = false;
  }

  private encode(batch: ChangeBatch): Uint8Array {
    const base: Wire = {
      node: this.opts.nodeId,
      prev: batch.prev,
      nextChangeAt: [...batch.nextChangeAt].map(([s, at]) => [
        s,
        at?.toISOString() ?? null,
      ]),
      earlierOnly: batch.earlierOnly ? [...batch.earlierOnly] : undefined,
      revokedSessions: batch.revokedSessions,
    };
    const full = Buffer.from(
      JSON.stringify({ ...base, changes: batch.changes }),
    );
    if (full.length <= this.maxPayload - 1024) return full;
    // A group rename to tens of thousands of phones: the others read it from the log.
    const upTo = batch.changes.at(-1)?.cursor;
    return Buffer.from(JSON.stringify({ ...base, upTo }));
  }

  private receive(data: Uint8Array): void {
    let wire: Wire;
    try {
      wire = JSON.parse(Buffer.from(data).toString('utf8')) as Wire;
    } catch {
      return;
    }
    if (wire.node === this.opts.nodeId) return; // delivered at publish
    const batch: ChangeBatch = {
      changes: wire.changes ?? [],
      prev: wire.prev,
      nextChangeAt: new Map(
        wire.nextChangeAt.map(([s, at]) => [s, at ? new Date(at) : null]),
      ),
      earlierOnly: new Set(wire.earlierOnly ?? []),
      revokedSessions: wire.revokedSessions,
    };
    if (wire.upTo !== undefined) this.seq.catchUp(wire.upTo);
    this.seq.offer(batch);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
