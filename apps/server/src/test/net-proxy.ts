import { createConnection, createServer, type Server, Socket } from 'node:net';

/**
 * What the network does to the bytes going one way, in the manner of Toxiproxy's toxics
 * (issue 22: `tc netem` is not available on these machines). Changed at run time with
 * `NetProxy.set`, on live connections too.
 */
export interface Toxics {
  /** Added to every chunk, one way (a round trip through the proxy gains twice this). */
  latencyMs: number;
  /** Each chunk's latency is drawn uniformly in latencyMs ± jitterMs; order is kept all the same. */
  jitterMs: number;
  /** Bytes per second, one way; 0 is unlimited. */
  bytesPerSec: number;
  /** Hold every byte (and a close) without closing: a phone in a tunnel. Released in order. */
  stall: boolean;
  /** Swallow every byte (and a close) for good; the connection stays open but useless. */
  blackhole: boolean;
}

export type Direction = 'up' | 'down' | 'both';

const CLEAR: Toxics = {
  latencyMs: 0,
  jitterMs: 0,
  bytesPerSec: 0,
  stall: false,
  blackhole: false,
};

/** Past this many held bytes the proxy stops reading, as a full TCP window would. */
const HIGH_WATER = 1 << 20;

type Item = { due: number; buf: Buffer } | { due: number; end: true };

/** One direction of one connection: bytes from `src` reach `dst` when the toxics let them. */
class Pipe {
  private queue: Item[] = [];
  private held = 0;
  private lastDue = 0;
  /** With a bandwidth limit: when the link is free to carry the next byte. */
  private nextFree = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingDrain = false;
  /** The close that came from `src` has been passed on to `dst`. */
  endSent = false;

  constructor(
    private src: Socket,
    private dst: Socket,
    public toxics: Toxics,
    private random: () => number,
  ) {
    src.on('data', (buf: Buffer) => this.push({ due: this.dueOf(), buf }));
    // A FIN, or a reset or error with no FIN: the close travels behind the bytes before it, so
    // a server closing a stalled socket is not seen by the client until the stall is released.
    src.on('end', () => this.end());
    src.on('close', () => this.end());
  }

  private ended = false;
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.push({ due: this.dueOf(), end: true });
  }

  set(toxics: Toxics): void {
    this.toxics = toxics;
    this.pump();
  }

  private dueOf(): number {
    const { latencyMs, jitterMs } = this.toxics;
    const delay = Math.max(0, latencyMs + (this.random() * 2 - 1) * jitterMs);
    // A chunk never overtakes the one before it: TCP delivers in order, jitter or not.
    this.lastDue = Math.max(performance.now() + delay, this.lastDue);
    return this.lastDue;
  }

  private push(item: Item): void {
    if (this.toxics.blackhole) return;
    this.queue.push(item);
    if ('buf' in item) {
      this.held += item.buf.length;
      if (this.held > HIGH_WATER) this.src.pause();
    }
    this.pump();
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.toxics.blackhole) {
      this.queue = [];
      this.held = 0;
      this.src.resume();
      return;
    }
    for (;;) {
      if (this.toxics.stall || this.waitingDrain) return;
      if (!this.dst.writable) {
        this.queue = [];
        return;
      }
      const head = this.queue[0];
      if (!head) return;
      const now = performance.now();
      const at = Math.max(head.due, this.nextFree);
      if (at > now) {
        this.timer = setTimeout(() => this.pump(), at - now);
        return;
      }
      if (!('buf' in head)) {
        this.queue.shift();
        this.endSent = true;
        this.dst.end();
        return;
      }
      const rate = this.toxics.bytesPerSec;
      // Limited: at most 20 ms worth per write, so bytes trickle rather than leave in bursts.
      const n = rate > 0 ? Math.max(1, Math.ceil(rate / 50)) : head.buf.length;
      const out = head.buf.subarray(0, n);
      if (out.length === head.buf.length) this.queue.shift();
      else head.buf = head.buf.subarray(out.length);
      this.held -= out.length;
      if (this.held <= HIGH_WATER / 2) this.src.resume();
      if (rate > 0)
        this.nextFree =
          Math.max(now, this.nextFree) + (out.length / rate) * 1000;
      if (!this.dst.write(out)) {
        this.waitingDrain = true;
        this.dst.once('drain', () => {
          this.waitingDrain = false;
          this.pump();
        });
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.queue = [];
  }
}

