import WebSocket from 'ws';
import {
  Arrivals,
  now,
  padded,
  pool,
  SOURCES,
  serve,
  withTimeout,
} from './worker';

/**
 * Phone load generator: holds WebSocket clients (to Keyway's /v1/sync or to the bare ws server),
 * times marked messages on arrival, and — for commit→phone — sends the admin's HTTP request
 * itself, so the same clock starts and stops each sample.
 */
const sockets = new Map<number, WebSocket>();
const arrivals = new Arrivals();

/** Opens client i; with `snapshot`, ready once Keyway's snapshot arrived, else once open. */
function open(url: string, i: number, snapshot: boolean): Promise<void> {
  const ws = new WebSocket(url, {
    localAddress: SOURCES[i % SOURCES.length],
    perMessageDeflate: false,
    handshakeTimeout: 30_000,
  });
  let timer: NodeJS.Timeout | undefined;
  return new Promise<void>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`client ${i}: not ready in 60 s`)),
      60_000,
    );
    let ready = false;
    const up = () => {
      ready = true;
      sockets.set(i, ws);
      resolve();
    };
    ws.on('message', (data: Buffer) => {
      const t = now();
      if (ready) return arrivals.seen(i, data, t);
      if (data.includes('"type":"snapshot"')) return up();
      ws.terminate();
      reject(
        new Error(`client ${i}: first message ${String(data).slice(0, 120)}`),
      );
    });
    ws.once('open', () => {
      if (!snapshot) up();
    });
    ws.once('error', (err) => reject(err));
    ws.once('close', (code) => {
      if (sockets.get(i) === ws) sockets.delete(i);
      if (!ready) reject(new Error(`client ${i}: closed ${code} before ready`));
    });
  })
    .catch((err: Error) => {
      ws.terminate();
      throw err;
    })
    .finally(() => clearTimeout(timer));
}

function socket(i: number): WebSocket {
  const ws = sockets.get(i);
  if (!ws) throw new Error(`client ${i} is not connected`);
  return ws;
}

serve({
  async connect(a: {
    url: string;
    clients: { i: number; token?: string }[];
    snapshot: boolean;
  }) {
    const t0 = now();
    const res = await pool(a.clients, 32, (c) =>
      withTimeout(
        open(
          c.token ? `${a.url}?token=${encodeURIComponent(c.token)}` : a.url,
          c.i,
          a.snapshot,
        ),
        60_000,
        `connect ${c.i}`,
      ),
    );
    return { ...res, ms: now() - t0, open: sockets.size };
  },

  /** Bare ws round trips on client i: send a `bytes`-sized message, wait for its echo. */
  async echo(a: { i: number; bytes: number; count: number }) {
    const ws = socket(a.i);
    const samples: number[] = [];
    for (let k = 0; k < a.count; k++) {
      const marker = `echo-${k}-${Math.random()}`;
      const wait = arrivals.waitOne(a.i, marker, 10_000);
      const t0 = now();
      ws.send(padded(marker, a.bytes));
      samples.push((await wait).t - t0);
    }
    return samples;
  },

  arm(a: { marker: string; expect: number }) {
    arrivals.arm(a.marker, a.expect);
  },
  collect(a: { t0: number; timeoutMs: number }) {
    return arrivals.collect(a.t0, a.timeoutMs);
  },
  count() {
    return sockets.size;
  },
  async closeAll() {
    for (const ws of sockets.values()) ws.terminate();
    sockets.clear();
  },
});
