import type { z } from 'zod';
import type { AccessEvent } from '../http/events';
import { type BackoffOptions, backoffDelay } from './backoff';
import { touchedKeys } from './diff';
import { Emitter } from './emitter';
import {
  applyMessage,
  type ClientMessage,
  type ErrorMessage,
  ServerMessage,
} from './messages';
import {
  type WebSocketConstructor,
  type WebSocketLike,
  WS_OPEN,
} from './socket';
import { parseViewKey, type ViewKind } from './view';

export type { BackoffOptions } from './backoff';
export type { WebSocketConstructor, WebSocketLike } from './socket';

export type SyncStatus = 'connecting' | 'live' | 'offline' | 'stopped';
export interface SyncChange {
  kind: 'snapshot' | 'change';
  cursor: string;
  /** Keys whose value was set. */
  puts: string[];
  /** Keys that were removed (for a snapshot: keys the old view had and the new one lacks). */
  dels: string[];
  events: AccessEvent[];
}
/** Server error codes, plus `invalid_frame` (the server sent something unparseable) and `token_failed`. */
export type SyncErrorCode =
  | z.infer<typeof ErrorMessage>['code']
  | 'invalid_frame'
  | 'token_failed';
export type SyncError = { code: SyncErrorCode; message: string };
export interface SyncEvents {
  change: SyncChange;
  status: SyncStatus;
  error: SyncError;
}

export interface SyncClientOptions {
  /** `ws(s)://host/v1/sync`. */
  url: string;
  /** Sent as `?token=` because browsers cannot set headers on a WebSocket upgrade. */
  token: string | (() => string | Promise<string>);
  /** Defaults to `globalThis.WebSocket`; pass `ws`'s WebSocket in Node. */
  WebSocketImpl?: WebSocketConstructor;
  /** Persisted resume point and view (localStorage / IndexedDB). */
  initial?: { cursor: string; view: Record<string, unknown> } | null;
  /** Reconnect delays; `resetAfterMs`: a connection live this long counts as stable (default 10 s). */
  backoff?: BackoffOptions & { resetAfterMs?: number };
  /**
   * Silence this long means a dead link (default 45 s), until a heartbeat names the server's
   * interval: from then on (across reconnects too) two intervals of silence do, as on the server.
   */
  heartbeatTimeoutMs?: number;
  /** Acks are sent at most this often (default 250 ms): receipts need no more, the server less. */
  ackEveryMs?: number;
  now?: () => number;
}

const noop = () => {};

type Timer = ReturnType<typeof setTimeout> | undefined;

export class SyncClient {
  readonly #opts: SyncClientOptions;
  readonly #Impl: WebSocketConstructor;
  readonly #view = new Map<string, unknown>();
  readonly #events = new Emitter<SyncEvents>();
  #cursor: string | null = null;
  #status: SyncStatus = 'stopped';
  #running = false;
  #sock: WebSocketLike | null = null;
  /** Bumped by every connect and stop, so callbacks of an abandoned attempt do nothing. */
  #gen = 0;
  #attempt = 0;
  #liveSince: number | null = null;
  #acked: string | null = null;
  /** Two of the server's heartbeat intervals, once a heartbeat has said what it is. */
  #silenceMs: number | null = null;
  #retryTimer: Timer;
  #idleTimer: Timer;
  #ackTimer: Timer;

  constructor(opts: SyncClientOptions) {
    const Impl =
      opts.WebSocketImpl ??
      (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl)
      throw new Error(
        'SyncClient: no WebSocket in this runtime; pass WebSocketImpl',
      );
    new URL(opts.url); // fail fast on a misconfigured URL rather than in a retry loop
    this.#opts = opts;
    this.#Impl = Impl;
    if (opts.initial) {
      this.#cursor = opts.initial.cursor;
      for (const [k, v] of Object.entries(opts.initial.view))
        this.#view.set(k, v);
    }
  }

  get view(): ReadonlyMap<string, unknown> {
    return this.#view;
  }
  get cursor(): string | null {
    return this.#cursor;
  }
  get status(): SyncStatus {
    return this.#status;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt = 0;
    void this.#connect();
  }

  /** Closes the socket; no reconnect until `start()` again. */
  stop(): void {
    this.#running = false;
    this.#gen++;
    this.#detach();
    clearTimeout(this.#retryTimer);
    this.#setStatus('stopped');
  }

  /** Subscribe to `change` (after each applied snapshot/change), `status` or `error`; returns unsubscribe. */
  on<E extends keyof SyncEvents>(
    event: E,
    fn: (value: SyncEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, fn);
  }

  /** `[key, value]` of every entry of one kind, e.g. `entries('door')`, optionally in one space. */
  entries(kind: ViewKind, spaceId?: string): [string, unknown][] {
    return [...this.#view].filter(([key]) => {
      const k = parseViewKey(key);
      return (
        k?.kind === kind && (spaceId === undefined || k.spaceId === spaceId)
      );
    });
  }