interface Connection {
  client: Socket;
  upstream: Socket;
  up: Pipe;
  down: Pipe;
}

/**
 * A TCP proxy between a client and a server in a test: every connection accepted on `port` is
 * forwarded to the target, its bytes each way delayed, throttled, held or dropped as the current
 * toxics say. `up` is client → server, `down` server → client.
 */
export class NetProxy {
  private conns = new Set<Connection>();
  private toxics: { up: Toxics; down: Toxics } = {
    up: { ...CLEAR },
    down: { ...CLEAR },
  };
  /** Connections accepted so far (a reconnect shows here). */
  accepted = 0;
  /**
   * Connections the server closed (or reset) before any close of the client's reached it: with
   * the link stalled, the server noticed the silence itself.
   */
  serverCloses = 0;

  private constructor(
    private server: Server,
    readonly port: number,
    private random: () => number,
  ) {}

  /** Listens on 127.0.0.1, port 0, forwarding to `target`. */
  static async start(
    target: { host?: string; port: number },
    opts: { toxics?: Partial<Toxics>; random?: () => number } = {},
  ): Promise<NetProxy> {
    // Half-open allowed on both sockets: a FIN is passed on by the pipes, in order, not at once.
    const server = createServer({ noDelay: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const proxy = new NetProxy(
      server,
      address.port,
      opts.random ?? Math.random,
    );
    if (opts.toxics) proxy.set(opts.toxics);
    server.on('connection', (client) =>
      proxy.accept(client, target.host ?? '127.0.0.1', target.port),
    );
    return proxy;
  }

  /** This proxy as a URL with the target URL's scheme and path (`ws://`, `mqtt://`, `http://`). */
  url(targetUrl: string): string {
    const u = new URL(targetUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString().replace(/\/$/, '');
  }

  /** Changes the toxics for new connections and, at once, for every live one. */
  set(toxics: Partial<Toxics>, direction: Direction = 'both'): void {
    for (const d of ['up', 'down'] as const) {
      if (direction !== 'both' && direction !== d) continue;
      this.toxics[d] = { ...this.toxics[d], ...toxics };
      for (const c of this.conns) c[d].set(this.toxics[d]);
    }
  }

  /** Round trip added with jitter: half each way, as `set` takes it. */
  setRoundTrip(rttMs: number, jitterMs = 0): void {
    this.set({ latencyMs: rttMs / 2, jitterMs: jitterMs / 2 });
  }

  /** Back to a plain pipe (a stall's held bytes are then released in order). */
  clear(): void {
    this.set(CLEAR);
  }

  /** Resets every live connection (a TCP RST to both ends, as a NAT box losing its state does). */
  reset(): void {
    for (const c of [...this.conns]) this.drop(c, true);
  }

  get connections(): number {
    return this.conns.size;
  }

  async stop(): Promise<void> {
    for (const c of [...this.conns]) this.drop(c, false);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    this.accepted++;
    const upstream = createConnection({
      host,
      port,
      noDelay: true,
      allowHalfOpen: true,
    });
    const c: Connection = {
      client,
      upstream,
      up: new Pipe(client, upstream, this.toxics.up, this.random),
      down: new Pipe(upstream, client, this.toxics.down, this.random),
    };
    this.conns.add(c);
    // Errors are followed by a close, which the pipes carry; the connection is gone when both
    // ends are closed.
    let serverClosed = false;
    const fromServer = () => {
      if (serverClosed || c.up.endSent) return;
      serverClosed = true;
      this.serverCloses++;
    };
    upstream.on('end', fromServer);
    upstream.on('error', fromServer);
    let open = 2;
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.once('close', () => {
        if (--open === 0) this.drop(c, false);
      });
    }
  }

  private drop(c: Connection, rst: boolean): void {
    if (!this.conns.delete(c)) return;
    c.up.dispose();
    c.down.dispose();
    for (const s of [c.client, c.upstream]) {
      if (rst && s instanceof Socket && !s.destroyed) s.resetAndDestroy();
      else s.destroy();
    }
  }
}
