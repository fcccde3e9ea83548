import type { ChangeBatch as Batch } from './changelog';

/** A batch of committed changes, or a notice that sessions were revoked (their sockets close at once). */
export type ChangeBatch = Batch & { revokedSessions?: string[] };

/**
 * How server nodes learn of new commits. The change log in the database is the truth; the bus
 * only says "there is more". In-process today; PostgreSQL LISTEN/NOTIFY or NATS when nodes are
 * several (a remote node would receive cursors and read the rows from the log).
 */
export interface ChangeBus {
  /** Whether the bus between nodes is up (undefined: in-process, nothing to be down). */
  readonly connected?: boolean;
  publish(batch: ChangeBatch): void;
  subscribe(listener: (batch: ChangeBatch) => void): () => void;
}

export class InProcessBus implements ChangeBus {
  private listeners = new Set<(batch: ChangeBatch) => void>();
  publish(batch: ChangeBatch): void {
    for (const l of this.listeners) l(batch);
  }
  subscribe(listener: (batch: ChangeBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