  async #connect(): Promise<void> {
    const gen = ++this.#gen;
    this.#setStatus('connecting');
    let url: URL;
    try {
      const { token } = this.#opts;
      url = new URL(this.#opts.url);
      url.searchParams.set(
        'token',
        typeof token === 'function' ? await token() : token,
      );
    } catch (e) {
      if (gen !== this.#gen) return;
      const message = e instanceof Error ? e.message : String(e);
      this.#events.emit('error', { code: 'token_failed', message });
      return this.#retry();
    }
    if (gen !== this.#gen) return; // stopped (or restarted) while the token was fetched
    if (this.#cursor !== null) url.searchParams.set('cursor', this.#cursor);

    let sock: WebSocketLike;
    try {
      sock = new this.#Impl(url.toString());
    } catch {
      return this.#retry(); // e.g. a browser refusing the URL; the constructor checked its syntax
    }
    this.#sock = sock;
    this.#acked = null;
    this.#liveSince = null;
    this.#armIdle(); // also bounds a connect that hangs before 'open'
    sock.onopen = () => this.#armIdle();
    sock.onmessage = (ev: { data: unknown }) => this.#onFrame(ev.data);
    sock.onclose = () => this.#drop();
    sock.onerror = noop; // a close event always follows; handling it there keeps one path
    sock.on?.('unexpected-response', (_req, res) => {
      if (this.#sock !== sock) return;
      // With this listener attached `ws` leaves the socket to us; 401/403 will not fix themselves.
      if (res.statusCode === 401 || res.statusCode === 403)
        this.#fatal(`HTTP ${res.statusCode} on upgrade`);
      else this.#drop();
    });
  }

  #onFrame(data: unknown): void {
    this.#armIdle();
    const parsed = ServerMessage.safeParse(
      typeof data === 'string' ? parseJson(data) : undefined,
    );
    if (!parsed.success) {
      this.#events.emit('error', {
        code: 'invalid_frame',
        message: parsed.error.message,
      });
      this.#drop(); // resume from the last good cursor rather than apply part of a bad frame
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'heartbeat') {
      if (
        msg.intervalMs !== undefined &&
        msg.intervalMs * 2 !== this.#silenceMs
      ) {
        this.#silenceMs = msg.intervalMs * 2;
        this.#armIdle();
      }
      // A heartbeat before any change on a resumed connection means nothing was missed.
      if (this.#cursor !== null) this.#goLive();
    } else if (msg.type === 'error') {
      if (msg.code === 'unauthorized') this.#fatal(msg.message);
      else {
        this.#events.emit('error', { code: msg.code, message: msg.message });
        // A node shutting down: reconnect at the first step of the backoff (another node
        // takes us), however long the backoff had grown.
        if (msg.code === 'server_shutdown') this.#attempt = 0;
        this.#drop(); // slow_consumer, server_shutdown, resync, ...: resume with our cursor
      }
    } else if (msg.type === 'snapshot' || msg.cursor !== this.#cursor) {
      // A change at our own cursor is a duplicate (e.g. replayed on resume): skip it.
      const { puts, dels } = touchedKeys(this.#view, msg);
      this.#cursor = applyMessage(this.#view, msg);
      this.#goLive();
      this.#scheduleAck();
      const events = msg.type === 'change' ? (msg.events ?? []) : [];
      this.#events.emit('change', {
        kind: msg.type,
        cursor: msg.cursor,
        puts,
        dels,
        events,
      });
    }
  }

  /** Unauthorized: reconnecting would loop on the same answer until the user logs in again. */
  #fatal(message: string): void {
    this.stop();
    this.#events.emit('error', { code: 'unauthorized', message });
  }

  /** Forget the current socket (closing it) and schedule the next attempt. */
  #drop(hard = false): void {
    this.#detach(hard);
    if (this.#running) this.#retry();
  }

  #retry(): void {
    const now = (this.#opts.now ?? Date.now)();
    // Only a connection that stayed live resets the backoff, so a server (or, in a browser, an
    // unseen 401) that closes every socket right away still gets exponentially spaced attempts.
    if (
      this.#liveSince !== null &&
      now - this.#liveSince >= (this.#opts.backoff?.resetAfterMs ?? 10_000)
    ) {
      this.#attempt = 0;
    }
    this.#liveSince = null;
    const delay = backoffDelay(this.#attempt++, this.#opts.backoff);
    this.#setStatus('offline');
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #detach(hard = false): void {
    const sock = this.#sock;
    this.#sock = null;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (!sock) return;
    // No-ops, not null: `ws` throws on an 'error' event with no listener, and closing a
    // connecting socket emits one.
    sock.onopen = sock.onmessage = sock.onclose = sock.onerror = noop;
    if (hard && sock.terminate) sock.terminate();
    else sock.close();
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(
      () => this.#drop(true),
      this.#silenceMs ?? this.#opts.heartbeatTimeoutMs ?? 45_000,
    );
  }

  #goLive(): void {
    if (this.#liveSince === null)
      this.#liveSince = (this.#opts.now ?? Date.now)();
    this.#setStatus('live');
  }

  /** Trailing throttle: one ack per window, carrying the newest cursor applied by then. */
  #scheduleAck(): void {
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      const { cursor } = this;
      if (
        this.#sock?.readyState !== WS_OPEN ||
        cursor === null ||
        cursor === this.#acked
      )
        return;
      this.#acked = cursor;
      this.#sock.send(
        JSON.stringify({ type: 'ack', cursor } satisfies ClientMessage),
      );
    }, this.#opts.ackEveryMs ?? 250);
  }

  #setStatus(s: SyncStatus): void {
    if (s === this.#status) return;
    this.#status = s;
    this.#events.emit('status', s);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
