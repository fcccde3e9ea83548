import {
  type AccessEvent,
  SyncClient,
  type SyncStatus,
} from '@keyway/protocol';
import { useSyncExternalStore } from 'react';
import { viewKeyFor } from './session';

export interface LiveSnapshot {
  view: ReadonlyMap<string, unknown>;
  status: SyncStatus;
  /** Access-log entries pushed since the app started, newest first (hers; an admin's spaces'). */
  events: readonly AccessEvent[];
}

const MAX_EVENTS = 200;
const PERSIST_EVERY_MS = 300;

/**
 * The whole screen state: the sync view from `/v1/sync`, kept live by SyncClient, persisted to
 * localStorage (view + cursor) so the app opens instantly, and offline, on the last known state.
 */
export class LiveStore {
  readonly #client: SyncClient;
  readonly #storageKey: string;
  readonly #listeners = new Set<() => void>();
  readonly #offs: (() => void)[] = [];
  #events: AccessEvent[] = [];
  #snap: LiveSnapshot;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(userId: string, token: string, onUnauthorized: () => void) {
    this.#storageKey = viewKeyFor(userId);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.#client = new SyncClient({
      url: `${scheme}://${location.host}/v1/sync`,
      token,
      initial: readPersisted(this.#storageKey),
      backoff: { minMs: 500, maxMs: 10_000 },
    });
    this.#snap = this.#snapshot();
    this.#offs.push(
      this.#client.on('change', (c) => {
        if (c.events.length)
          this.#events = [...c.events]
            .reverse()
            .concat(this.#events)
            .slice(0, MAX_EVENTS);
        this.#schedulePersist();
        this.#emit();
      }),
      this.#client.on('status', () => this.#emit()),
      this.#client.on('error', (e) => {
        if (e.code === 'unauthorized') onUnauthorized();
      }),
    );
  }

  start(): void {
    this.#client.start();
    const wake = () => {
      // Back online or back in front: retry now rather than when the backoff says.
      if (this.#client.status === 'offline') {
        this.#client.stop();
        this.#client.start();
      }
    };
    const hide = () => {
      if (document.visibilityState === 'hidden') this.#persist();
      else wake();
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', hide);
    this.#offs.push(
      () => window.removeEventListener('online', wake),
      () => document.removeEventListener('visibilitychange', hide),
    );
  }

  stop(): void {
    clearTimeout(this.#persistTimer);
    for (const off of this.#offs.splice(0)) off();
    this.#client.stop();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  };
  getSnapshot = (): LiveSnapshot => this.#snap;

  #snapshot(): LiveSnapshot {
    // The client mutates its map in place; a copy gives React a new identity per change.
    return {
      view: new Map(this.#client.view),
      status: this.#client.status,
      events: this.#events,
    };
  }

  #emit(): void {
    this.#snap = this.#snapshot();
    for (const fn of this.#listeners) fn();
  }

  #schedulePersist(): void {
    if (this.#persistTimer !== undefined) return;
    this.#persistTimer = setTimeout(() => this.#persist(), PERSIST_EVERY_MS);
  }

  #persist(): void {
    clearTimeout(this.#persistTimer);
    this.#persistTimer = undefined;
    const { cursor } = this.#client;
    if (cursor === null) return;
    try {
      const view = Object.fromEntries(this.#client.view);
      localStorage.setItem(this.#storageKey, JSON.stringify({ cursor, view }));
    } catch {
      // Storage full or disabled: the app still works, it just starts from the network.
    }
  }
}

function readPersisted(
  key: string,
): { cursor: string; view: Record<string, unknown> } | null {
  try {
    const raw = localStorage.getItem(key);
    const p = raw
      ? (JSON.parse(raw) as { cursor?: unknown; view?: unknown })
      : null;
    if (
      p &&
      typeof p.cursor === 'string' &&
      p.view &&
      typeof p.view === 'object'
    )
      return { cursor: p.cursor, view: p.view as Record<string, unknown> };
  } catch {
    // Corrupt entry: start from a snapshot.
  }
  return null;
}

export function useLive(store: LiveStore): LiveSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
