import { WebSocketServer } from 'ws';
import { memoryOf, now, serve, sleep } from './worker';

/**
 * The baseline server of `bench:sync`: a bare `ws` server (same package and options as Keyway's
 * /v1/sync) alone in its process. It echoes every message as text, sends one string to every
 * client on `broadcast`, and reports its own memory after forced GCs (run with --expose-gc).
 */
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  maxPayload: 16 * 1024,
});
wss.on('connection', (ws) => {
  ws.on('message', (data) => ws.send(data, { binary: false }));
});
await new Promise<void>((resolve) => wss.once('listening', resolve));

const gc = (globalThis as { gc?: () => void }).gc;

serve({
  port() {
    const addr = wss.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  },
  async memory() {
    for (let k = 0; k < 2; k++) {
      gc?.();
      await sleep(200);
    }
    return {
      ...memoryOf(process.pid, process.memoryUsage()),
      gc: Boolean(gc),
    };
  },
  /**
   * Sends `payload` to every client; answers with the instant just before the first send and
   * how long the loop took.
   */
  broadcast(a: { payload: string }) {
    const t0 = now();
    for (const ws of wss.clients) ws.send(a.payload);
    return { t0, pushMs: now() - t0, clients: wss.clients.size };
  },
  count() {
    return wss.clients.size;
  },
});
