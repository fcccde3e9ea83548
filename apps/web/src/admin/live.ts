import {
  type AccessEvent,
  SyncClient,
  type SyncStatus,
} from '@keyway/protocol';
import { createContext, useContext, useSyncExternalStore } from 'react';

export interface LiveState {
  view: ReadonlyMap<string, unknown>;
  status: SyncStatus;
  /** Set once the first snapshot arrived (an empty view before it means "loading", not "nothing"). */
  ready: boolean;
  /** Access-log entries pushed since the dashboard opened, newest first, all spaces. */
  events: readonly AccessEvent[];
  /** Bumped on every applied change: screens that fetch (receipts, insights) refresh on it. */
  version: number;
}

const MAX_EVENTS = 1000;

/** Everything the dashboard shows live: the admin view from `/v1/sync` and the pushed access log. */
export class AdminLive {
  readonly #client: SyncClient;
  readonly #listeners = new Set<() => void>();
  readonly #offs: (() => void)[] = [];
  #state: LiveState;

  constructor(token: string, onUnauthorized: () => void) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.#client = new SyncClient({
      url: `${scheme}://${location.host}/v1/sync`,
      token,
      backoff: { minMs: 300, maxMs: 5_000 },
    });
    this.#state = {
      view: new Map(),
      status: 'stopped',
      ready: false,
      events: [],
      version: 0,
    };
    this.#offs.push(
      this.#client.on('change', (c) => {
        const events = c.events.length
          ? [...c.events]
              .reverse()
              .concat(this.#state.events)
              .slice(0, MAX_EVENTS)
          : this.#state.events;
        this.#set({
          view: new Map(this.#client.view),
          ready: true,
          events,
          version: this.#state.version + 1,
        });
      }),
      this.#client.on('status', (status) => this.#set({ status })),
      this.#client.on('error', (e) => {
        if (e.code === 'unauthorized') onUnauthorized();
      }),
    );
  }

  start(): void {
    this.#client.start();
  }

  stop(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#client.stop();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  };
  getState = (): LiveState => this.#state;

  #set(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const fn of this.#listeners) fn();
  }
}

export const LiveContext = createContext<AdminLive | null>(null);

export function useLive(): LiveState {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveContext');
  return useSyncExternalStore(live.subscribe, live.getState);
}
