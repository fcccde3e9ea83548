export interface DedupeOptions {
  /** Upper bound on remembered ids; the oldest is forgotten first. */
  limit?: number;
  /** How long past its expiry an id is still remembered. */
  retainMs?: number;
}

/**
 * Memory of executed command ids, so a redelivered command is acknowledged `duplicate` instead
 * of opening the door twice. An id is only forgotten well after its command has expired, when
 * the expiry check alone already refuses it.
 */
export class ExecutedCommands {
  readonly #expiries = new Map<string, number>();
  readonly #limit: number;
  readonly #retainMs: number;

  constructor({ limit = 10_000, retainMs = 10 * 60_000 }: DedupeOptions = {}) {
    this.#limit = limit;
    this.#retainMs = retainMs;
  }

  get size(): number {
    return this.#expiries.size;
  }

  has(id: string): boolean {
    return this.#expiries.has(id);
  }

  /** Records `id`, whose command expires at `expiresAtMs`, pruning what `now` makes safe to forget. */
  add(id: string, expiresAtMs: number, now: number): void {
    this.prune(now);
    this.#expiries.delete(id);
    this.#expiries.set(id, expiresAtMs);
    // Map iterates in insertion order, so the first key is the oldest entry.
    while (this.#expiries.size > this.#limit) {
      const oldest = this.#expiries.keys().next();
      if (oldest.done) break;
      this.#expiries.delete(oldest.value);
    }
  }

  prune(now: number): void {
    for (const [id, expiresAt] of this.#expiries) {
      if (expiresAt + this.#retainMs <= now) this.#expiries.delete(id);
    }
  }
}
