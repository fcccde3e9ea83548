import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InProcessBus } from './bus';
import type { CommittedChange } from './changelog';
import { SyncHub } from './hub';
import { type SessionDeps, SyncSession } from './ws-session';

/**
 * The slow-consumer rule without a kernel in the way: a socket whose unsent bytes never drain
 * (a reader that stopped) is closed with a cursor it can resume from, and a socket that keeps
 * up is not delayed. (Over loopback the kernel's send and receive buffers, tens of MB on some
 * machines, would absorb the test's traffic before `bufferedAmount` ever grew.)
 */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  constructor(private drains: boolean) {
    super();
  }
  send(data: string) {
    this.sent.push(data);
    if (!this.drains) this.bufferedAmount += Buffer.byteLength(data);
  }
  close(code: number) {
    this.closedWith = code;
  }
  terminate() {}
  ping() {}
}

const change = (cursor: number): CommittedChange => ({
  cursor,
  at: new Date(0).toISOString(),
  payload: `{"ops":[{"op":"put","key":"sp/admin.space/sp","value":{"name":"${'x'.repeat(200)} ${cursor}"}}]}`,
  audiences: ['a:sp'],
  resync: false,
});

function session(hub: SyncHub, ws: FakeSocket, id: string) {
  const deps = {
    hub,
    epoch: () => ({ epoch: 'E', minCursor: 0 }),
    maxReplay: 10_000,
    maxBufferedBytes: 2048,
    now: () => new Date(0),
    closed: () => {},
  } as unknown as SessionDeps;
  const s = new SyncSession(ws as never, deps, 'usr_1', id);
  // As after its snapshot at cursor 0: live, following the space's dashboard.
  Object.assign(s, { buffer: null, audiences: new Set(['a:sp']) });
  hub.add(s);
  return s;
}

describe('a slow client', () => {
  it('is closed with the cursor it reached; a fast one gets every change', () => {
    const bus = new InProcessBus();
    const hub = new SyncHub(bus, 'E', pino({ level: 'silent' }));
    const slowWs = new FakeSocket(false);
    const fastWs = new FakeSocket(true);
    const slow = session(hub, slowWs, 'ses_slow');
    session(hub, fastWs, 'ses_fast');

    for (let n = 1; n <= 60; n++)
      bus.publish({ changes: [change(n)], nextChangeAt: new Map() });

    expect(fastWs.sent).toHaveLength(60);
    expect(JSON.parse(fastWs.sent[59]!).cursor).toBe('E.60');
    expect(slowWs.closedWith).toBe(4000);
    const error = JSON.parse(slowWs.sent.at(-1)!);
    expect(error).toMatchObject({ type: 'error', code: 'slow_consumer' });
    // The cursor it is told is the last change it was actually sent: resuming there loses nothing.
    const delivered = slowWs.sent.slice(0, -1).map((m) => JSON.parse(m));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(60);
    expect(error.cursor).toBe(delivered.at(-1).cursor);
    expect(slow.cursor).toBe(error.cursor);
  });
});
