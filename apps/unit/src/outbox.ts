import type { Logger } from 'pino';

export interface OutboxItem {
  topic: string;
  payload: string;
}

export interface OutboxOptions {
  /** Publishes one item at QoS 1; resolves on PUBACK, rejects when the connection drops first. */
  send: (item: OutboxItem) => Promise<void>;
  /** The current connection's number, or null while offline. */
  session: () => number | null;
  limit?: number;
  log: Logger;
}

interface Entry extends OutboxItem {
  /** The session this entry was last sent in; it is sent again in any later session. */
  sentIn: number | null;
}

/**
 * Acks and events waiting for their PUBACK. Entries are published in order as soon as the unit
 * is online, kept until acknowledged and sent again after a reconnect (at-least-once); when full,
 * the oldest entry is dropped.
 */
export class Outbox {
  readonly #entries: Entry[] = [];
  readonly #opts: OutboxOptions;
  readonly #limit: number;

  constructor(opts: OutboxOptions) {
    this.#opts = opts;
    this.#limit = opts.limit ?? 1000;
  }

  get pending(): number {
    return this.#entries.length;
  }

  push(item: OutboxItem): void {
    this.#entries.push({ ...item, sentIn: null });
    while (this.#entries.length > this.#limit) {
      const dropped = this.#entries.shift();
      this.#opts.log.warn(
        { topic: dropped?.topic, limit: this.#limit },
        'outbox full, dropped oldest message',
      );
    }
    this.flush();
  }

  /** Sends, in order, every entry not yet sent on the current connection. */
  flush(): void {
    const session = this.#opts.session();
    if (session === null) return;
    for (const entry of this.#entries) {
      if (entry.sentIn === session) continue;
      entry.sentIn = session;
      this.#opts.send(entry).then(
        () => this.#remove(entry),
        (err: unknown) => {
          if (entry.sentIn === session) entry.sentIn = null;
          this.#opts.log.debug(
            { err, topic: entry.topic },
            'publish not acknowledged, will resend',
          );
        },
      );
    }
  }

  #remove(entry: Entry): void {
    const index = this.#entries.indexOf(entry);
    if (index !== -1) this.#entries.splice(index, 1);
  }
}
