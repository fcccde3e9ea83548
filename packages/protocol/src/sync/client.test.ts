import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AccessEvent } from '../http/events';
import { backoffDelay } from './backoff';
import { SyncClient, type SyncClientOptions, type SyncError } from './client';
import { ClientMessage, type ServerMessage } from './messages';

/** One connection the fake server accepted: its query and what the client sent on it. */
interface Conn {
  ws: WebSocket;
  query: URLSearchParams;
  at: number;
  received: unknown[];
  send(msg: ServerMessage | string): void;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A scripted `/v1/sync` on port 0; `onConnection` plays the server's part. */
async function fakeServer(
  opts: { refuse?: number; onConnection?: (c: Conn) => void } = {},
) {
  let attempts = 0;
  const wss = new WebSocketServer({
    port: 0,
    verifyClient: (_info, cb) => {
      attempts++;
      if (opts.refuse) cb(false, opts.refuse);
      else cb(true);
    },
  });
  await once(wss, 'listening');
  const conns: Conn[] = [];
  wss.on('connection', (ws, req) => {
    const c: Conn = {
      ws,
      query: new URL(req.url ?? '/', 'http://x').searchParams,
      at: performance.now(),
      received: [],
      send: (msg) =>
        ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    };
    ws.on('message', (data) => c.received.push(JSON.parse(String(data))));
    conns.push(c);
    opts.onConnection?.(c);
  });
  cleanups.push(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/sync`,
    conns,
    attempts: () => attempts,
    wss,
  };
}

function client(url: string, opts: Partial<SyncClientOptions> = {}) {
  const c = new SyncClient({
    url,
    token: 'tok',
    WebSocketImpl: WebSocket,
    backoff: { minMs: 5, maxMs: 20 },
    ackEveryMs: 10,
    ...opts,
  });
  const errors: SyncError[] = [];
  c.on('error', (e) => errors.push(e));
  cleanups.push(() => c.stop());
  c.start();
  return Object.assign(c, { errors });
}

const at = '2026-11-29T10:00:00Z';
const snapshot = (
  cursor: string,
  view: Record<string, unknown>,
): ServerMessage => ({
  type: 'snapshot',
  cursor,
  view,
});
const change = (
  cursor: string,
  ops: { key: string; value?: unknown }[],
  events?: AccessEvent[],
): ServerMessage => ({
  type: 'change',
  cursor,
  at,
  ops: ops.map(({ key, value }) =>
    value === undefined ? { op: 'del', key } : { op: 'put', key, value },
  ),
  events,
});
const heartbeat = (cursor: string, intervalMs?: number): ServerMessage => ({
  type: 'heartbeat',
  cursor,
  at,
  ...(intervalMs && { intervalMs }),
});
const event: AccessEvent = {
  id: 'ev1',
  spaceId: 's1',
  at,
  type: 'door.open',
  doorId: 'd1',
  unitId: 'u1',
  userId: 'user1',
  memberId: 'm1',
  result: 'granted',
  reason: null,
  data: null,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SyncClient', () => {
  it('applies a snapshot then changes in order and reports what changed', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        c.send(
          snapshot('e1.1', {
            's1/door/d1': { name: 'Front' },
            's1/space/s1': { name: 'HQ' },
          }),
        );
        c.send(
          change('e1.2', [
            { key: 's1/door/d2', value: { name: 'Back' } },
            { key: 's1/door/d1' },
          ]),
        );
        c.send(
          change(
            'e1.3',
            [{ key: 's2/door/d3', value: { name: 'Gate' } }],
            [event],
          ),
        );
      },
    });
    const c = client(srv.url, { token: async () => 'secret' });
    const changes: unknown[] = [];
    c.on('change', (ch) => changes.push(ch));
    await vi.waitFor(() => expect(c.cursor).toBe('e1.3'));

    expect(srv.conns[0]?.query.get('token')).toBe('secret');
    expect(srv.conns[0]?.query.has('cursor')).toBe(false);
    expect(c.status).toBe('live');
    expect(changes).toEqual([
      {
        kind: 'snapshot',
        cursor: 'e1.1',
        puts: ['s1/door/d1', 's1/space/s1'],
        dels: [],
        events: [],
      },
      {
        kind: 'change',
        cursor: 'e1.2',
        puts: ['s1/door/d2'],
        dels: ['s1/door/d1'],
        events: [],
      },
      {
        kind: 'change',
        cursor: 'e1.3',
        puts: ['s2/door/d3'],
        dels: [],
        events: [event],
      },
    ]);
    expect(c.entries('door')).toEqual([
      ['s1/door/d2', { name: 'Back' }],
      ['s2/door/d3', { name: 'Gate' }],
    ]);
    expect(c.entries('door', 's2')).toEqual([['s2/door/d3', { name: 'Gate' }]]);
    expect(c.entries('space')).toEqual([['s1/space/s1', { name: 'HQ' }]]);
  });

  it('reconnects after the server drops the socket, resuming from the last applied cursor', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        if (srv.conns.length === 1) {
          c.send(snapshot('e1.1', { 's1/door/d1': 1 }));
          c.send(change('e1.2', [{ key: 's1/door/d1', value: 2 }]));
          setTimeout(() => c.ws.terminate(), 20);
        } else c.send(change('e1.3', [{ key: 's1/door/d1', value: 3 }]));
      },
    });
    const c = client(srv.url);
    const statuses: string[] = [];
    c.on('status', (s) => statuses.push(s));
    await vi.waitFor(() => expect(c.cursor).toBe('e1.3'));
    expect(srv.conns[1]?.query.get('cursor')).toBe('e1.2');
    expect(srv.conns[1]?.query.get('token')).toBe('tok');
    expect(c.view.get('s1/door/d1')).toBe(3);
    expect(statuses).toEqual(['live', 'offline', 'connecting', 'live']);
  });

  it('ignores a change whose cursor is the one it already has', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        c.send(snapshot('e1.1', {}));
        c.send(change('e1.2', [{ key: 's1/door/d1', value: 'first' }]));
        c.send(change('e1.2', [{ key: 's1/door/d1', value: 'replayed' }]));
        c.send(change('e1.3', [{ key: 's1/door/d2', value: 'next' }]));
      },
    });
    const c = client(srv.url);
    const cursors: string[] = [];
    c.on('change', (ch) => cursors.push(ch.cursor));
    await vi.waitFor(() => expect(c.cursor).toBe('e1.3'));
    expect(cursors).toEqual(['e1.1', 'e1.2', 'e1.3']);
    expect(c.view.get('s1/door/d1')).toBe('first');
  });

  it('lets a fresh snapshot replace the whole view', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        c.send(snapshot('e2.7', { 's1/door/new': 'n', 's1/door/kept': 'k2' }));
      },
    });
    // A persisted view from an older epoch: the server answers the stale cursor with a snapshot.
    const c = client(srv.url, {
      initial: {
        cursor: 'e1.99',
        view: { 's1/door/old': 'o', 's1/door/kept': 'k1' },
      },
    });
    expect(c.view.get('s1/door/old')).toBe('o');
    const changes: unknown[] = [];
    c.on('change', (ch) => changes.push(ch));
    await vi.waitFor(() => expect(c.cursor).toBe('e2.7'));
    expect(srv.conns[0]?.query.get('cursor')).toBe('e1.99');
    expect(Object.fromEntries(c.view)).toEqual({
      's1/door/new': 'n',
      's1/door/kept': 'k2',
    });
    expect(changes).toEqual([
      {
        kind: 'snapshot',
        cursor: 'e2.7',
        puts: ['s1/door/new', 's1/door/kept'],
        dels: ['s1/door/old'],
        events: [],
      },
    ]);
  });

  it('goes live on a heartbeat after resuming with nothing missed', async () => {
    const srv = await fakeServer({
      onConnection: (c) => c.send(heartbeat('e1.5')),
    });
    const c = client(srv.url, {
      initial: { cursor: 'e1.5', view: { 's1/door/d1': 1 } },
    });
    await vi.waitFor(() => expect(c.status).toBe('live'));
    expect(c.view.get('s1/door/d1')).toBe(1);
  });

  it('stops reconnecting after an unauthorized error message', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        c.send({
          type: 'error',
          cursor: null,
          code: 'unauthorized',
          message: 'session revoked',
        });
        c.ws.close();
      },
    });
    const c = client(srv.url, { backoff: { minMs: 1, maxMs: 1 } });
    await vi.waitFor(() => expect(c.status).toBe('stopped'));
    expect(c.errors).toEqual([
      { code: 'unauthorized', message: 'session revoked' },
    ]);
    await sleep(50); // with 1 ms backoff, a reconnect loop would show up well within this
    expect(srv.conns).toHaveLength(1);
  });

  it('stops reconnecting after a 401 on the upgrade', async () => {
    const srv = await fakeServer({ refuse: 401 });
    const c = client(srv.url, { backoff: { minMs: 1, maxMs: 1 } });
    await vi.waitFor(() => expect(c.status).toBe('stopped'));
    expect(c.errors.map((e) => e.code)).toEqual(['unauthorized']);
    await sleep(50);
    expect(srv.attempts()).toBe(1);
  });

  it('reconnects with its cursor after slow_consumer, server_shutdown and resync', async () => {
    const codes = ['slow_consumer', 'server_shutdown', 'resync'] as const;
    const srv = await fakeServer({
      onConnection: (c) => {
        const n = srv.conns.length;
        if (n === 1) c.send(snapshot('e1.1', {}));
        const code = codes[n - 1];
        if (code)
          c.send({ type: 'error', cursor: 'e1.1', code, message: code });
        else c.send(heartbeat('e1.1'));
      },
    });
    const c = client(srv.url);
    await vi.waitFor(() => expect(srv.conns).toHaveLength(4));
    await vi.waitFor(() => expect(c.status).toBe('live'));
    expect(c.errors.map((e) => e.code)).toEqual(codes);
    expect(srv.conns.slice(1).map((x) => x.query.get('cursor'))).toEqual([
      'e1.1',
      'e1.1',
      'e1.1',
    ]);
  });

  it('backs off exponentially while every connection is closed at once', async () => {
    const srv = await fakeServer({ onConnection: (c) => c.ws.terminate() });
    // random = 1 makes each delay its ceiling: 4, 8, 16, 32, 64, 64 ms.
    const c = client(srv.url, {
      backoff: { minMs: 4, maxMs: 64, random: () => 1 },
    });
    await vi.waitFor(() => expect(srv.conns.length).toBeGreaterThanOrEqual(7), {
      timeout: 5000,
    });
    c.stop();
    const gaps = srv.conns.slice(1, 7).map((x, i) => x.at - srv.conns[i]!.at);
    // Lower bounds only: a timer never fires early, but a busy machine may fire it late.
    for (const [i, ms] of [4, 8, 16, 32, 64, 64].entries())
      expect(gaps[i]).toBeGreaterThanOrEqual(ms - 1);
  });

  it('computes full-jitter delays under a doubling, capped ceiling', () => {
    const opts = { minMs: 100, maxMs: 1000 };
    expect(
      [0, 1, 2, 3, 4, 50].map((n) =>
        backoffDelay(n, { ...opts, random: () => 0.999999 }),
      ),
    ).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(0);
    expect(backoffDelay(0)).toBeLessThan(250);
  });

  it('reconnects when the server goes silent past the heartbeat timeout', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        if (srv.conns.length === 1)
          c.send(snapshot('e1.1', {})); // ...then nothing
        else {
          // Heartbeats far inside the timeout keep this connection up.
          const timer = setInterval(() => c.send(heartbeat('e1.1')), 10);
          c.ws.on('close', () => clearInterval(timer));
        }
      },
    });
    // Generous against a busy CI box: a stall longer than the timeout is a (correct) reconnect.
    const c = client(srv.url, { heartbeatTimeoutMs: 300 });
    await vi.waitFor(() => expect(srv.conns.length).toBeGreaterThanOrEqual(2));
    expect(srv.conns[1]?.query.get('cursor')).toBe('e1.1');
    await sleep(700);
    expect(srv.conns).toHaveLength(2);
    expect(c.status).toBe('live');
  });

  it("follows the server's heartbeat interval: a stalled link is dropped after two, not 45 s, and resumed", async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        const n = srv.conns.length;
        if (n === 1) {
          // Then a stall: the socket stays open and says nothing (bytes held, no close).
          c.send(snapshot('e1.1', { 's1/door/d1': 'ok' }));
          c.send(heartbeat('e1.1', 100));
        } else if (n === 3) {
          const timer = setInterval(() => c.send(heartbeat('e1.1', 100)), 20);
          c.ws.on('close', () => clearInterval(timer));
        }
        // n === 2: silent from the start; the interval learned before still holds.
      },
    });
    const c = client(srv.url); // no heartbeatTimeoutMs: the default would be 45 s
    await vi.waitFor(() => expect(srv.conns).toHaveLength(3), {
      timeout: 10_000,
    });
    expect(srv.conns.slice(1).map((x) => x.query.get('cursor'))).toEqual([
      'e1.1',
      'e1.1',
    ]);
    await vi.waitFor(() => expect(c.status).toBe('live'));
    await sleep(600);
    expect(srv.conns).toHaveLength(3);
    expect(c.status).toBe('live');
    expect(Object.fromEntries(c.view)).toEqual({ 's1/door/d1': 'ok' });
  });

  it('acks the latest applied cursor, throttled', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        c.send(snapshot('e1.1', {}));
        for (let i = 2; i <= 20; i++)
          c.send(change(`e1.${i}`, [{ key: 's1/door/d1', value: i }]));
      },
    });
    client(srv.url, { ackEveryMs: 20 });
    await vi.waitFor(() =>
      expect(srv.conns[0]?.received.at(-1)).toEqual({
        type: 'ack',
        cursor: 'e1.20',
      }),
    );
    const acks = srv.conns[0]!.received;
    expect(acks.length).toBeLessThan(20);
    for (const ack of acks)
      expect(ClientMessage.safeParse(ack).success).toBe(true);
  });

  it('does not apply invalid frames, and resumes from the last good cursor', async () => {
    const srv = await fakeServer({
      onConnection: (c) => {
        const n = srv.conns.length;
        if (n === 1) {
          c.send(snapshot('e1.1', { 's1/door/d1': 'ok' }));
          c.send('{not json');
        } else if (n === 2) {
          // Valid JSON, but an op the schema does not know: nothing of it may be applied.
          const ops = [
            { op: 'put', key: 's1/door/d1', value: 'bad' },
            { op: 'zap' },
          ];
          c.send(JSON.stringify({ type: 'change', cursor: 'e1.2', at, ops }));
        } else c.send(heartbeat('e1.1'));
      },
    });
    const c = client(srv.url);
    const changes: unknown[] = [];
    c.on('change', (ch) => changes.push(ch));
    await vi.waitFor(() => expect(srv.conns).toHaveLength(3));
    await vi.waitFor(() => expect(c.status).toBe('live'));
    expect(c.errors.map((e) => e.code)).toEqual([
      'invalid_frame',
      'invalid_frame',
    ]);
    expect(changes).toHaveLength(1);
    expect(c.cursor).toBe('e1.1');
    expect(Object.fromEntries(c.view)).toEqual({ 's1/door/d1': 'ok' });
    expect(srv.conns.slice(1).map((x) => x.query.get('cursor'))).toEqual([
      'e1.1',
      'e1.1',
    ]);
  });

  it('reports a failing token provider and retries with a fresh token', async () => {
    const srv = await fakeServer({
      onConnection: (c) => c.send(snapshot('e1.1', {})),
    });
    let calls = 0;
    const token = async () => {
      if (++calls === 1) throw new Error('refresh failed');
      return 'fresh';
    };
    const c = client(srv.url, { token });
    await vi.waitFor(() => expect(c.status).toBe('live'));
    expect(c.errors).toEqual([
      { code: 'token_failed', message: 'refresh failed' },
    ]);
    expect(srv.conns.map((x) => x.query.get('token'))).toEqual(['fresh']);
  });

  it('stop() closes the socket and does not reconnect', async () => {
    const srv = await fakeServer({
      onConnection: (c) => c.send(snapshot('e1.1', {})),
    });
    const c = client(srv.url, { backoff: { minMs: 1, maxMs: 1 } });
    await vi.waitFor(() => expect(c.status).toBe('live'));
    c.stop();
    expect(c.status).toBe('stopped');
    await vi.waitFor(() => expect(srv.wss.clients.size).toBe(0));
    await sleep(30);
    expect(srv.conns).toHaveLength(1);
  });
});
