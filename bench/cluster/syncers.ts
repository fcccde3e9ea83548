import { SyncClient } from '@keyway/protocol';
import WebSocket from 'ws';
import { now, SOURCES, serve, sleep } from '../sync/worker';

/**
 * Failover load generator of `bench:cluster`: phones that are the real SyncClient (its backoff,
 * its resume by cursor) through HAProxy, each recording when its connection dropped, when a new
 * socket opened and when it was live again, every change frame it received (by cursor) and the
 * rename markers (`"fo-<k>"`) those frames carried — to count lost and duplicated changes.
 */
interface Phone {
  c: SyncClient;
  /** The socket the SyncClient holds now. */
  sock: WebSocket | null;
  live: boolean;
  /** Instants (bench clock) the client left `live`, a socket opened, it was `live` again. */
  drops: number[];
  opens: number[];
  lives: number[];
  snapshots: number;
  /** Change cursors applied (the SyncClient's `change` events) and received (raw frames). */
  applied: Set<string>;
  appliedTwice: number;
  outOfOrder: number;
  lastApplied: number;
  frames: Set<string>;
  framesTwice: number;
  /** Rename numbers k seen in any frame. */
  names: Set<number>;
  finalSeen: boolean;
}

const phones: Phone[] = [];
const cursorN = (c: string) => Number(c.split('.')[1] ?? c);

function startPhone(url: string, i: number, token: string): Phone {
  const p: Phone = {
    c: undefined as never,
    sock: null,
    live: false,
    drops: [],
    opens: [],
    lives: [],
    snapshots: 0,
    applied: new Set(),
    appliedTwice: 0,
    outOfOrder: 0,
    lastApplied: 0,
    frames: new Set(),
    framesTwice: 0,
    names: new Set(),
    finalSeen: false,
  };
  const localAddress = SOURCES[i % SOURCES.length];
  // The WebSocket the SyncClient opens, from one of the source addresses, watched frame by frame.
  class Socket extends WebSocket {
    constructor(address: string) {
      super(address, { localAddress, perMessageDeflate: false });
      p.sock = this;
      this.once('open', () => p.opens.push(now()));
      this.on('message', (data: Buffer) => {
        const text = String(data);
        if (text.startsWith('{"type":"change"')) {
          const m = /"cursor":"([^"]+)"/.exec(text);
          if (m) {
            if (p.frames.has(m[1]!)) p.framesTwice++;
            p.frames.add(m[1]!);
          }
        }
        for (const m of text.matchAll(/"fo-(\d+)"/g)) p.names.add(Number(m[1]));
        if (text.includes('"fo-final"')) p.finalSeen = true;
      });
    }
  }
  p.c = new SyncClient({
    url,
    token,
    WebSocketImpl: Socket as never,
  });
  p.c.on('status', (s) => {
    const t = now();
    if (s === 'live' && !p.live) {
      p.live = true;
      p.lives.push(t);
    } else if (s !== 'live' && p.live) {
      p.live = false;
      p.drops.push(t);
    }
  });
  p.c.on('change', (ch) => {
    if (ch.kind === 'snapshot') {
      p.snapshots++;
      return;
    }
    if (p.applied.has(ch.cursor)) p.appliedTwice++;
    p.applied.add(ch.cursor);
    const n = cursorN(ch.cursor);
    if (n < p.lastApplied) p.outOfOrder++;
    p.lastApplied = Math.max(p.lastApplied, n);
  });
  p.c.start();
  return p;
}

serve({
  async start(a: { url: string; clients: { i: number; token: string }[] }) {
    for (const c of a.clients) {
      phones.push(startPhone(a.url, c.i, c.token));
      if (phones.length % 20 === 0) await sleep(20);
    }
    const deadline = now() + 120_000;
    while (phones.some((p) => !p.live) && now() < deadline) await sleep(100);
    return { live: phones.filter((p) => p.live).length, of: phones.length };
  },

  /** For the phones that dropped at or after t0: when they dropped, reopened and were live again. */
  since(a: { t0: number }) {
    const out: { drop: number; open: number | null; live: number | null }[] =
      [];
    for (const p of phones) {
      const drop = p.drops.find((t) => t >= a.t0);
      if (drop === undefined) continue;
      out.push({
        drop,
        open: p.opens.find((t) => t > drop) ?? null,
        live: p.lives.find((t) => t > drop) ?? null,
      });
    }
    return out;
  },

  /** Cuts every `every`-th live phone's socket from the phone's side (nodes healthy): the baseline. */
  bounce(a: { every: number; offset: number }) {
    let n = 0;
    phones.forEach((p, k) => {
      if (k % a.every !== a.offset || !p.live || !p.sock) return;
      p.sock.terminate();
      n++;
    });
    return n;
  },

  finalSeen() {
    return phones.filter((p) => p.finalSeen).length;
  },

  /** Per phone: acknowledged renames it never received, changes applied twice, and the rest. */
  audit(a: { acked: number[] }) {
    let lost = 0;
    let appliedTwice = 0;
    let outOfOrder = 0;
    let framesTwice = 0;
    let extraSnapshots = 0;
    let phonesMissing = 0;
    for (const p of phones) {
      const missing = a.acked.filter((k) => !p.names.has(k)).length;
      lost += missing;
      if (missing) phonesMissing++;
      appliedTwice += p.appliedTwice;
      outOfOrder += p.outOfOrder;
      framesTwice += p.framesTwice;
      extraSnapshots += Math.max(0, p.snapshots - 1);
    }
    return {
      phones: phones.length,
      lost,
      phonesMissing,
      appliedTwice,
      outOfOrder,
      framesTwice,
      extraSnapshots,
    };
  },

  stopAll() {
    for (const p of phones) p.c.stop();
  },
});
